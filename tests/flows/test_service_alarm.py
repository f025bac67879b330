"""`gapwatch service run` with a notification block: a failed night is announced.

The service (its Prefect server started on a copy of the migrated template database, the
automation it creates, a worker) runs on loopback; the block posts to a loopback receiver the
test starts. Beside test_service.py, not in it, so the two long service runs can go to
different test workers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT
from tests.flows.test_deployment import free_port
from tests.flows.test_service import STOP_TIMEOUT, _tail, marked

SAVE_BLOCK = """
import sys
from prefect.blocks.notifications import CustomWebhookNotificationBlock
CustomWebhookNotificationBlock(
    name="gapwatch test hook", url=sys.argv[1],
    json_data={"subject": "{{subject}}", "body": "{{body}}"},
).save("gw-notify", overwrite=True)
"""


def test_a_failed_night_is_announced_by_the_automation_the_service_creates(
    tmp_path: Path, prefect_template: Path, loopback_server: Any
) -> None:
    from cli.main import main
    from flows.service import ALARM_EVENTS, AUTOMATION, api
    from tests.flows.test_notification_block import receiver

    url, received = receiver(loopback_server)
    home = tmp_path / "prefect"
    home.mkdir()
    shutil.copyfile(prefect_template, home / "prefect.db")  # migrated: starts in seconds
    marker = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        GAPWATCH_TEST_MARKER=marker,
        TMPDIR=str(tmp_path),
    )
    # the block is saved before the service starts, as a user would (a temporary server)
    subprocess.run(
        [sys.executable, "-c", SAVE_BLOCK, url], env=env, check=True, timeout=300, cwd=tmp_path
    )
    port = free_port()
    env.update(
        GAPWATCH_NOTIFICATION_BLOCK="gw-notify",
        GAPWATCH_SOURCES="epoch",
        GAPWATCH_EPOCH_LOCATION=str(tmp_path / "no-such-bundle.zip"),  # the night fails
        GAPWATCH_DATA_DIR=str(tmp_path / "data"),
    )
    env.pop("PREFECT_HOME")
    logs = tmp_path / "logs"
    command = [sys.executable, "-m", "cli.main", "service", "run", "--home", str(home)]
    command += ["--port", str(port), "--logs", str(logs)]
    with open(tmp_path / "service.log", "wb") as output:
        service = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        waited = main(["service", "wait", "--port", str(port), "--timeout", "600"])
        assert waited == 0, _tail(tmp_path / "service.log")
        automations = api(api_url, "/automations/filter", {})
        assert isinstance(automations, list)
        (automation,) = [a for a in automations if a["name"] == AUTOMATION]
        assert sorted(automation["trigger"]["expect"]) == sorted(ALARM_EVENTS)
        assert automation["actions"][0]["type"] == "send-notification"

        assert main(["service", "trigger", "--port", str(port), "--timeout", "600"]) == 1
        deadline = time.monotonic() + 180
        while not received and time.monotonic() < deadline:
            time.sleep(1)
        assert received, f"no notification\n{_tail(logs / 'server.log')}"
        (message,) = received
        assert message["subject"].startswith("gapwatch: the nightly run ")
        assert message["subject"].endswith(" is Failed")
        assert "no-such-bundle.zip" in message["body"] or "Flow run id" in message["body"]
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            assert service.wait(timeout=STOP_TIMEOUT) == 0, _tail(tmp_path / "service.log")
        finally:
            for pid, _ in marked(marker):
                os.kill(pid, signal.SIGKILL)
