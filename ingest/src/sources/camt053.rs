//! Bank statements in ISO 20022 camt.053 (BankToCustomerStatement), versions .001.02 to .001.08.
//!
//! Layout: `bank/camt053/<statement date>.xml`. Elements are matched by local name, so every
//! version's namespace reads the same; where versions differ (entry status is text in .02 and
//! `Sts/Cd` from .03 on) both forms are read.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{ParsedFile, TakenRecord};
use crate::error::{IngestError, Result};
use crate::rows::{format_decimal, parse_date_days, parse_decimal, Value};

pub const LANDING_FOLDER: &str = "bank/camt053";
pub const ENTRIES_ENTITY: &str = "bank_statement_entries";
pub const BALANCES_ENTITY: &str = "bank_statement_balances";
const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";

/// One statement to write. Amounts are positive cents; `credit` tells the direction.
#[derive(Debug, Clone)]
pub struct Statement {
    pub id: String,
    pub iban: String,
    pub currency: String,
    pub created_at_micros: i64,
    pub statement_date: NaiveDate,
    pub opening_balance_cents: i128,
    pub entries: Vec<StatementEntry>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatementEntry {
    pub reference: String,
    pub amount_cents: i128,
    pub credit: bool,
    pub booking_date: NaiveDate,
    pub value_date: NaiveDate,
    pub end_to_end_id: String,
    pub remittance_info: String,
    /// The names of `RltdPties`: debtor, creditor, ultimate debtor, ultimate creditor.
    #[serde(default)]
    pub related_parties: RelatedParties,
}

/// The elements of `RltdPties` read, in the order of the registry's columns (`debtor_name`,
/// `creditor_name`, `ultimate_debtor_name`, `ultimate_creditor_name`).
const RELATED_PARTIES: [&str; 4] = ["Dbtr", "Cdtr", "UltmtDbtr", "UltmtCdtr"];

/// The parties of an entry's transaction other than the account holder (`RltdPties`), by name.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelatedParties {
    pub debtor: Option<String>,
    pub creditor: Option<String>,
    pub ultimate_debtor: Option<String>,
    pub ultimate_creditor: Option<String>,
}

impl RelatedParties {
    /// The `RltdPties` element, or nothing when no party is named.
    fn xml(&self) -> String {
        let parties = [
            ("Dbtr", &self.debtor),
            ("UltmtDbtr", &self.ultimate_debtor),
            ("Cdtr", &self.creditor),
            ("UltmtCdtr", &self.ultimate_creditor),
        ];
        let named: String = parties
            .iter()
            .filter_map(|(element, name)| {
                name.as_ref()
                    .map(|name| format!("<{element}><Nm>{}</Nm></{element}>", escape(name)))
            })
            .collect();
        if named.is_empty() {
            return named;
        }
        format!("<RltdPties>{named}</RltdPties>")
    }
}

impl Statement {
    pub fn closing_balance_cents(&self) -> i128 {
        self.entries
            .iter()
            .fold(self.opening_balance_cents, |sum, entry| {
                if entry.credit {
                    sum + entry.amount_cents
                } else {
                    sum - entry.amount_cents
                }
            })
    }
}

/// One statement file per account and date, named by date and currency.
pub fn file_name(statement_date: NaiveDate, currency: &str) -> String {
    format!("{LANDING_FOLDER}/{statement_date}-{currency}.xml")
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

fn balance_xml(out: &mut String, code: &str, cents: i128, currency: &str, date: NaiveDate) {
    let indicator = if cents < 0 { "DBIT" } else { "CRDT" };
    let _ = write!(
        out,
        "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">{}</Amt>\
         <CdtDbtInd>{indicator}</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>",
        format_decimal(cents.abs(), 2)
    );
}

/// Writes a camt.053.001.08 document with one statement.
pub fn write_file(path: &Path, statement: &Statement) -> Result<()> {
    let created = chrono::DateTime::from_timestamp_micros(statement.created_at_micros)
        .expect("simulated times are valid")
        .format("%Y-%m-%dT%H:%M:%S+00:00");
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{NAMESPACE}\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>{id}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>\
         <Stmt><Id>{id}</Id><CreDtTm>{created}</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id>\
         <Ccy>{currency}</Ccy></Acct>",
        id = escape(&statement.id),
        iban = escape(&statement.iban),
        currency = statement.currency,
    );
    balance_xml(
        &mut out,
        "OPBD",
        statement.opening_balance_cents,
        &statement.currency,
        statement.statement_date,
    );
    balance_xml(
        &mut out,
        "CLBD",
        statement.closing_balance_cents(),
        &statement.currency,
        statement.statement_date,
    );
    for entry in &statement.entries {
        let indicator = if entry.credit { "CRDT" } else { "DBIT" };
        let _ = write!(
            out,
            "<Ntry><NtryRef>{reference}</NtryRef><Amt Ccy=\"{currency}\">{amount}</Amt>\
             <CdtDbtInd>{indicator}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\
             <BookgDt><Dt>{booking}</Dt></BookgDt><ValDt><Dt>{value}</Dt></ValDt>\
             <AcctSvcrRef>{reference}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end}</EndToEndId></Refs>{parties}\
             <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
            reference = escape(&entry.reference),
            currency = statement.currency,
            amount = format_decimal(entry.amount_cents, 2),
            booking = entry.booking_date,
            value = entry.value_date,
            end_to_end = escape(&entry.end_to_end_id),
            remittance = escape(&entry.remittance_info),
            parties = entry.related_parties.xml(),
        );
    }
    out.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    super::create_parent(path)?;
    std::fs::write(path, out).map_err(|source| IngestError::io(path, source))
}

