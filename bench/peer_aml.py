"""The peer of `paylake bench aml`: the AML suite on DuckDB over the same Parquet files.

paylake hands over the SQL it runs, parameters filled in: `movements.sql` (the statement of
`aml_movements`), `customer_days.sql` (held beside it) and one file per relational rule. This script runs them on DuckDB, with three
shims for DataFusion's dialect in the movements statement (`arrow_cast` and `to_local_time`
read as the value itself, a date's day number by `date_diff`), searches cycles with a
recursive CTE, and writes every alert, as paylake does, to `alerts.parquet` in the output
folder: its id, rule, date, subject, score, amount, evidence, accounts and reason. The time of
each step goes to `steps.json`.

    python bench/peer_aml.py --data DATA --sql SQL --parameters PARAMETERS.json --output DIR
"""

import argparse
import json
import pathlib
import re
import time

import duckdb

SHIMS = """
CREATE MACRO arrow_cast(value, type_name) AS value;
CREATE MACRO to_local_time(value) AS value;
"""

# Cycles of transfers back to their origin, as paylake's graph search finds them: each hop
# after the last, within the window of the first, keeping between the retained ratio and all of
# the amount, never through an account twice; the alert on the day of the last hop.
CYCLES = """
WITH RECURSIVE edges AS (
    SELECT transaction_id, account_id AS from_account, counterparty_account_id AS to_account,
           customer_id, amount_usd, created_at, day_number
    FROM aml_movements
    WHERE transaction_type = 'transfer_out' AND counterparty_account_id IS NOT NULL
      AND amount_usd >= {min_amount_usd}
      AND day_number > {from_day} - {window_days} AND day_number <= {to_day}
),
paths AS (
    SELECT from_account AS origin, customer_id AS origin_customer, to_account AS current_account,
           [from_account] AS visited, [transaction_id] AS transaction_ids,
           amount_usd AS first_amount, amount_usd AS last_amount,
           created_at AS first_at, created_at AS last_at, 1 AS hops, day_number AS last_day
    FROM edges
    UNION ALL
    SELECT p.origin, p.origin_customer, e.to_account, list_append(p.visited, e.from_account),
           list_append(p.transaction_ids, e.transaction_id), p.first_amount, e.amount_usd,
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
SELECT
    origin_customer AS customer_id,
    origin AS account_id,
    CAST(DATE '1970-01-01' + CAST(last_day AS INTEGER) AS DATE) AS business_date,
    CAST(LEAST(100, {score} + 5 * (hops - 2)) AS BIGINT) AS score,
    CAST(first_amount AS DECIMAL(18, 2)) AS amount_usd,
    transaction_ids,
    visited AS account_ids,
    concat('USD ', CAST(CAST(first_amount AS DECIMAL(18, 2)) AS VARCHAR),
           ' returned to its origin through ', CAST(hops AS VARCHAR), ' hops (',
           array_to_string(visited, ' -> '), ') within ',
           CAST(CAST(floor(epoch_us(last_at - first_at) / 3600000000) AS BIGINT) AS VARCHAR),
           ' hours, USD ', CAST(CAST(last_amount AS DECIMAL(18, 2)) AS VARCHAR),
           ' arriving back') AS reason
FROM paths
WHERE current_account = origin AND hops >= {min_hops} AND last_day BETWEEN {from_day} AND {to_day}
"""

