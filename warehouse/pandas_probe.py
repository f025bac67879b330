"""Bound parameters without importing pandas: what keeps an unchanged night near its floor.

DuckDB's Python binding compares every bound parameter (a str, an int, a date...) with
pandas.NaT and pandas.NA before converting it, and imports pandas to do so: about 0.4 s of CPU
(pandas and numpy) on a night that otherwise reads a few rows. While pandas is not imported no
value can be one of those two, so the answer "pandas is not there" is exact. `WithoutPandas`
gives DuckDB that answer, and only DuckDB's probe: an `import pandas` written in Python (or
importlib.import_module) still imports it, after which DuckDB finds it loaded and uses it.

A night holds it from its start until it has work (pipeline.night.Run.prepare): the steps of an
unchanged night bind values and fetch rows, never a DataFrame. The read commands that bind
values hold it while they run (cli.main.BINDS_WITHOUT_PANDAS); what of them reads DataFrames
(report.facts) imports pandas itself first.
"""

from __future__ import annotations

import importlib
import sys
from opcode import opmap
from pathlib import Path
from types import FrameType, TracebackType

IMPORT_NAME = opmap["IMPORT_NAME"]
IMPORTLIB = str(Path(importlib.__file__).parent)
BOOTSTRAP = "<frozen importlib._bootstrap"  # also _bootstrap_external


class WithoutPandas:
    """A meta path finder that refuses `pandas` to imports made from native code (DuckDB's)."""

    def __enter__(self) -> WithoutPandas:
        if "pandas" not in sys.modules:
            sys.meta_path.insert(0, self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        """From here on DuckDB imports pandas when it wants it; safe to call again."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" and not _asked_for_in_python(sys._getframe(1)):
            raise ModuleNotFoundError(
                "pandas is not imported yet, so no bound value can be a pandas one "
                "(warehouse.pandas_probe)",
                name=name,
            )
        return None  # every other import, and pandas asked for in Python, go on as usual


def _asked_for_in_python(frame: FrameType | None) -> bool:
    """True when the import comes from an import statement or from importlib's functions.

    Past the import machinery's own frames (importlib._bootstrap), an import statement is a
    frame at IMPORT_NAME and importlib's functions (import_module, util.find_spec) are frames of
    importlib; native code calling PyImport_Import (DuckDB) leaves its caller at a call.
    """
    while frame is not None and frame.f_code.co_filename.startswith(BOOTSTRAP):
        frame = frame.f_back
    if frame is None:
        return True
    where = frame.f_code.co_filename
    if where.startswith(("<frozen importlib", IMPORTLIB)):
        return True
    return frame.f_code.co_code[frame.f_lasti] == IMPORT_NAME
