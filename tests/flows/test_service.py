"""README's "Run it as a service" sequence, run verbatim in a fresh shell on loopback.

The test takes the README's bash block as written and runs it with bash in a fresh
environment: a new GAPWATCH_HOME (so the Prefect server migrates a new database), a free
loopback port, the nightly every minute instead of at 03:00 (GAPWATCH_SCHEDULE), and one real
Epoch snapshot as the only source. The block starts the service in the background, waits for
it and triggers a manual run, which must complete; then a run the scheduler made must complete
too. SIGTERM must stop the whole tree cleanly, and the worker's log must be free of tracebacks
and DuckDB teardown noise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import EPOCH_SNAPSHOTS, PROJECT, epoch_dir
from tests.flows.test_deployment import free_port

pytestmark = pytest.mark.long

SEQUENCE_TIMEOUT = 900  # server start with migrations, pool, deploy, worker, one refresh
SCHEDULED_TIMEOUT = 300  # the next minute's run, queued behind the manual one (limit 1)
STOP_TIMEOUT = 60
TASK_RUNS_TIMEOUT = 60  # task runs are recorded from events, shortly after they end


def readme_sequence() -> str:
    """The first bash block under the README's "Run it as a service" heading."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Run it as a service\n", 1)[1]
    found = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert found, "README: no bash block under 'Run it as a service'"
    return found.group(1)


