"""The peer of `paylake bench ingest`: the same landing to silver with Python deltalake and polars.

Bronze gets every record with its lineage (append); silver gets the latest change per key by
MERGE (delete, update, insert), as paylake does. Run by the bench as its own process:

    python bench/peer_ingest.py --kind dms|dynamodb --landing LANDING --lake LAKE
"""

import argparse
import glob
import json
import os

import polars as pl
from deltalake import DeltaTable, write_deltalake


def dms_changes(landing):
    files = sorted(glob.glob(os.path.join(landing, "aurora/public/transactions/*.parquet")))
    frames = [
        pl.read_parquet(path).with_columns(
            pl.lit(os.path.relpath(path, landing)).alias("_source_file"),
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_source_position"),
        )
        for path in files
    ]
    # DMS writes timestamps without a zone; like paylake, the peer declares them UTC.
    changes = pl.concat(frames).rename({"Op": "_op"}).with_columns(
        pl.col("created_at", "updated_at").dt.replace_time_zone("UTC")
    )
    changes = changes.with_columns(
        (
            pl.col("dms_commit_ts")
            + "|"
            + pl.col("_source_file")
            + "|"
            + pl.col("_source_position").cast(pl.Utf8).str.zfill(10)
        ).alias("_source_order")
    )
    return changes, "transactions", "transaction_id"


def attribute(value):
    (kind, content), = value.items()
    return None if kind == "NULL" else content


def dynamodb_changes(landing):
    rows = []
    for path in sorted(glob.glob(os.path.join(landing, "dynamodb/payments/*/*.jsonl"))):
        relative = os.path.relpath(path, landing)
        with open(path) as lines:
            for position, line in enumerate(lines, start=1):
                record = json.loads(line)
                stream = record["dynamodb"]
                image = stream.get("NewImage") or stream.get("OldImage") or stream["Keys"]
                row = {name: attribute(value) for name, value in image.items()}
                row["_op"] = {"INSERT": "I", "MODIFY": "U", "REMOVE": "D"}[record["eventName"]]
                row["_source_order"] = stream["SequenceNumber"].zfill(40)
                row["_source_file"] = relative
                row["_source_position"] = position
                rows.append(row)
    changes = pl.DataFrame(rows)
    # An attribute no image carried is still a column of silver, null, as paylake writes it.
    if "failure_reason" not in changes.columns:
        changes = changes.with_columns(pl.lit(None, dtype=pl.Utf8).alias("failure_reason"))
    changes = changes.with_columns(
        pl.col("amount").cast(pl.Decimal(18, 2)),
        pl.col("created_at").str.to_datetime(time_zone="UTC"),
        pl.from_epoch(pl.col("updated_at").cast(pl.Int64), time_unit="ms").dt.replace_time_zone("UTC"),
    )
    return changes, "payments", "payment_id"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["dms", "dynamodb"], required=True)
    parser.add_argument("--landing", required=True)
    parser.add_argument("--lake", required=True)
    args = parser.parse_args()
    changes, entity, key = dms_changes(args.landing) if args.kind == "dms" else dynamodb_changes(args.landing)

    # The lake's layout, zone/table, so that the bench reads both sides' silver the same way.
    bronze = os.path.join(args.lake, "bronze", entity)
    write_deltalake(bronze, changes, mode="append")

    latest = changes.sort("_source_order").unique(subset=[key], keep="last", maintain_order=False)
    silver_path = os.path.join(args.lake, "silver", entity)
    empty = latest.clear()
    write_deltalake(silver_path, empty.drop("_op"), mode="overwrite")
    silver = DeltaTable(silver_path)
    (
        silver.merge(
            source=latest,
            predicate=f"t.{key} = s.{key}",
            source_alias="s",
            target_alias="t",
        )
        .when_matched_delete(predicate="s._op = 'D' AND s._source_order > t._source_order")
        .when_matched_update_all(predicate="s._op <> 'D' AND s._source_order > t._source_order", except_cols=["_op"])
        .when_not_matched_insert_all(predicate="s._op <> 'D'", except_cols=["_op"])
        .execute()
    )
    print(json.dumps({"records": changes.height, "silver_version": DeltaTable(silver_path).version()}))


if __name__ == "__main__":
    main()
