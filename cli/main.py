"""The gapwatch command line: thin commands over warehouse functions.

Top-level imports stay stdlib-only: `gapwatch sql` is the command people run most and must
not pay for Prefect or Great Expectations.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from cli.common import UsageError

# the exit status of a command whose reader went away (like a tool killed by SIGPIPE)
BROKEN_PIPE = 141


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" for a mistyped command or choice."""

    def error(self, message: str) -> NoReturn:
        hint = _did_you_mean(message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{hint}\n")


def _did_you_mean(message: str) -> str:
    """From argparse's "invalid choice: 'gap' (choose from 'gaps', ...)", the nearest choice."""
    if "invalid choice:" not in message or "(choose from" not in message:
        return ""
    import difflib

    given = message.split("invalid choice:", 1)[1].split("(choose from", 1)[0].strip(" '\"")
    choices = [c.strip(" '\",") for c in message.split("(choose from", 1)[1].rstrip(")").split(",")]
    close = difflib.get_close_matches(given, choices, n=1, cutoff=0.5)
    close = close or [c for c in choices if given and c.startswith(given)][:1]
    return f"\ndid you mean '{close[0]}'?" if close else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        result: int = _run(args)
        sys.stdout.flush()
        return result
    except UsageError as error:
        print(f"gapwatch: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt as stop:
        # cli.guard.Interrupted (SIGTERM or SIGINT during a refresh) carries its exit code
        code: int = getattr(stop, "exit_code", 130)
        print(
            f"gapwatch: interrupted ({stop or 'SIGINT'}); the warehouse is unchanged",
            file=sys.stderr,
        )
        return code
    except Exception as error:
        if not _is_user_error(error):
            raise
        print(f"gapwatch: {_one_line(error)}", file=sys.stderr)
        return 2


# read commands that bind values: DuckDB would import pandas (~0.4 s) to bind them, which
# warehouse/pandas_probe.py spares them (one that needs pandas imports it, and then has it)
BINDS_WITHOUT_PANDAS = frozenset(
    {"models", "status", "gaps", "crossings", "alerts", "changes", "nights"}
)


def _run(args: argparse.Namespace) -> int:
    result: int
    if args.command not in BINDS_WITHOUT_PANDAS:
        result = args.handler(args)
        return result
    from warehouse.pandas_probe import WithoutPandas

    with WithoutPandas():
        result = args.handler(args)
    return result


def _is_user_error(error: Exception) -> bool:
    """Errors a person causes and can fix: files, permissions, and the warehouse's answers.

    DuckDB's errors (a missing mart in an old warehouse, a locked or corrupt file) are told by
    their module, so this module does not import duckdb for the commands that never need it.
    """
    if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
        return True
    return type(error).__module__.split(".")[0] in ("duckdb", "_duckdb")


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 400 else text[:399] + "…"


def _silence_stdout() -> None:
    """The reader (head, less) left: point stdout at /dev/null so the exit flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by something without a descriptor
        pass
    finally:
        os.close(devnull)


def version() -> str:
    """The installed package's version (the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("gapwatch")
    except PackageNotFoundError:
        return "unknown (not installed)"


class _Version(argparse.Action):
    """--version, looked up only when asked (importlib.metadata costs every other command)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"gapwatch {version()}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="gapwatch",
        description="How far behind the closed LLM frontier are open-weight models? "
        "gapwatch keeps a DuckDB warehouse of public benchmark evidence and answers it.",
        epilog="Start with 'gapwatch demo' (offline, made-up sample), then 'gapwatch gaps'. "
        "Settings also come from GAPWATCH_DATA_DIR, GAPWATCH_DB, GAPWATCH_WAREHOUSE and "
        "GAPWATCH_<SOURCE>_LOCATION. Run 'gapwatch COMMAND --help' for examples.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    _add_common(parser, None)  # before the command too: gapwatch --data-dir X gaps
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=Parser, action=_LoadedOnUse
    )
    from cli.registry import COMMANDS

    assert isinstance(commands, _LoadedOnUse)
    for command in COMMANDS:
        # argparse expands %-formats in help texts: "90% band" must reach it as "90%% band"
        commands.add_command(command.name, command.summary.replace("%", "%%"))
    return parser


class _LoadedOnUse(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands made, and their module (options, handler, description) imported, once chosen.

    `gapwatch sql` then builds one subparser and loads cli.commands only, not the report's, the
    service's or the sources' modules; `gapwatch --help` lists the commands from cli.registry.
    """

    def add_command(self, name: str, summary: str) -> None:
        """A choice with its line in the help; its parser is made when it is chosen."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), summary))
        self._name_parser_map[name] = None  # a valid choice; see __call__

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        chosen = values[0] if isinstance(values, list) and values else None
        if isinstance(chosen, str) and self._name_parser_map.get(chosen, False) is None:
            del self._name_parser_map[chosen]  # add_parser refuses a name it holds
            sub = self.add_parser(chosen, formatter_class=argparse.RawDescriptionHelpFormatter)
            configure_command(sub, chosen)
        super().__call__(parser, namespace, values, option_string)


def configure_command(sub: argparse.ArgumentParser, name: str) -> None:
    """A command's description, options and handler, from its module."""
    from cli.registry import BY_NAME

    handler, configure = BY_NAME[name].load()
    sub.description = (handler.__doc__ or "").strip()
    # SUPPRESS: a value given before the command is not overwritten by the command's default
    _add_common(sub, argparse.SUPPRESS)
    configure(sub)
    sub.set_defaults(handler=handler, command=name)


def _add_common(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        help="warehouse file (default: <data dir>/gapwatch.duckdb)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="where raw payloads and the warehouse live (default: ./data)",
    )
    parser.add_argument(
        "--night",
        default=default,
        metavar="NIGHT",
        help="read a DuckLake warehouse as of a past night: its as-of date or its snapshot id "
        "(see 'gapwatch nights'; default: the newest night)",
    )


# gapwatch's arrays are small (hundreds of points, thousands of resamples): OpenBLAS's worker
# threads never pay for themselves here, yet starting them as numpy loads cost about 0.1 s of
# CPU per command (measured on a 2-core machine). Set before numpy loads; a user's setting wins.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}


def entry() -> int:
    """The console script: main(), with a reader that leaves early (| head) kept quiet."""
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)
    try:
        return main()
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(entry())
