"""The peer of `paylake bench aml`: the AML suite as DuckDB SQL over the same Parquet files.

paylake hands over the SQL of each relational rule as it runs it, parameters filled in; this
script builds `aml_movements` in DuckDB's dialect, runs every rule file, searches cycles with a
recursive CTE, and writes the alerts per rule as JSON.
"""

import argparse
import json
import pathlib

import duckdb

MOVEMENTS = """
CREATE TABLE aml_movements AS
WITH dated AS (
    SELECT t.*, CAST(timezone('UTC', t.created_at) AS DATE) AS business_date
    FROM silver.transactions AS t
    WHERE t.status = 'posted'
),
numbered AS (
    SELECT d.*, CAST(date_diff('day', DATE '1970-01-01', d.business_date) AS BIGINT) AS day_number
    FROM dated AS d
)
SELECT
    n.transaction_id, n.account_id, n.customer_id, n.transaction_type,
    CASE WHEN n.transaction_type IN ('cash_deposit', 'transfer_in') THEN 'in' ELSE 'out' END AS direction,
    n.counterparty_account_id, n.amount,
    CASE WHEN n.currency = 'USD' THEN CAST(n.amount AS DECIMAL(18, 2))
         ELSE CAST(n.amount * r.usd_rate AS DECIMAL(18, 2)) END AS amount_usd,
    n.created_at, n.business_date, n.day_number
FROM numbered AS n
LEFT JOIN silver.fx_rates AS r ON r.rate_date = n.business_date AND r.currency = n.currency
WHERE n.day_number > {from_day} - {lookback_days} AND n.day_number <= {to_day}
"""

CYCLES = """
WITH RECURSIVE edges AS (
    SELECT transaction_id, account_id AS from_account, counterparty_account_id AS to_account,
           amount_usd, created_at, day_number
    FROM aml_movements
    WHERE transaction_type = 'transfer_out' AND counterparty_account_id IS NOT NULL
      AND amount_usd >= {min_amount_usd}
      AND day_number > {from_day} - {window_days} AND day_number <= {to_day}
),
paths AS (
    SELECT from_account AS origin, to_account AS current_account, [from_account] AS visited,
           amount_usd AS last_amount, created_at AS first_at, created_at AS last_at,
           1 AS hops, day_number AS last_day
    FROM edges
    UNION ALL
    SELECT p.origin, e.to_account, list_append(p.visited, e.from_account), e.amount_usd,
           p.first_at, e.created_at, p.hops + 1, e.day_number
    FROM paths AS p
    JOIN edges AS e
      ON e.from_account = p.current_account
     AND e.created_at > p.last_at
     AND e.created_at <= p.first_at + INTERVAL '{window_days} days'
     AND e.amount_usd >= {min_retained_ratio} * p.last_amount
     AND e.amount_usd <= p.last_amount
    WHERE p.current_account <> p.origin
      AND p.hops < {max_hops}
      AND (e.to_account = p.origin OR NOT list_contains(p.visited, e.to_account))
)
SELECT COUNT(*) FROM paths
WHERE current_account = origin AND hops >= {min_hops} AND last_day BETWEEN {from_day} AND {to_day}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--sql", required=True, type=pathlib.Path)
    parser.add_argument("--parameters", required=True, type=pathlib.Path)
    parser.add_argument("--output", required=True, type=pathlib.Path)
    arguments = parser.parse_args()
    parameters = json.loads(arguments.parameters.read_text())

    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA silver")
    for table in ["transactions", "customers", "accounts", "fx_rates"]:
        files = (arguments.data / table / "*.parquet").as_posix()
        connection.execute(f"CREATE VIEW silver.{table} AS SELECT * FROM read_parquet('{files}')")
    connection.execute(MOVEMENTS.format(**parameters))
    movements = connection.execute("SELECT COUNT(*) FROM aml_movements").fetchone()[0]

    alerts = {}
    for rule_file in sorted(arguments.sql.glob("*.sql")):
        alerts[rule_file.stem] = connection.execute(
            f"SELECT COUNT(*) FROM ({rule_file.read_text()})"
        ).fetchone()[0]
    cycle = parameters.get("cycle")
    if cycle is not None and cycle.get("enabled", True):
        values = {**cycle, **parameters}
        alerts["cycle"] = connection.execute(CYCLES.format(**values)).fetchone()[0]
    arguments.output.write_text(json.dumps({"movements": movements, "alerts": alerts}))


if __name__ == "__main__":
    main()
