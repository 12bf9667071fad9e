"""The SQL under sql/ that runs outside paylake: every Athena file parses in sqlglot's

`athena` dialect and every Redshift file in its `redshift` dialect; the analysts' queries run
in `paylake sql` as an analyst and give the rows DuckDB gives for them; and the Redshift load means what it should, run on DuckDB
(transpiled by sqlglot, the COPY read from the manifest's live files): after loading every
date, twice, the warehouse table equals the Delta table, and a date rebuilt with fewer rows
loses the rows it no longer has."""

import csv
import decimal
import io
import pathlib
import subprocess

import pytest
import sqlglot
from deltalake import DeltaTable

from conftest import PAYLAKE, duckdb_connection

SQL = pathlib.Path(__file__).resolve().parents[2] / "sql"


def files(*folders):
    return sorted(path for folder in folders for path in (SQL / folder).rglob("*.sql"))


@pytest.mark.parametrize("path", files("athena", "queries"), ids=lambda p: p.name)
def test_athena_files_parse(path):
    trees = [tree for tree in sqlglot.parse(path.read_text(), read="athena") if tree]
    assert trees, f"{path} holds no statement"
    assert not any(isinstance(tree, sqlglot.exp.Command) for tree in trees), path


@pytest.mark.parametrize("path", files("redshift"), ids=lambda p: p.name)
def test_redshift_files_parse(path):
    trees = [tree for tree in sqlglot.parse(path.read_text(), read="redshift") if tree]
    assert trees, f"{path} holds no statement"
    assert not any(isinstance(tree, sqlglot.exp.Command) for tree in trees), path
    if "/load/" in str(path):
        kinds = [type(tree).__name__ for tree in trees]
        assert kinds == ["Create", "Copy", "Create", "Merge", "Delete"], kinds


def comparable(value):
    """A result value as both engines' rows are compared: numbers as decimals to six places
    (a division's scale differs between engines), NULL as the empty text CSV gives it."""
    if value is None or value == "":
        return ""
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return str(value)
    return str(number.quantize(decimal.Decimal("0.000001")))


