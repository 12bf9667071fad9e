"""The peer of `paylake bench ingest`: the same landing to silver with Python deltalake and polars.

Each record is checked as paylake checks it (a record that fails goes to quarantine with the
reason), free text is redacted with paylake's patterns, bronze gets every record with its
lineage (append), and silver the latest change per key by MERGE (delete, update, insert), as
paylake does. DynamoDB's JSON lines are read with polars' own JSON reader. Run by the bench as
its own process:

    python bench/peer_ingest.py --kind dms|dynamodb --landing LANDING --lake LAKE
"""

import argparse
import glob
import json
import os
import re

import polars as pl
from deltalake import DeltaTable, write_deltalake

# paylake's embedded detector of personal data in free text (ingest/src/pii/mod.rs), the same
# patterns and checks: only a text with an '@' or nine digits is looked at.
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
SSN = re.compile(r"\b(\d{3})-(\d{2})-(\d{4})\b")
PHONE = re.compile(
    r"(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}[ .-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})\b"
)
FREE_TEXT = {"transactions": ["memo"]}


def luhn_valid(digits):
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def iban_valid(text):
    compact = "".join(text.split())
    if not 15 <= len(compact) <= 34:
        return False
    remainder = 0
    for character in compact[4:] + compact[:4]:
        if not character.isalnum():
            return False
        value = int(character, 36)
        remainder = (remainder * (10 if value < 10 else 100) + value) % 97
    return remainder == 1


def redact(text):
    """The text with each finding replaced by [KIND], as paylake redacts it."""
    found = []

    def free(start, end):
        return all(end <= taken_start or start >= taken_end for taken_start, taken_end, _ in found)

    for hit in EMAIL.finditer(text):
        found.append((hit.start(), hit.end(), "EMAIL"))
    for hit in IBAN.finditer(text):
        if iban_valid(hit.group()) and free(hit.start(), hit.end()):
            found.append((hit.start(), hit.end(), "BANK_ACCOUNT_NUMBER"))
    for hit in CARD.finditer(text):
        digits = [int(c) for c in hit.group() if c.isdigit()]
        if luhn_valid(digits) and free(hit.start(), hit.end()):
            found.append((hit.start(), hit.end(), "CREDIT_DEBIT_NUMBER"))
    for hit in SSN.finditer(text):
        area, group, serial = hit.groups()
        valid = area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"
        if valid and free(hit.start(), hit.end()):
            found.append((hit.start(), hit.end(), "SSN"))
    for hit in PHONE.finditer(text):
        digits = sum(c.isdigit() for c in hit.group())
        if 10 <= digits <= 15 and free(hit.start(), hit.end()):
            found.append((hit.start(), hit.end(), "PHONE"))
    if not found:
        return text
    redacted, at = [], 0
    for start, end, kind in sorted(found):
        redacted.append(text[at:start])
        redacted.append(f"[{kind}]")
        at = end
    redacted.append(text[at:])
    return "".join(redacted)


def redact_free_text(changes, entity):
    """Redacts the free-text columns: the cheap test on the whole column, the patterns on the
    few values it lets through."""
    for column in FREE_TEXT.get(entity, []):
        looked_at = pl.col(column).str.contains("@") | (pl.col(column).str.count_matches(r"\d") >= 9)
        changes = changes.with_columns(
            pl.when(looked_at)
            .then(pl.col(column).map_elements(redact, return_dtype=pl.Utf8))
            .otherwise(pl.col(column))
            .alias(column)
        )
    return changes


def split_valid(changes, valid, reasons, relative_key):
    """The changes that pass every check, and the others with the first failed check's reason,
    as paylake quarantines them."""
    reason = pl.lit(None, dtype=pl.Utf8)
    for check, text in reversed(reasons):
        reason = pl.when(~check).then(pl.lit(text)).otherwise(reason)
    refused = changes.filter(~valid).with_columns(reason.alias("reason"))
    return changes.filter(valid), refused.select("_source_file", "_source_position", "reason")


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
        pl.col("created_at", "updated_at").dt.replace_time_zone("UTC"),
        pl.col("dms_commit_ts").str.to_datetime(strict=False).alias("_commit_time"),
    )
    checks = [
        (pl.col("_op").is_in(["I", "U", "D"]).fill_null(False), "unknown op in column 'Op'"),
        (pl.col("_commit_time").is_not_null(), "field 'dms_commit_ts' is not a time"),
        (pl.col("transaction_id").is_not_null(), "missing key field 'transaction_id'"),
    ]
    valid = checks[0][0] & checks[1][0] & checks[2][0]
    changes, refused = split_valid(changes, valid, checks, "transaction_id")
    changes = redact_free_text(changes, "transactions")
    changes = changes.with_columns(
        (
            pl.col("dms_commit_ts")
            + "|"
            + pl.col("_source_file")
            + "|"
            + pl.col("_source_position").cast(pl.Utf8).str.zfill(10)
        ).alias("_source_order")
    ).drop("_commit_time")
    return changes, refused, "transactions", "transaction_id"


