//! goAML reports (UNODC goAML 5): an STR per SAR case and a CTR per customer and day, each
//! one `report` document with the case's transactions, validating against `goAMLSchema.xsd`.
//!
//! Subjects are written in goAML's general party forms (`t_from`/`t_to` with `t_person`,
//! `t_entity`, `t_account`): its own-client forms (`*_my_client`) require KYC fields the lake
//! does not hold (identity numbers, incorporation details, signatories' nationality).

use chrono::NaiveDate;

use crate::error::{RegulatoryError, Result};
use crate::records::{CtrRecord, SarRecord, Subject, Transaction};
use crate::settings::RegulatorySettings;
use crate::xml::XmlDocument;

/// One goAML report: its file name, the record it reports, and the XML.
#[derive(Debug, Clone)]
pub struct GoAmlReport {
    pub file_name: String,
    pub record_key: String,
    pub xml: String,
}

/// The STR of a SAR case.
pub fn str_report(
    record: &SarRecord,
    settings: &RegulatorySettings,
    filing_date: NaiveDate,
) -> Result<GoAmlReport> {
    let reason = record.narrative.clone();
    report(
        "STR",
        &record.record_key,
        &record.subject,
        &record.transactions,
        &reason,
        settings,
        filing_date,
    )
}

/// The CTR of a customer's cash of one day.
pub fn ctr_report(
    record: &CtrRecord,
    settings: &RegulatorySettings,
    filing_date: NaiveDate,
) -> Result<GoAmlReport> {
    let reason = format!(
        "Cash transactions of customer {} on {} over the reporting threshold: cash in USD {}, \
         cash out USD {}.",
        record.subject.customer_id,
        record.business_date,
        paylake_catalog::money::format_decimal(record.cash_in_cents, 2),
        paylake_catalog::money::format_decimal(record.cash_out_cents, 2),
    );
    let cash: Vec<Transaction> = record
        .transactions
        .iter()
        .filter(|transaction| transaction.is_cash_in() || transaction.is_cash_out())
        .cloned()
        .collect();
    report(
        "CTR",
        &record.record_key,
        &record.subject,
        &cash,
        &reason,
        settings,
        filing_date,
    )
}

fn report(
    report_code: &str,
    record_key: &str,
    subject: &Subject,
    transactions: &[Transaction],
    reason: &str,
    settings: &RegulatorySettings,
    filing_date: NaiveDate,
) -> Result<GoAmlReport> {
    if transactions.is_empty() {
        return Err(RegulatoryError::InvalidRecord {
            table: if report_code == "STR" {
                "decisions.case_events"
            } else {
                "gold.ctr_candidates"
            },
            record: record_key.to_string(),
            field: "transaction_ids",
            reason: "no evidence transaction is in silver.transactions; a goAML report needs one"
                .to_string(),
        });
    }
    let entity = &settings.goaml;
    let filer = &settings.filer;
    let mut document = XmlDocument::new();
    document.open("report", &[]);
    document.leaf("rentity_id", &entity.rentity_id.to_string());
    document.leaf("rentity_branch", &limit(&entity.rentity_branch, 255));
    document.leaf("submission_code", "E");
    document.leaf("report_code", report_code);
    document.leaf("entity_reference", &limit(record_key, 255));
    document.leaf("submission_date", &format!("{filing_date}T00:00:00"));
    document.leaf("currency_code_local", &entity.currency_code_local);
    document.open("reporting_person", &[]);
    document.leaf(
        "first_name",
        &limit(&entity.reporting_person_first_name, 100),
    );
    document.leaf("last_name", &limit(&entity.reporting_person_last_name, 100));
    document.close();
    document.open("location", &[]);
    document.leaf("address_type", "-");
    document.leaf("address", &limit(&filer.address.street, 100));
    document.leaf("city", &limit(&filer.address.city, 255));
    document.leaf("zip", &limit(&filer.address.zip, 10));
    document.leaf("country_code", &filer.address.country);
    document.leaf("state", &limit(&filer.address.state, 255));
    document.close();
    document.leaf("reason", &limit(reason, 8000));
    for transaction in transactions {
        write_transaction(&mut document, transaction, subject, settings);
    }
    document.open("report_indicators", &[]);
    // The indicator lookup is the FIU's; the schema's default list holds only '-'.
    document.leaf("indicator", "-");
    document.close();
    document.close();
    let safe_key: String = record_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(GoAmlReport {
        file_name: format!("{report_code}_{safe_key}.xml"),
        record_key: record_key.to_string(),
        xml: document.finish(),
    })
}

