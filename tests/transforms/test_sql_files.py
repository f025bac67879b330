"""The SQL models stay in step with the code that names them."""

from __future__ import annotations

from extractors import OBSERVATION_SOURCES
from transforms.runner import HERE, LAYERS, default_python_models, model_sql


def test_the_staging_union_reads_every_observation_source() -> None:
    sql = model_sql("staging", "stg_sources__observations")
    for source in OBSERVATION_SOURCES:
        assert f"select '{source}' as source, * from raw.{source}__observations" in sql


def test_every_listed_model_has_its_sql_file_or_python_model() -> None:
    python = set(default_python_models())
    for layer, names in LAYERS.items():
        for name in names:
            schema, _, stem = name.rpartition(".")
            folder = schema or layer
            assert stem in python or (HERE / folder / f"{stem}.sql").is_file(), name


def test_sql_files_hold_one_select_and_no_templating() -> None:
    for path in HERE.glob("*/*.sql"):
        text = path.read_text(encoding="utf-8")
        assert "{" not in text and "}" not in text, path.name
        lowered = text.lower()
        assert "create " not in lowered and "insert " not in lowered, path.name