@pytest.mark.parametrize("path", files("queries"), ids=lambda p: p.name)
def test_analyst_queries_give_the_same_rows_in_paylake_and_duckdb(demo_lake, path):
    out = subprocess.run(
        [PAYLAKE, "sql", "--lake", str(demo_lake), "--role", "analyst", "--format", "csv",
         "--file", str(path)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    header, *rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows, f"{path.name} returned no rows on the demo lake"
    # The same query, written for Athena, on DuckDB over the same Delta tables.
    con = duckdb_connection()
    for zone in ("gold", "silver"):
        con.execute(f"CREATE SCHEMA {zone}")
        for table in sorted((demo_lake / zone).iterdir()):
            if (table / "_delta_log").exists():
                con.execute(f"CREATE VIEW {zone}.{table.name} AS SELECT * FROM delta_scan('{table}')")
    (query,) = sqlglot.transpile(path.read_text(), read="athena", write="duckdb")
    in_duckdb = con.execute(query).fetchall()
    ours = sorted(tuple(comparable(value) for value in row) for row in rows)
    theirs = sorted(tuple(comparable(value) for value in row) for row in in_duckdb)
    assert ours == theirs, f"{path.name}: paylake {ours[:5]} ..., DuckDB {theirs[:5]} ..."


def live_files(delta, business_date):
    """The files of a date the Delta log holds live, as the manifest lists them."""
    return delta.file_uris(partition_filters=[("business_date", "=", business_date)])


class DuckWarehouse:
    """DuckDB standing in for Redshift: the DDL and load SQL transpiled, COPY read from files."""

    def __init__(self):
        self.con = duckdb_connection()
        self.con.execute("CREATE SCHEMA gold")

    def run(self, sql, live_files=None, **values):
        for name, value in values.items():
            sql = sql.replace("${%s}" % name, value)
        for tree in sqlglot.parse(sql, read="redshift"):
            if tree is None:
                continue
            if isinstance(tree, sqlglot.exp.Copy):
                target = tree.this.sql()
                columns = [row[0] for row in self.con.execute(f"DESCRIBE {target}").fetchall()]
                self.con.execute(
                    f"INSERT INTO {target} SELECT {', '.join(columns)} FROM read_parquet(?)",
                    [live_files],
                )
                continue
            # SUPER holds the lists; DuckDB's JSON is the nearest type.
            self.con.execute(tree.sql(dialect="duckdb").replace("SUPER", "JSON"))

    def load(self, table, business_date, live_files):
        self.run(
            (SQL / "redshift" / "load" / f"gold.{table}.sql").read_text(),
            live_files=live_files,
            business_date=business_date,
            manifest="s3://unused",
            iam_role="arn:unused",
        )
        self.con.execute(f"DROP TABLE stage_files_{table}")
        self.con.execute(f"DROP TABLE stage_{table}")


@pytest.mark.parametrize("table", ["ctr_candidates", "aml_alerts", "recon_breaks", "cost_daily"])
def test_redshift_load_makes_the_warehouse_equal_the_lake(demo_lake, table, tmp_path):
    warehouse = DuckWarehouse()
    warehouse.run((SQL / "redshift" / "tables" / f"gold.{table}.sql").read_text())
    path = demo_lake / "gold" / table
    delta = DeltaTable(str(path))
    dates = sorted({partition["business_date"] for partition in delta.partitions()})
    assert dates, f"gold.{table} has no dates"
    for _ in range(2):  # a second load of the same files changes nothing
        for date in dates:
            files = live_files(delta, date)
            warehouse.load(table, date, files)
    scalar = [
        name
        for name, kind, *_ in warehouse.con.execute(f"DESCRIBE gold.{table}").fetchall()
        if kind != "JSON"
    ]
    columns = ", ".join(scalar)
    lake = f"SELECT {columns} FROM delta_scan('{path}')"
    loaded = f"SELECT {columns} FROM gold.{table}"
    for left, right in ((lake, loaded), (loaded, lake)):
        (differing,) = warehouse.con.execute(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchone()
        assert differing == 0, f"gold.{table}: {differing} rows differ"

    # The last date rebuilt with other rows (the first date's files, or the first half of its
    # own rows, none of one, when the table holds one date): the rows it no longer has leave the
    # warehouse, the new ones arrive, the other dates stay as they were.
    first, last = dates[0], dates[-1]
    if first != last:
        other_files = live_files(delta, first)
    else:
        fewer = (tmp_path / "fewer.parquet").as_posix()
        last_files = live_files(delta, last)
        (rows,) = warehouse.con.execute("SELECT count(*) FROM read_parquet(?)", [last_files]).fetchone()
        assert rows >= 1, f"gold.{table} of {last} is empty"
        warehouse.con.execute(
            f"COPY (SELECT * FROM read_parquet(?) LIMIT {rows // 2}) TO '{fewer}' (FORMAT parquet)",
            [last_files],
        )
        other_files = [fewer]
    before = warehouse.con.execute(f"SELECT count(*) FROM gold.{table}").fetchone()[0]
    on_last = warehouse.con.execute(
        f"SELECT count(*) FROM gold.{table} WHERE business_date = CAST(? AS DATE)", [last]
    ).fetchone()[0]
    warehouse.load(table, last, other_files)
    expected = warehouse.con.execute("SELECT count(*) FROM read_parquet(?)", [other_files]).fetchone()[0]
    (count,) = warehouse.con.execute(
        f"SELECT count(*) FROM gold.{table} WHERE business_date = CAST(? AS DATE)", [last]
    ).fetchone()
    assert count == expected
    after = warehouse.con.execute(f"SELECT count(*) FROM gold.{table}").fetchone()[0]
    assert after == before - on_last + expected
