"""The nightly Prefect flow on a DuckLake with a SQLite catalog, on the session's temporary
Prefect server: two nights of the made-up sample, each with its markdown artifact and report.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_BUNDLE
from tests.flows.nightly_env import clean_env

pytestmark = [pytest.mark.usefixtures("prefect_backend"), pytest.mark.long]


def test_nights_on_a_sqlite_catalog_ducklake_have_their_artifacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GAPWATCH_WAREHOUSE=ducklake:sqlite:...: the flow refreshes the lake (its SQLite catalog
    attached through the sqlite_scanner wheel, offline), each night gets its markdown artifact
    with the headline read from the lake, and every night stays readable by its date."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.nightly import ARTIFACT_KEY, nightly_refresh
    from pipeline.summary import headline_sentence
    from tests.faults.child import changed_bundle
    from warehouse.store import list_nights, reading
    from warehouse.where import Warehouse

    clean_env(monkeypatch)
    catalog = tmp_path / "lake" / "catalog.sqlite"
    files = tmp_path / "lake" / "files"
    monkeypatch.setenv("GAPWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAPWATCH_WAREHOUSE", f"ducklake:sqlite:{catalog}")
    monkeypatch.setenv("GAPWATCH_WAREHOUSE_DATA", str(files))
    lake = Warehouse(
        file=tmp_path / "unused.duckdb", catalog=f"ducklake:sqlite:{catalog}", data_path=str(files)
    )
    nights = [(date(2026, 4, 20), SAMPLE_BUNDLE), (date(2026, 4, 21), changed_bundle(tmp_path))]
    for night, bundle in nights:
        monkeypatch.setenv("GAPWATCH_EPOCH_LOCATION", str(bundle))
        assert nightly_refresh(as_of=night)["ok"] is True

    # the lake, not a DuckDB file: the catalog is SQLite, the marts are Parquet files
    assert catalog.read_bytes().startswith(b"SQLite format 3")
    assert list(files.rglob("*.parquet"))
    assert not (tmp_path / "data" / "gapwatch.duckdb").exists()
    assert [n.as_of for n in list_nights(lake)] == [night for night, _ in nights]
    gpqa = "select max(score) from marts.benchmark_scores where benchmark_id = 'gpqa_diamond'"
    with reading(lake, night="2026-04-20") as con:
        first = con.execute(gpqa).fetchall()[0][0]
    with reading(lake) as con:
        last = con.execute(gpqa).fetchall()[0][0]
        flow_runs = con.execute(
            "select prefect_flow_run_id from history.refresh_runs order by started_at"
        ).fetchall()
    assert first < last == pytest.approx(0.97)  # the second night's raised score, as of each

    ids = [uuid.UUID(str(run)) for (run,) in flow_runs]
    assert len(ids) == len(nights)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
        )
    by_run = {a.flow_run_id: str(a.data) for a in artifacts if a.key == ARTIFACT_KEY}
    assert sorted(by_run, key=ids.index) == ids  # one per night, none "not created"
    for (night, _), run in zip(nights, ids, strict=True):
        assert by_run[run].startswith(f"# gapwatch, the night of {night.isoformat()}")
        assert "| epoch | loaded |" in by_run[run]
    assert headline_sentence(lake) in by_run[ids[-1]]
