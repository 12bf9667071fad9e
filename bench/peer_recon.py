"""The peer of `paylake bench recon`: the staged three-way match as DuckDB SQL over the same
Parquet files.

paylake hands over the SQL of each input and stage as it runs it, parameters filled in, each
file named for what paylake makes of it: a view (an input read in place) or a table (held).
This script expands the inputs' day functions in DuckDB's dialect, builds each the same way,
runs the stages into one table of outcomes (the day's matches and everything unmatched), and
writes every outcome row to `outcomes.parquet` in the output folder and the time of each step
to `steps.json`.

    python bench/peer_recon.py --data DATA --sql SQL --output DIR
"""

import argparse
import json
import pathlib
import re
import time

import duckdb

TABLES = ["payments", "settlement_lines", "bank_statement_entries", "fx_rates"]


def expand_day_functions(sql: str) -> str:
    sql = re.sub(
        r"local_day\(([A-Za-z_][A-Za-z0-9_.]*)\)",
        r"CAST(date_diff('day', DATE '1970-01-01', CAST(timezone('UTC', \1) AS DATE)) AS BIGINT)",
        sql,
    )
    sql = re.sub(
        r"date_day\(([A-Za-z_][A-Za-z0-9_.]*)\)",
        r"CAST(date_diff('day', DATE '1970-01-01', \1) AS BIGINT)",
        sql,
    )
    return re.sub(r"utc_instant\('([^']*)'\)", r"CAST('\1' AS TIMESTAMPTZ)", sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--sql", required=True, type=pathlib.Path)
    parser.add_argument("--output", required=True, type=pathlib.Path)
    arguments = parser.parse_args()

    arguments.output.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA silver")
    for table in TABLES:
        files = (arguments.data / table / "*.parquet").as_posix()
        connection.execute(f"CREATE VIEW silver.{table} AS SELECT * FROM read_parquet('{files}')")
    # Inputs and pairing tables first, in their order, then the outcomes of the stages.
    steps = []
    for path in sorted(arguments.sql.glob("*.sql")):
        started = time.perf_counter()
        _, kind, name = path.stem.split("-", 2)
        sql = expand_day_functions(path.read_text())
        connection.execute(f"CREATE {kind.upper()} {name} AS {sql}")
        steps.append([name, time.perf_counter() - started])
    started = time.perf_counter()
    outcomes = (arguments.output / "outcomes.parquet").as_posix()
    connection.execute(f"COPY recon_outcomes TO '{outcomes}' (FORMAT parquet)")
    steps.append(["write outcomes", time.perf_counter() - started])
    (arguments.output / "steps.json").write_text(json.dumps({"steps": steps}))

if __name__ == "__main__":
    main()
