"""The gapwatch command line: thin commands over warehouse functions.

Top-level imports stay stdlib-only: `gapwatch sql` is the command people run most and must
not pay for Prefect or Great Expectations.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cli.common import UsageError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.handler(args)
        return result
    except UsageError as error:
        print(f"gapwatch: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        # cli.guard.Interrupted (SIGTERM or SIGINT during a refresh) carries its exit code
        code: int = getattr(stop, "exit_code", 130)
        print(
            f"gapwatch: interrupted ({stop or 'SIGINT'}); the warehouse is unchanged",
            file=sys.stderr,
        )
        return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gapwatch",
        description="How far behind the closed LLM frontier are open-weight models? "
        "gapwatch keeps a DuckDB warehouse of public benchmark evidence and answers it.",
        epilog="Settings also come from GAPWATCH_DATA_DIR, GAPWATCH_DB and "
        "GAPWATCH_<SOURCE>_LOCATION. Run 'gapwatch COMMAND --help' for examples.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    from cli import commands as handlers

    for name, handler, configure in handlers.COMMANDS:
        doc = (handler.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else name
        sub = commands.add_parser(
            name,
            help=summary,
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_common(sub)
        configure(sub)
        sub.set_defaults(handler=handler, command=name)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help="warehouse file (default: <data dir>/gapwatch.duckdb)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where raw payloads and the warehouse live (default: ./data)"
    )


if __name__ == "__main__":
    sys.exit(main())