fn write_transaction(
    document: &mut XmlDocument,
    transaction: &Transaction,
    subject: &Subject,
    settings: &RegulatorySettings,
) {
    let goaml = &settings.goaml;
    let cash = transaction.is_cash_in() || transaction.is_cash_out();
    document.open("transaction", &[]);
    document.leaf(
        "transactionnumber",
        &limit(&transaction.transaction_id, 100),
    );
    document.leaf("transaction_location", &limit(&transaction.channel, 255));
    document.leaf(
        "transaction_description",
        &format!(
            "{} of {} {} via {}",
            transaction.transaction_type.replace('_', " "),
            transaction.currency,
            transaction.amount,
            transaction.channel
        ),
    );
    document.leaf("date_transaction", &transaction.created_at);
    document.leaf(
        "transmode_code",
        if cash {
            &goaml.transmode_cash
        } else {
            &goaml.transmode_transfer
        },
    );
    document.leaf(
        "amount_local",
        transaction
            .amount_usd
            .as_deref()
            .unwrap_or(&transaction.amount),
    );
    let country = subject
        .country
        .clone()
        .unwrap_or_else(|| settings.filer.address.country.clone());
    let home = settings.filer.address.country.as_str();
    let subject_account = Party::Account(&transaction.account_id, Some(subject));
    let counterparty = Party::Account(
        transaction
            .counterparty_account_id
            .as_deref()
            .unwrap_or("UNKNOWN"),
        None,
    );
    let (from, to) = match transaction.transaction_type.as_str() {
        "cash_deposit" => (Party::Person(subject), subject_account),
        "cash_withdrawal" => (subject_account, Party::Person(subject)),
        "transfer_in" => (counterparty, subject_account),
        _ => (subject_account, counterparty),
    };
    for (side, party) in [("from", from), ("to", to)] {
        document.open(if side == "from" { "t_from" } else { "t_to" }, &[]);
        let funds = if matches!(party, Party::Person(_)) {
            &goaml.funds_cash
        } else {
            &goaml.funds_account
        };
        document.leaf(&format!("{side}_funds_code"), funds);
        if transaction.currency != goaml.currency_code_local {
            if let Some(rate) = &transaction.usd_rate {
                document.open(&format!("{side}_foreign_currency"), &[]);
                document.leaf("foreign_currency_code", &transaction.currency);
                document.leaf("foreign_amount", &transaction.amount);
                document.leaf("foreign_exchange_rate", rate);
                document.close();
            }
        }
        party.write(document, side, settings);
        let party_country = match party {
            Party::Person(_) => country.as_str(),
            Party::Account(..) => home,
        };
        document.leaf(&format!("{side}_country"), party_country);
        document.close();
    }
    document.close();
}

/// One side of a transaction: the customer in person (cash) or an account of the institution.
enum Party<'a> {
    Person(&'a Subject),
    Account(&'a str, Option<&'a Subject>),
}

impl Party<'_> {
    fn write(&self, document: &mut XmlDocument, side: &str, settings: &RegulatorySettings) {
        match self {
            Party::Person(subject) if subject.is_business => {
                document.open(&format!("{side}_entity"), &[]);
                entity(document, subject);
                document.close();
            }
            Party::Person(subject) => {
                document.open(&format!("{side}_person"), &[]);
                person(document, subject);
                document.close();
            }
            Party::Account(account, holder) => {
                document.open(&format!("{side}_account"), &[]);
                document.leaf("institution_name", &limit(&settings.filer.name, 255));
                document.leaf(
                    "institution_code",
                    &limit(&settings.goaml.institution_code, 50),
                );
                document.leaf("branch", &limit(&settings.goaml.rentity_branch, 255));
                document.leaf("account", &limit(account, 255));
                if let Some(subject) = holder {
                    if let Some(name) = &subject.full_name {
                        document.leaf("account_name", &limit(name, 255));
                    }
                    document.leaf("client_number", &limit(&subject.customer_id, 30));
                    if subject.is_business {
                        document.open("t_entity", &[]);
                        entity(document, subject);
                        document.close();
                    } else {
                        document.open("signatory", &[]);
                        document.leaf("is_primary", "1");
                        document.open("t_person", &[]);
                        person(document, subject);
                        document.close();
                        document.close();
                    }
                }
                document.close();
            }
        }
    }
}

fn person(document: &mut XmlDocument, subject: &Subject) {
    let (first, last) = subject.first_and_last_name();
    document.leaf(
        "first_name",
        &limit(first.as_deref().unwrap_or("Unknown"), 100),
    );
    document.leaf(
        "last_name",
        &limit(last.as_deref().unwrap_or("Unknown"), 100),
    );
    if let Some(birth) = subject.date_of_birth {
        document.leaf("birthdate", &format!("{birth}T00:00:00"));
    }
    if let Some(country) = &subject.country {
        document.leaf("nationality1", country);
        document.leaf("residence", country);
    }
    address(document, subject);
    if let Some(occupation) = &subject.occupation {
        document.leaf("occupation", &limit(occupation, 255));
    }
}

fn entity(document: &mut XmlDocument, subject: &Subject) {
    document.leaf(
        "name",
        &limit(subject.full_name.as_deref().unwrap_or("Unknown"), 255),
    );
    if let Some(industry) = &subject.occupation {
        document.leaf("business", &limit(industry, 255));
    }
    address(document, subject);
    if let Some(country) = &subject.country {
        document.leaf("incorporation_country_code", country);
    }
}

fn address(document: &mut XmlDocument, subject: &Subject) {
    let (Some(street), Some(city), Some(country)) =
        (&subject.street, &subject.city, &subject.country)
    else {
        return;
    };
    document.open("addresses", &[]);
    document.open("address", &[]);
    document.leaf("address_type", "-");
    document.leaf("address", &limit(street, 100));
    document.leaf("city", &limit(city, 255));
    document.leaf("country_code", country);
    document.close();
    document.close();
}

/// At most `max_chars` characters, as goAML's length limits ask.
fn limit(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
