"""DuckDB's delta extension, an independent reader, sees every Delta table of a demo lake with
the row count `paylake tables` reports."""

import csv
import io
import os
import subprocess

import pytest

from conftest import duckdb_connection

PAYLAKE = os.environ["PAYLAKE_BIN"]


@pytest.fixture(scope="module")
def lake(demo_lake):
    return demo_lake


def paylake_counts(lake):
    out = subprocess.run(
        [PAYLAKE, "tables", "--lake", str(lake), "--format", "csv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {row["table"]: int(row["rows"]) for row in csv.DictReader(io.StringIO(out))}


def test_every_delta_table_has_the_same_row_count_in_duckdb(lake):
    counts = paylake_counts(lake)
    con = duckdb_connection()
    checked = 0
    for name, rows in counts.items():
        zone, table = name.split(".")
        path = lake / zone / table
        if not (path / "_delta_log").exists():
            assert rows == 0, f"{name} has rows but no Delta log"
            continue
        (duck_rows,) = con.execute(f"SELECT count(*) FROM delta_scan('{path}')").fetchone()
        assert duck_rows == rows, f"{name}: duckdb {duck_rows}, paylake {rows}"
        checked += 1
    assert checked >= 20, f"only {checked} tables were written"


def test_gold_amounts_are_decimals_in_duckdb(lake):
    con = duckdb_connection()
    path = lake / "gold" / "ctr_candidates"
    (type_name,) = con.execute(
        f"SELECT typeof(total_amount_usd) FROM delta_scan('{path}') LIMIT 1"
    ).fetchone()
    assert type_name == "DECIMAL(18,2)"
