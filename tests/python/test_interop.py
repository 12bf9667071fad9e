"""Every Delta table of a demo lake reads the same in three engines: paylake (DataFusion),
DuckDB's delta extension and polars (`pl.read_delta`, through delta-rs' Python binding). Each
compares the row count and a checksum: the count of NULLs of every column, the exact sum of
every decimal and integer column, the total length of every text column and the count of true
values of every boolean column. (A sum over NULLs is NULL in SQL and 0 in polars, and paylake's
JSON leaves a NULL out: the sums read a missing value as 0, and the NULL counts tell a NULL
from a 0.)"""

import decimal
import json
import os
import subprocess

import polars as pl

from conftest import PAYLAKE, duckdb_connection

NUMERIC = ("DECIMAL", "BIGINT", "INTEGER")


def checksum_expressions(columns):
    """(metric name, SQL expression) per column, from DuckDB's column types."""
    metrics = [("rows", "count(*)")]
    for name, kind in columns:
        metrics.append((f"nulls({name})", f"count(*) - count({name})"))
        if kind.startswith(NUMERIC):
            metrics.append((f"sum({name})", f"sum({name})"))
        elif kind == "VARCHAR":
            metrics.append((f"len({name})", f"sum(character_length({name}))"))
        elif kind == "BOOLEAN":
            metrics.append((f"true({name})", f"sum(CASE WHEN {name} THEN 1 ELSE 0 END)"))
    return metrics


def polars_checksum(frame, columns):
    values = {"rows": frame.height}
    for name, kind in columns:
        series = frame[name]
        values[f"nulls({name})"] = series.null_count()
        if kind.startswith(NUMERIC):
            values[f"sum({name})"] = series.sum()
        elif kind == "VARCHAR":
            values[f"len({name})"] = series.str.len_chars().sum()
        elif kind == "BOOLEAN":
            values[f"true({name})"] = series.sum()
    return values


def normal(value):
    if value is None:
        return decimal.Decimal(0)
    return decimal.Decimal(str(value)).normalize()


def delta_tables(lake):
    for zone in sorted(os.listdir(lake)):
        folder = lake / zone
        if zone in ("landing", "reports", "exports") or not folder.is_dir():
            continue
        for table in sorted(os.listdir(folder)):
            if (folder / table / "_delta_log").exists():
                yield zone, table


def test_paylake_duckdb_and_polars_agree_on_every_table(demo_lake):
    con = duckdb_connection()
    compared = 0
    for zone, table in delta_tables(demo_lake):
        path = demo_lake / zone / table
        columns = [
            (name, kind)
            for name, kind, *_ in con.execute(
                f"DESCRIBE SELECT * FROM delta_scan('{path}')"
            ).fetchall()
        ]
        metrics = checksum_expressions(columns)
        select = ", ".join(f'{expr} AS "{metric}"' for metric, expr in metrics)
        in_duckdb = dict(
            zip(
                [metric for metric, _ in metrics],
                con.execute(f"SELECT {select} FROM delta_scan('{path}')").fetchone(),
            )
        )
        in_polars = polars_checksum(pl.read_delta(str(path)), columns)
        # paylake last: it reads before it audits its own query (system.query_audit).
        out = subprocess.run(
            [PAYLAKE, "sql", "--lake", str(demo_lake), "--format", "json",
             f"SELECT {select} FROM {zone}.{table}"],
            check=True, capture_output=True, text=True,
        ).stdout
        in_paylake = json.loads(out, parse_float=decimal.Decimal)[0]
        for metric, _ in metrics:
            ours, duck, polar = (normal(v.get(metric)) for v in (in_paylake, in_duckdb, in_polars))
            assert ours == duck == polar, (
                f"{zone}.{table} {metric}: paylake {ours}, duckdb {duck}, polars {polar}"
            )
        compared += 1
    assert compared >= 25, f"only {compared} tables compared"
