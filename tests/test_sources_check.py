"""`gapwatch sources check`: fetches or reads a location and says whether it is understood.

The drifted bundle is the shared new-layout bundle copied to tmp_path with an invented column
added to its registry here; nothing is landed and no warehouse is created.
"""

from __future__ import annotations

import http.server
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import directory_handler
from tests.warehouse.bundles import copy_bundle, read_csv, write_csv

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]


def new_layout(shared: Path) -> Path:
    return shared / "epoch" / "2026-09-new-layout" / "benchmark_data"


def test_new_layout_is_understood_without_loading(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = new_layout(shared_data)
    code = main(
        ["sources", "check", "epoch", "--source", f"epoch={location}", "--data-dir", str(tmp_path)]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "== epoch: understood" in out and "layout: model_metadata" in out
    _, rows = read_csv(location / "weirdml_v3_external.csv")
    assert f"weirdml_v3_external.csv: {len(rows)} rows, unit fraction, headline 'Score'" in out
    assert "Limited access" in out
    assert list(tmp_path.iterdir()) == []  # nothing landed, no warehouse


def test_drifted_bundle_over_http_is_reported(
    shared_data: Path,
    tmp_path: Path,
    loopback_server: Starter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = copy_bundle(new_layout(shared_data), tmp_path / "served" / "benchmark_data")
    columns, rows = read_csv(bundle / "model_metadata.csv")
    write_csv(bundle / "model_metadata.csv", [*columns, "license_family"], rows)
    shutil.make_archive(str(tmp_path / "served" / "benchmark_data"), "zip", bundle)
    base = loopback_server(directory_handler(tmp_path / "served"))

    code = main(
        [
            "sources",
            "check",
            "epoch",
            "--source",
            f"epoch={base}/benchmark_data.zip",
            "--data-dir",
            str(tmp_path / "data"),
        ]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert "== epoch: not understood" in out
    assert "FORMAT CHANGE model_metadata.csv: has unknown column(s) ['license_family']" in out
    assert not (tmp_path / "data").exists()


def test_unreachable_location_says_so(
    tmp_path: Path, loopback_server: Starter, capsys: pytest.CaptureFixture[str]
) -> None:
    base = loopback_server(directory_handler(tmp_path))  # serves an empty folder: 404
    code = main(["sources", "check", "epoch", "--source", f"epoch={base}/benchmark_data.zip"])
    out = capsys.readouterr().out
    assert code == 1 and "== epoch: unreachable" in out and "HTTP 404" in out