def attribute_values(image, name):
    """An attribute of a DynamoDB image as text: its S or N member (NULL reads as null)."""
    members = [image.struct.field(name).struct.field(kind) for kind in ("S", "N")]
    return pl.coalesce(members) if len(members) > 1 else members[0]


def dynamodb_changes(landing):
    frames = []
    for path in sorted(glob.glob(os.path.join(landing, "dynamodb/payments/*/*.jsonl"))):
        # Polars' own JSON reader, the whole file at once; every line's shape is read.
        frame = pl.read_ndjson(path, infer_schema_length=None)
        frames.append(
            frame.with_columns(
                pl.lit(os.path.relpath(path, landing)).alias("_source_file"),
                pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_source_position"),
            )
        )
    records = pl.concat(frames, how="diagonal_relaxed")
    stream = pl.col("dynamodb")
    schema = records.schema["dynamodb"]
    images = {field.name: field.dtype for field in schema.fields}

    def image_members(image):
        return {field.name: field.dtype for field in images[image].fields} if image in images else {}

    names = sorted(set(image_members("NewImage")) | set(image_members("OldImage")) | set(image_members("Keys")))
    columns = []
    for name in names:
        choices = []
        for image in ("NewImage", "OldImage", "Keys"):
            members = image_members(image)
            if name in members:
                kinds = [field.name for field in members[name].fields if field.name in ("S", "N")]
                value = pl.coalesce([stream.struct.field(image).struct.field(name).struct.field(kind) for kind in kinds]) if kinds else pl.lit(None, dtype=pl.Utf8)
            else:
                value = pl.lit(None, dtype=pl.Utf8)
            present = stream.struct.field(image).is_not_null() if image in images else pl.lit(False)
            choices.append((present, value))
        expression = pl.when(choices[0][0]).then(choices[0][1])
        for present, value in choices[1:]:
            expression = expression.when(present).then(value)
        columns.append(expression.alias(name))
    changes = records.select(
        *columns,
        pl.col("eventName").replace_strict({"INSERT": "I", "MODIFY": "U", "REMOVE": "D"}, default=None).alias("_op"),
        stream.struct.field("SequenceNumber").str.zfill(40).alias("_source_order"),
        "_source_file",
        "_source_position",
    )
    # An attribute no image carried is still a column of silver, null, as paylake writes it.
    if "failure_reason" not in changes.columns:
        changes = changes.with_columns(pl.lit(None, dtype=pl.Utf8).alias("failure_reason"))
    changes = changes.with_columns(
        pl.col("amount").cast(pl.Decimal(18, 2), strict=False).alias("_amount"),
        pl.col("created_at").str.to_datetime(time_zone="UTC", strict=False).alias("_created_at"),
    )
    checks = [
        (pl.col("_op").is_not_null(), "field 'eventName': unknown operation"),
        (pl.col("payment_id").is_not_null(), "missing key field 'payment_id'"),
        (pl.col("amount").is_null() | pl.col("_amount").is_not_null(), "field 'amount' is not a number"),
        (pl.col("created_at").is_null() | pl.col("_created_at").is_not_null(), "field 'created_at' is not a time"),
    ]
    valid = checks[0][0] & checks[1][0] & checks[2][0] & checks[3][0]
    changes, refused = split_valid(changes, valid, checks, "payment_id")
    changes = changes.with_columns(
        pl.col("_amount").alias("amount"),
        pl.col("_created_at").alias("created_at"),
        pl.from_epoch(pl.col("updated_at").cast(pl.Int64), time_unit="ms").dt.replace_time_zone("UTC"),
    ).drop("_amount", "_created_at")
    return changes, refused, "payments", "payment_id"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["dms", "dynamodb"], required=True)
    parser.add_argument("--landing", required=True)
    parser.add_argument("--lake", required=True)
    args = parser.parse_args()
    changes, refused, entity, key = dms_changes(args.landing) if args.kind == "dms" else dynamodb_changes(args.landing)

    # The lake's layout, zone/table, so that the bench reads both sides' silver the same way.
    bronze = os.path.join(args.lake, "bronze", entity)
    write_deltalake(bronze, changes, mode="append")
    if refused.height > 0:
        write_deltalake(os.path.join(args.lake, "quarantine", entity), refused, mode="append")

    # Silver is built from bronze as committed, as paylake's merge reads it, not from the frame
    # still in memory.
    del changes
    changes = pl.read_delta(bronze)
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
