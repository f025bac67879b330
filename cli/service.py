"""`gapwatch service`: the nightly service in one command, and its systemd unit."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from cli.common import UsageError

UNIT_NAME = "gapwatch.service"
# secrets stay out of a world-readable unit file; the other two are the command's own flags
NOT_IN_UNIT = frozenset(
    {"GAPWATCH_AA_API_KEY", "GAPWATCH_WEBHOOK_URL", "GAPWATCH_SCHEDULE", "GAPWATCH_PROJECT_DIR"}
)


def service(args: argparse.Namespace) -> int:
    """Run the nightly service (`run`), write its systemd unit (`install`), wait for it, trigger it.

    `run` starts a Prefect server on loopback, waits until its health endpoint answers,
    creates the work pool, deploys prefect.yaml (the 03:00 UTC nightly, or --schedule) and
    starts a worker; it stays in the foreground until SIGTERM or Ctrl-C, then stops the worker
    cleanly and the server. The worker's environment is this command's: set GAPWATCH_DATA_DIR
    and any other GAPWATCH_* before it. `install` writes a systemd unit that runs exactly that.
    `wait` returns once the deployment exists and a worker polls; `trigger` starts a nightly
    run now and waits for its end (exit 0 when it completed).

    Example:
        GAPWATCH_DATA_DIR=/srv/gapwatch/data gapwatch service run --home /srv/gapwatch/prefect
        gapwatch service install --home /srv/gapwatch/prefect --data-dir /srv/gapwatch/data
        systemctl daemon-reload && systemctl enable --now gapwatch
        gapwatch service wait && gapwatch service trigger
    """
    from flows.service import Service, ServiceError, Supervisor, trigger, wait_ready

    api_url = f"http://{args.host}:{args.port}/api"
    try:
        if args.action == "wait":
            wait_ready(api_url, args.timeout)
            print(f"service: ready at {api_url}")
            return 0
        if args.action == "trigger":
            run = trigger(api_url, args.timeout)
            state = run.get("state") or {}
            state = state.get("type") if isinstance(state, dict) else None
            print(f"service: flow run {run['name']} ({run['id']}): {state}")
            return 0 if state == "COMPLETED" else 1
    except ServiceError as error:
        raise UsageError(str(error)) from error
    home = (args.home or Path(os.environ.get("PREFECT_HOME") or "prefect-home")).resolve()
    project = Path(args.project_dir or Path.cwd()).resolve()
    if not (project / "prefect.yaml").is_file():
        raise UsageError(
            f"no prefect.yaml in {project}: run from the gapwatch checkout or pass --project-dir"
        )
    environ = dict(os.environ)
    if args.data_dir is not None:
        environ["GAPWATCH_DATA_DIR"] = str(args.data_dir.resolve())
    if args.db is not None:
        environ["GAPWATCH_DB"] = str(args.db.resolve())
    config = Service(
        home=home,
        project_dir=project,
        host=args.host,
        port=args.port,
        schedule=args.schedule or environ.get("GAPWATCH_SCHEDULE") or "0 3 * * *",
        environ=environ,
        logs=args.logs.resolve() if args.logs else None,
    )
    if args.action == "install":
        return install(config, args.unit_dir)
    _log_to_stderr()
    return Supervisor(config).run()


def install(config: object, unit_dir: Path) -> int:
    """Write the systemd unit for `gapwatch service run` with these settings."""
    from flows.service import Service

    assert isinstance(config, Service)
    unit = unit_text(config)
    unit_dir.mkdir(parents=True, exist_ok=True)
    path = unit_dir / UNIT_NAME
    path.write_text(unit, encoding="utf-8")
    print(f"wrote {path}")
    print("then: systemctl daemon-reload && systemctl enable --now gapwatch")
    return 0


def unit_text(config: object) -> str:
    from flows.service import Service

    assert isinstance(config, Service)
    command = [
        str(Path(sys.executable).parent / "gapwatch"),  # this installation's console script
        "service",
        "run",
        "--home",
        str(config.home),
        "--project-dir",
        str(config.project_dir),
        "--host",
        config.host,
        "--port",
        str(config.port),
        "--schedule",
        config.schedule,
    ]
    settings = {
        k: v
        for k, v in sorted(config.environ.items())
        if k.startswith("GAPWATCH_") and k not in NOT_IN_UNIT
    }
    lines = [
        "[Unit]",
        "Description=gapwatch nightly service (Prefect server, work pool, deployment, worker)",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        f"WorkingDirectory={config.project_dir}",
        *(f"Environment={shlex.quote(f'{k}={v}')}" for k, v in settings.items()),
        "# secrets (GAPWATCH_AA_API_KEY, GAPWATCH_WEBHOOK_URL) belong in an EnvironmentFile",
        "# readable by root only, or in Prefect Secret blocks (see the README)",
        "EnvironmentFile=-/etc/gapwatch/secrets.env",
        f"ExecStart={shlex.join(command)}",
        "# SIGTERM to the supervisor only: it stops the worker (SIGINT) and then the server",
        "KillMode=mixed",
        "TimeoutStopSec=90",
        "Restart=on-failure",
        "RestartSec=30",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ]
    return "\n".join(lines)


def _log_to_stderr() -> None:
    import logging

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr, force=True
    )


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["run", "install", "wait", "trigger"],
        help="run it; write its systemd unit; wait until it is up; start a nightly run now",
    )
    parser.add_argument(
        "--home", type=Path, help="PREFECT_HOME of the service (default: $PREFECT_HOME)"
    )
    parser.add_argument(
        "--project-dir", type=Path, help="the checkout with prefect.yaml (default: .)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="the API's address (default: loopback)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("GAPWATCH_SERVICE_PORT") or 4200),
        help="the API's port (default: $GAPWATCH_SERVICE_PORT, else 4200)",
    )
    parser.add_argument(
        "--schedule",
        help="cron of the nightly run, UTC (default: $GAPWATCH_SCHEDULE, else '0 3 * * *')",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="wait/trigger: seconds to wait for the service or the run (default: 600)",
    )
    parser.add_argument("--logs", type=Path, help="write server.log and worker.log here")
    parser.add_argument(
        "--unit-dir",
        type=Path,
        default=Path("/etc/systemd/system"),
        help="install: where the unit goes (default: /etc/systemd/system)",
    )
