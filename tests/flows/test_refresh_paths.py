"""Which way `gapwatch refresh` runs: Prefect only where a Prefect server is configured.

Without PREFECT_API_URL a one-off refresh runs the pipeline's steps directly (no temporary
Prefect server to start) and says so in one line; the night is recorded with no flow run.
The Prefect path, with PREFECT_API_URL set, is tested against a real server in
test_nightly_failures.py and test_every_source.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import SAMPLE_BUNDLE

PROJECT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "prefect": sorted(m for m in sys.modules if m == "prefect")}))
"""


def test_without_a_server_the_steps_run_directly_and_say_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # whatever ran would show up here
    data_dir = tmp_path / "data"
    argv = ["refresh", "--data-dir", str(data_dir), "--source", f"epoch={SAMPLE_BUNDLE}"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv, "--as-of", "2026-04-20"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "Prefect" in line]
    assert said == [
        "gapwatch: no Prefect server configured (PREFECT_API_URL unset): "
        "running the steps directly, without Prefect"
    ]
    assert answer["prefect"] == []  # Prefect was never imported, so no server started
    assert not (tmp_path / "prefect-home").exists()
    with duckdb.connect(str(data_dir / "gapwatch.duckdb"), read_only=True) as con:
        runs = con.execute(
            "select status, prefect_flow_run_id from history.refresh_runs"
        ).fetchall()
    assert runs == [("succeeded", None)]
