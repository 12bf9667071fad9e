//! Tables of regulatory filing: what is due to regulators and when, the packages delivered to
//! them, and what they acknowledged.

use arrow::datatypes::{DataType, Field};

use super::{boolean, date, integer, money, schema_of, text, text_list, timestamp, TableDef, Zone};

pub(super) fn regulatory_tables() -> Vec<TableDef> {
    let required = |name: &str| Field::new(name, DataType::Utf8, false);
    vec![
        TableDef {
            zone: Zone::Gold,
            name: "filing_deadlines",
            schema: schema_of([
                required("filing_kind"),
                required("record_key"),
                text("customer_id"),
                text("customer_name"),
                money("amount_usd"),
                date("trigger_date"),
                integer("deadline_days"),
                boolean("suspect_known"),
                date("due_date"),
                required("status"),
                integer("days_remaining"),
                text("export_id"),
                date("filed_on"),
                date("business_date"),
            ]),
            key: vec!["business_date", "filing_kind", "record_key"],
            partition_by: vec!["business_date"],
            personal_data: vec!["customer_name"],
            owner: "compliance",
            description: "Every CTR and SAR owed to FinCEN as of a business date: the trigger \
                          (transaction date for a CTR, detection date for a SAR), the due date \
                          (15 days; 30 for a SAR, 60 when no suspect is known), and whether it \
                          is due, late, filed or filed late, with the export that delivered it.",
            full_snapshot: false,
        },
        TableDef {
            zone: Zone::System,
            name: "regulatory_exports",
            schema: schema_of([
                required("export_id"),
                required("kind"),
                date("period_start"),
                date("period_end"),
                date("filing_date"),
                integer("revision"),
                text("location"),
                text("manifest_sha256"),
                integer("record_count"),
                money("total_amount_usd"),
                text_list("record_keys"),
                text("schedule"),
                timestamp("scheduled_for"),
                timestamp("recorded_at"),
                required("status"),
            ]),
            key: vec!["export_id", "recorded_at"],
            partition_by: vec![],
            personal_data: vec![],
            owner: "compliance",
            description: "Each export package delivered to a regulator, or found already \
                          delivered: kind, period, revision, where it is, the manifest's digest, \
                          the records it carries, and the schedule tick that asked for it.",
            full_snapshot: false,
        },
        TableDef {
            zone: Zone::System,
            name: "regulatory_filings",
            schema: schema_of([
                required("acknowledgement_file"),
                text("export_id"),
                integer("activity_number"),
                integer("activity_seq"),
                text("record_key"),
                text("bsa_id"),
                required("status"),
                integer("warning_count"),
                integer("error_count"),
                text_list("errors"),
                timestamp("loaded_at"),
            ]),
            key: vec!["acknowledgement_file", "activity_seq"],
            partition_by: vec![],
            personal_data: vec![],
            owner: "compliance",
            description: "FinCEN acknowledgements of filed batches: per filing its BSA ID, \
                          status and each warning or error with its XPath context, tied to the \
                          export and record it acknowledges.",
            full_snapshot: false,
        },
    ]
}