/// Text and attributes gathered under one `Bal` or `Ntry` element, by path relative to it.
#[derive(Debug, Default)]
struct Element {
    texts: HashMap<String, String>,
    currency: Option<String>,
    xml: String,
}

impl Element {
    /// The `Amt` of the element, in cents.
    fn amount(&self) -> std::result::Result<i128, String> {
        let text = self.first(&["Amt"]).ok_or("field 'Amt' is missing")?;
        parse_decimal(text, 2).map_err(|reason| format!("field 'Amt': {reason}"))
    }

    fn first(&self, paths: &[&str]) -> Option<&str> {
        paths
            .iter()
            .find_map(|path| self.texts.get(*path).map(String::as_str))
    }
}

#[derive(Debug, Default)]
struct StatementState {
    id: Option<String>,
    iban: Option<String>,
}

pub fn read_file(path: &Path, relative_path: &str) -> ParsedFile {
    let text = match super::read_text(path, relative_path, ENTRIES_ENTITY) {
        Ok(text) => text,
        Err(unreadable) => return unreadable,
    };
    match parse_document(&text, relative_path) {
        Ok(parsed) => parsed,
        Err(reason) => ParsedFile::unreadable(
            Some(ENTRIES_ENTITY),
            format!("'{relative_path}' is not a readable camt.053 document: {reason}"),
        ),
    }
}

fn local_name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