def marked(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of live processes whose environment carries this test's marker."""
    needle = f"GAPWATCH_TEST_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if state != "Z":
            found.append((int(entry.name), command))
    return found


def readme_share_command() -> str:
    """The `duckdb -c ...` line of the README's "Share the data" section, as written."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Share the data\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"`(duckdb -c \"[^`]+\")`", section)
    assert found, "README: no duckdb line under 'Share the data'"
    return found.group(1)


def api_post(api: str, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{api}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        found: list[dict[str, Any]] = json.loads(answer.read())
        return found


def task_run_names(api: str, flow_run_ids: list[str]) -> set[str]:
    """Names of these flow runs' task runs, once the server has recorded each one's last."""
    body = {"task_runs": {"flow_run_id": {"any_": flow_run_ids}}, "limit": 200}
    deadline = time.monotonic() + TASK_RUNS_TIMEOUT
    while True:
        found = api_post(api, "/task_runs/filter", body)
        recorded = {t["flow_run_id"] for t in found if t["name"] == "record"}
        if recorded >= set(flow_run_ids) or time.monotonic() > deadline:
            return {str(t["name"]) for t in found}
        time.sleep(1)


def flow_runs(api: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{api}/flow_runs/filter",
        data=json.dumps({"sort": "EXPECTED_START_TIME_ASC", "limit": 50}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        runs: list[dict[str, Any]] = json.loads(answer.read())
        return runs


def test_the_readme_service_sequence_runs_a_manual_and_a_scheduled_night(
    tmp_path: Path, shared_data: Path
) -> None:
    home = tmp_path / "gapwatch"
    port = free_port()
    marker = uuid.uuid4().hex
    snapshot = epoch_dir(shared_data, EPOCH_SNAPSHOTS[-1])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    env.update(
        GAPWATCH_HOME=str(home),
        GAPWATCH_SERVICE_PORT=str(port),
        GAPWATCH_SCHEDULE="* * * * *",
        GAPWATCH_SOURCES="epoch",
        GAPWATCH_EPOCH_LOCATION=str(snapshot),
        GAPWATCH_TEST_MARKER=marker,
        TMPDIR=str(scratch),
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        # files, not pipes: the service started with `&` keeps its output open after bash ends
        out, err = tmp_path / "sequence.out", tmp_path / "sequence.err"
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", readme_sequence()],
                cwd=PROJECT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                timeout=SEQUENCE_TIMEOUT,
                check=False,
            )
        logs = home / "logs"
        printed = out.read_text(errors="replace")
        assert done.returncode == 0, (
            f"{printed}\n{_tail(err)}\n{_tail(logs / 'worker.log')}\n{_tail(logs / 'server.log')}"
        )
        assert re.search(r"flow run \S+ \(\S+\): COMPLETED", printed), printed

        # a run the scheduler made from the cron completes too
        deadline = time.monotonic() + SCHEDULED_TIMEOUT
        while True:
            runs = flow_runs(api)
            scheduled = [r for r in runs if r["auto_scheduled"]]
            if any(r["state"]["type"] == "COMPLETED" for r in scheduled):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no scheduled run completed: {[r['state'] for r in scheduled]}")
            time.sleep(2)
        manual = [r for r in runs if not r["auto_scheduled"]]
        assert [r["state"]["type"] for r in manual] == ["COMPLETED"]
        assert not any(r["state"]["type"] in ("FAILED", "CRASHED") for r in runs)
        # task runs are named per step and source (the first night loaded, later ones may not)
        names = task_run_names(api, [r["id"] for r in runs if r["state"]["type"] == "COMPLETED"])
        assert {"check-credential-epoch", "fetch-epoch", "land-epoch", "parse-epoch"} <= names
        assert {"load-epoch", "validate-epoch", "build-marts", "record", "report"} <= names
        # each night's markdown artifact (headline, report link) is on the server
        artifacts = api_post(
            api, "/artifacts/filter", {"artifacts": {"key": {"any_": ["gapwatch-night"]}}}
        )
        assert manual[0]["id"] in {a["flow_run_id"] for a in artifacts}

        # SIGTERM to the service (what systemd sends): everything it started stops, cleanly
        (service,) = [pid for pid, command in marked(marker) if "service run" in command]
        os.kill(service, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while marked(marker) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert marked(marker) == []
        worker_log = (logs / "worker.log").read_text(errors="replace")
        assert "stopped!" in worker_log  # the worker's own clean-shutdown line
        for noise in ("Traceback", "leaked", "Error"):
            assert noise not in worker_log, _tail(logs / "worker.log")

        # the runs refreshed the warehouse the service's environment pointed at
        database = home / "data" / "gapwatch.duckdb"
        with duckdb.connect(str(database), read_only=True) as con:
            statuses = con.execute("select distinct status from history.refresh_runs").fetchall()
            linked = con.execute(
                "select distinct prefect_flow_run_id from history.refresh_runs"
            ).fetchall()
            runs_recorded = con.execute(
                "select count(distinct run_id) from history.refresh_runs"
            ).fetchall()[0][0]
        assert statuses == [("succeeded",)]
        assert runs_recorded >= 2
        # every night recorded names the Prefect flow run that ran it, the manual one too
        assert len(linked) == runs_recorded
        assert all(row[0] is not None and uuid.UUID(str(row[0])) for row in linked)
        assert manual[0]["id"] in {str(row[0]) for row in linked}

        # README "Share the data": the night published its data, Data Docs and an artifact
        published = home / "data" / "reports" / "latest"
        document = json.loads((published / "data" / "data.json").read_text(encoding="utf-8"))
        assert document["format"] == "gapwatch-data" and document["attribution"]
        assert (published / "data-docs" / "index.html").is_file()
        reading = readme_share_command()
        shown = subprocess.run(
            ["bash", "-c", reading.replace("duckdb -c", f"{PROJECT}/.venv/bin/duckdb -c", 1)],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert shown.returncode == 0, shown.stderr
        assert "gap_months" in shown.stdout
    finally:
        for pid, _ in marked(marker):
            os.kill(pid, signal.SIGKILL)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else f"({path} missing)"


def test_service_install_writes_a_unit_that_runs_the_service_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    monkeypatch.setenv("GAPWATCH_SOURCES", "epoch,weirdml")
    monkeypatch.setenv("GAPWATCH_AA_API_KEY", "not-for-the-unit-file")
    monkeypatch.setenv("GAPWATCH_WEBHOOK_URL", "https://hooks.invalid/not-for-the-unit-file")
    monkeypatch.chdir(PROJECT)
    units = tmp_path / "units"
    code = main(
        [
            "service",
            "install",
            "--unit-dir",
            str(units),
            "--home",
            str(tmp_path / "prefect"),
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            "4311",
        ]
    )
    assert code == 0
    unit = (units / "gapwatch.service").read_text(encoding="utf-8")
    (exec_start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert exec_start.split("=", 1)[1].split()[1:4] == ["service", "run", "--home"]
    assert f"--project-dir {PROJECT}" in exec_start and "--port 4311" in exec_start
    assert "--schedule '0 3 * * *'" in exec_start
    assert f"Environment=GAPWATCH_DATA_DIR={tmp_path / 'data'}" in unit
    assert "Environment=GAPWATCH_SOURCES=epoch,weirdml" in unit
    assert "not-for-the-unit-file" not in unit
    assert "KillMode=mixed" in unit and "Restart=on-failure" in unit
    assert "systemctl daemon-reload" in capsys.readouterr().out


def test_service_run_outside_a_checkout_says_where_prefect_yaml_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["service", "run", "--home", str(tmp_path / "prefect")]) == 2
    assert "no prefect.yaml" in capsys.readouterr().err


def test_service_wait_names_what_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cli.main import main

    port = free_port()  # nothing listens there
    assert main(["service", "wait", "--port", str(port), "--timeout", "1"]) == 2
    assert "the server does not answer yet" in capsys.readouterr().err


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