# Every rule's rows as paylake keeps them: a score between 0 and 100, the evidence accounts
# with the subject first and the others sorted, and the id paylake derives from the rule, the
# date, the subject and the set of evidence (the first ten bytes of a SHA-256 of the parts,
# each ended by a NUL).
ALERTS = """
SELECT
    'AL-' || strftime(business_date, '%Y%m%d') || '-' || substr(sha256(
        rule_id || chr(0) || CAST(business_date AS VARCHAR) || chr(0)
        || COALESCE(account_id, '') || chr(0) || COALESCE(customer_id, '') || chr(0)
        || array_to_string(list_transform(list_sort(list_distinct(transaction_ids)),
                                          id -> id || chr(0)), '')
    ), 1, 20) AS alert_id,
    rule_id, business_date, customer_id, account_id, score, amount_usd,
    transaction_ids,
    CASE WHEN account_id IS NULL THEN list_sort(list_distinct(account_ids))
         ELSE list_prepend(account_id, list_sort(list_distinct(
             list_filter(account_ids, other -> other <> account_id))))
    END AS account_ids,
    reason
FROM (
    SELECT rule_id, CAST(customer_id AS VARCHAR) AS customer_id,
           CAST(account_id AS VARCHAR) AS account_id, CAST(business_date AS DATE) AS business_date,
           LEAST(100, GREATEST(0, COALESCE(CAST(score AS BIGINT), 0))) AS score,
           CAST(amount_usd AS DECIMAL(18, 2)) AS amount_usd,
           list_filter(CAST(transaction_ids AS VARCHAR[]), id -> id IS NOT NULL) AS transaction_ids,
           CAST(account_ids AS VARCHAR[]) AS account_ids, reason
    FROM rule_alerts
    WHERE business_date IS NOT NULL
)
"""


def day_numbers_in_duckdb(sql: str) -> str:
    """DataFusion reads a date's day number as CAST(date AS INT); DuckDB has no such cast."""
    return re.sub(
        r"CAST\(CAST\(([A-Za-z_][A-Za-z0-9_.]*) AS INT\) AS BIGINT\)",
        r"CAST(date_diff('day', DATE '1970-01-01', \1) AS BIGINT)",
        sql,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--sql", required=True, type=pathlib.Path)
    parser.add_argument("--parameters", required=True, type=pathlib.Path)
    parser.add_argument("--output", required=True, type=pathlib.Path)
    arguments = parser.parse_args()
    parameters = json.loads(arguments.parameters.read_text())
    arguments.output.mkdir(parents=True, exist_ok=True)

    connection = duckdb.connect()
    connection.execute(SHIMS)
    connection.execute("CREATE SCHEMA silver")
    for table in ["transactions", "customers", "accounts", "fx_rates"]:
        files = (arguments.data / table / "*.parquet").as_posix()
        connection.execute(f"CREATE VIEW silver.{table} AS SELECT * FROM read_parquet('{files}')")

    steps = []
    started = time.perf_counter()
    movements_sql = day_numbers_in_duckdb((arguments.sql / "movements.sql").read_text())
    connection.execute(f"CREATE TABLE aml_movements AS {movements_sql}")
    # Held beside the movements, as paylake holds it.
    customer_days_sql = (arguments.sql / "customer_days.sql").read_text()
    connection.execute(f"CREATE TABLE aml_customer_days AS {customer_days_sql}")
    movements = connection.execute("SELECT COUNT(*) FROM aml_movements").fetchone()[0]
    steps.append(["movements", time.perf_counter() - started])

    connection.execute(
        "CREATE TABLE rule_alerts (rule_id VARCHAR, customer_id VARCHAR, account_id VARCHAR, "
        "business_date DATE, score BIGINT, amount_usd DECIMAL(18, 2), transaction_ids VARCHAR[], "
        "account_ids VARCHAR[], reason VARCHAR)"
    )
    columns = "customer_id, account_id, business_date, score, amount_usd, transaction_ids, account_ids, reason"
    for rule_id in parameters["rule_ids"]:
        started = time.perf_counter()
        rule_file = arguments.sql / f"{rule_id}.sql"
        if rule_id == "cycle":
            cycle = parameters.get("cycle")
            if cycle is None or not cycle.get("enabled", True):
                continue
            rule_sql = CYCLES.format(**{**cycle, **parameters})
        elif rule_file.exists():
            rule_sql = rule_file.read_text()
        else:
            continue  # switched off
        connection.execute(
            f"INSERT INTO rule_alerts SELECT '{rule_id}', {columns} FROM ({rule_sql})"
        )
        steps.append([rule_id, time.perf_counter() - started])

    started = time.perf_counter()
    alerts_path = (arguments.output / "alerts.parquet").as_posix()
    connection.execute(f"COPY ({ALERTS}) TO '{alerts_path}' (FORMAT parquet)")
    steps.append(["write alerts", time.perf_counter() - started])
    (arguments.output / "steps.json").write_text(
        json.dumps({"movements": movements, "steps": steps})
    )


if __name__ == "__main__":
    main()