fn parse_document(text: &str, relative_path: &str) -> std::result::Result<ParsedFile, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut parsed = ParsedFile::default();
    let mut statement = StatementState::default();
    let mut saw_statement = false;
    // The open `Bal` or `Ntry` element, with the depth at which it started.
    let mut open_element: Option<(String, usize, Element)> = None;
    let mut position = 0_i64;
    loop {
        let event = reader
            .read_event()
            .map_err(|err| format!("at byte {}: {err}", reader.buffer_position()))?;
        match event {
            Event::Start(start) => {
                let name = local_name(&start);
                path.push(name.clone());
                if name == "Stmt" {
                    saw_statement = true;
                    statement = StatementState::default();
                }
                if open_element.is_none()
                    && (name == "Bal" || name == "Ntry")
                    && parent_is(&path, "Stmt")
                {
                    open_element = Some((name.clone(), path.len(), Element::default()));
                }
                if let Some((_, depth, element)) = open_element.as_mut() {
                    if name == "Amt" && path.len() == *depth + 1 {
                        element.currency = start
                            .try_get_attribute("Ccy")
                            .ok()
                            .flatten()
                            .and_then(|attribute| attribute.unescape_value().ok())
                            .map(|value| value.into_owned());
                    }
                    let _ = write!(element.xml, "<{name}>");
                }
            }
            Event::Empty(_) => {}
            Event::Text(content) => {
                let value = content
                    .unescape()
                    .map_err(|err| err.to_string())?
                    .into_owned();
                if let Some((_, depth, element)) = open_element.as_mut() {
                    let relative = path[*depth..].join("/");
                    element.xml.push_str(&value);
                    element.texts.entry(relative).or_insert(value);
                } else if let Some(stmt_index) = path.iter().rposition(|name| name == "Stmt") {
                    match path[stmt_index + 1..].join("/").as_str() {
                        "Id" => statement.id = Some(value),
                        "Acct/Id/IBAN" | "Acct/Id/Othr/Id" => statement.iban = Some(value),
                        _ => {}
                    }
                }
            }
            Event::End(_) => {
                let closed_depth = path.len();
                let name = path.pop().unwrap_or_default();
                if let Some((_, _, element)) = open_element.as_mut() {
                    let _ = write!(element.xml, "</{name}>");
                }
                let closes_open =
                    matches!(&open_element, Some((_, depth, _)) if *depth == closed_depth);
                if closes_open {
                    let (kind, _, element) = open_element.take().expect("checked above");
                    position += 1;
                    parsed.records_read += 1;
                    let (entity, values) = if kind == "Bal" {
                        (BALANCES_ENTITY, balance_values(&statement, &element))
                    } else {
                        (ENTRIES_ENTITY, entry_values(&statement, &element, position))
                    };
                    finish_record(
                        &mut parsed,
                        &statement,
                        entity,
                        values,
                        &element,
                        relative_path,
                        position,
                    );
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_statement {
        return Err("no Stmt element".to_string());
    }
    Ok(parsed)
}

fn parent_is(path: &[String], parent: &str) -> bool {
    path.len() >= 2 && path[path.len() - 2] == parent
}

fn date_value(text: Option<&str>) -> std::result::Result<Value, String> {
    match text {
        None => Ok(Value::Null),
        // DtTm: the date part is the booking date as the bank states it.
        Some(text) => parse_date_days(text.get(..10).unwrap_or(text)).map(Value::Date),
    }
}

/// The registry row of a `Bal` element.
fn balance_values(
    statement: &StatementState,
    element: &Element,
) -> std::result::Result<Vec<Value>, String> {
    let amount = element.amount()?;
    let balance_type = element
        .first(&["Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"])
        .ok_or("field 'Tp/CdOrPrtry/Cd' is missing")?;
    Ok(vec![
        Value::from(statement.id.clone()),
        Value::from(statement.iban.clone()),
        Value::from(balance_type),
        Value::Decimal(amount),
        Value::from(element.currency.clone()),
        Value::from(element.first(&["CdtDbtInd"])),
        date_value(element.first(&["Dt/Dt", "Dt/DtTm"]))
            .map_err(|reason| format!("field 'Dt': {reason}"))?,
    ])
}

/// The registry row of an `Ntry` element; `position` names an entry without reference.
fn entry_values(
    statement: &StatementState,
    element: &Element,
    position: i64,
) -> std::result::Result<Vec<Value>, String> {
    let amount = element.amount()?;
    let reference = element
        .first(&["NtryRef", "AcctSvcrRef", "NtryDtls/TxDtls/Refs/AcctSvcrRef"])
        .map(str::to_string)
        .unwrap_or_else(|| format!("entry-{position}"));
    let bank_code = match (
        element.first(&["BkTxCd/Domn/Cd"]),
        element.first(&["BkTxCd/Domn/Fmly/Cd"]),
        element.first(&["BkTxCd/Domn/Fmly/SubFmlyCd"]),
    ) {
        (Some(domain), Some(family), Some(sub_family)) => {
            Some(format!("{domain}-{family}-{sub_family}"))
        }
        _ => element.first(&["BkTxCd/Prtry/Cd"]).map(str::to_string),
    };
    let mut values = vec![
        Value::from(statement.id.clone()),
        Value::Text(reference),
        Value::from(statement.iban.clone()),
        Value::Decimal(amount),
        Value::from(element.currency.clone()),
        Value::from(element.first(&["CdtDbtInd"])),
        Value::from(element.first(&["Sts/Cd", "Sts"])),
        date_value(element.first(&["BookgDt/Dt", "BookgDt/DtTm"]))
            .map_err(|reason| format!("field 'BookgDt': {reason}"))?,
        date_value(element.first(&["ValDt/Dt", "ValDt/DtTm"]))
            .map_err(|reason| format!("field 'ValDt': {reason}"))?,
        Value::from(element.first(&["NtryDtls/TxDtls/Refs/EndToEndId"])),
        Value::from(element.first(&["NtryDtls/TxDtls/RmtInf/Ustrd", "AddtlNtryInf"])),
        Value::from(bank_code),
    ];
    // The related parties' names: camt.053.001.02 names a party in `Nm`, later versions in
    // `Pty/Nm`.
    values.extend(RELATED_PARTIES.iter().map(|party| {
        Value::from(element.first(&[
            &format!("NtryDtls/TxDtls/RltdPties/{party}/Nm"),
            &format!("NtryDtls/TxDtls/RltdPties/{party}/Pty/Nm"),
        ]))
    }));
    Ok(values)
}

fn finish_record(
    parsed: &mut ParsedFile,
    statement: &StatementState,
    entity: &'static str,
    result: std::result::Result<Vec<Value>, String>,
    element: &Element,
    relative_path: &str,
    position: i64,
) {
    let values = match (result, &statement.id) {
        (Ok(values), Some(_)) => values,
        (Ok(_), None) => {
            parsed.quarantine(
                position,
                entity,
                format!("{relative_path} element {position}: missing key field 'Stmt/Id'"),
                element.xml.clone(),
            );
            return;
        }
        (Err(reason), _) => {
            parsed.quarantine(
                position,
                entity,
                format!("{relative_path} element {position}: {reason}"),
                element.xml.clone(),
            );
            return;
        }
    };
    parsed.take(
        entity,
        TakenRecord {
            values,
            op: "I",
            source_order: super::file_order(relative_path, position),
            commit_micros: None,
            position,
            extra: Vec::new(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_fixture(name: &str) -> Option<std::path::PathBuf> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/bank/camt053")
            .join(name);
        path.exists().then_some(path)
    }

    #[test]
    fn written_statement_reads_back_with_balances_and_entries() {
        let dir = tempfile::tempdir().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let relative = file_name(date, "USD");
        let path = dir.path().join(&relative);
        write_file(
            &path,
            &Statement {
                id: "STMT-1".into(),
                iban: "GB33BUKB20201555555555".into(),
                currency: "USD".into(),
                created_at_micros: 1_772_445_600_000_000,
                statement_date: date,
                opening_balance_cents: 1_000,
                entries: vec![StatementEntry {
                    reference: "R1".into(),
                    amount_cents: 250,
                    credit: false,
                    booking_date: date,
                    value_date: date,
                    end_to_end_id: "PAYOUT-1".into(),
                    remittance_info: "a & b".into(),
                    related_parties: RelatedParties {
                        creditor: Some("Hamid & Sons".into()),
                        ultimate_creditor: Some("Karim Abdul".into()),
                        ..RelatedParties::default()
                    },
                }],
            },
        )
        .unwrap();
        let parsed = read_file(&path, &relative);
        assert!(parsed.quarantined.is_empty(), "{:?}", parsed.quarantined);
        let balances = &parsed.taken[BALANCES_ENTITY];
        assert_eq!(balances.len(), 2);
        assert_eq!(balances[1].values[3], Value::Decimal(750));
        let entry = &parsed.taken[ENTRIES_ENTITY][0];
        assert_eq!(entry.values[5], Value::Text("DBIT".into()));
        assert_eq!(entry.values[9], Value::Text("PAYOUT-1".into()));
        assert_eq!(entry.values[12], Value::Null);
        assert_eq!(entry.values[13], Value::Text("Hamid & Sons".into()));
        assert_eq!(entry.values[15], Value::Text("Karim Abdul".into()));
        assert_eq!(entry.values[10], Value::Text("a & b".into()));
        assert_eq!(entry.values[11], Value::Text("PMNT-RCDT-ESCT".into()));
    }

    #[test]
    fn real_statements_of_version_02_and_08_read_every_entry_and_balance() {
        for (name, minimum_entries) in [("camt053.v2.minimal.xml", 1), ("camt053.v8.xml", 1)] {
            let Some(path) = shared_fixture(name) else {
                panic!("fixture {name} missing from ../shared/data");
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = read_file(&path, name);
            assert!(
                parsed.quarantined.is_empty(),
                "{name}: {:?}",
                parsed.quarantined
            );
            assert_eq!(
                parsed.taken.get(ENTRIES_ENTITY).map_or(0, Vec::len),
                text.matches("<Ntry>").count(),
                "{name}"
            );
            assert!(parsed.taken[ENTRIES_ENTITY].len() >= minimum_entries);
            assert_eq!(
                parsed.taken.get(BALANCES_ENTITY).map_or(0, Vec::len),
                text.matches("<Bal>").count(),
                "{name}"
            );
        }
    }

    #[test]
    fn broken_xml_is_quarantined_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xml");
        std::fs::write(&path, "<Document><BkToCstmrStmt><Stmt></Nope>").unwrap();
        let parsed = read_file(&path, "bank/camt053/x.xml");
        assert!(parsed.quarantined[0]
            .reason
            .contains("not a readable camt.053 document"));
    }
}
