//! FinCEN acknowledgements: the `EFilingBatchXML` FinCEN returns for a submitted batch, with a
//! BSA ID per accepted filing and each warning or error with its XPath context. Loaded into
//! `system.regulatory_filings`, tied to the export and record of each filing when the export
//! is named (its manifest lists the records in activity order).

use chrono::Utc;
use paylake_catalog::Lake;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{RegulatoryError, Result};
use crate::system_rows::{append_filings, FilingRow};

/// One acknowledged filing (an `EFilingActivityXML`).
#[derive(Debug, Clone, PartialEq)]
pub struct AcknowledgedFiling {
    pub activity_number: i64,
    pub activity_seq: i64,
    pub bsa_id: Option<String>,
    pub errors: Vec<AcknowledgementError>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AcknowledgementError {
    pub context: String,
    pub element: String,
    pub level: String,
    pub text: String,
    pub type_code: String,
}

impl AcknowledgedFiling {
    /// `rejected` with any error of level ERROR or FATAL, `accepted_with_warnings` with
    /// warnings only, else `accepted`.
    pub fn status(&self) -> &'static str {
        if self
            .errors
            .iter()
            .any(|error| matches!(error.level.as_str(), "ERROR" | "FATAL"))
        {
            "rejected"
        } else if self.errors.is_empty() {
            "accepted"
        } else {
            "accepted_with_warnings"
        }
    }
}

/// Parses an acknowledgement file's text; `file` names it in errors.
pub fn parse_acknowledgement(text: &str, file: &str) -> Result<Vec<AcknowledgedFiling>> {
    let invalid = |reason: String| RegulatoryError::Acknowledgement {
        file: file.to_string(),
        reason,
    };
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut filings: Vec<AcknowledgedFiling> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|err| invalid(format!("at byte {}: {err}", reader.buffer_position())))?;
        match event {
            Event::Start(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).to_string();
                open_element(&name, &element, &mut filings, &invalid)?;
                path.push(name);
            }
            Event::Empty(element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).to_string();
                open_element(&name, &element, &mut filings, &invalid)?;
            }
            Event::Text(text) => {
                let value = text
                    .unescape()
                    .map_err(|err| invalid(err.to_string()))?
                    .to_string();
                let Some(current) = path.last() else { continue };
                let Some(filing) = filings.last_mut() else {
                    continue;
                };
                match current.as_str() {
                    "BSAID" => filing.bsa_id = Some(value),
                    field => {
                        if let Some(error) = filing.errors.last_mut() {
                            match field {
                                "ErrorContextText" => error.context = value,
                                "ErrorElementNameText" => error.element = value,
                                "ErrorLevelText" => error.level = value,
                                "ErrorText" => error.text = value,
                                "ErrorTypeCode" => error.type_code = value,
                                _ => {}
                            }
                        }
                    }
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if filings.is_empty() {
        return Err(invalid(
            "no EFilingActivityXML element: not a FinCEN acknowledgement".to_string(),
        ));
    }
    // An error element without any field is FinCEN's way of saying "no errors".
    for filing in &mut filings {
        filing
            .errors
            .retain(|error| *error != AcknowledgementError::default());
    }
    Ok(filings)
}

fn open_element(
    name: &str,
    element: &quick_xml::events::BytesStart<'_>,
    filings: &mut Vec<AcknowledgedFiling>,
    invalid: &dyn Fn(String) -> RegulatoryError,
) -> Result<()> {
    match name {
        "EFilingActivityXML" => {
            let seq = element
                .try_get_attribute("SeqNum")
                .ok()
                .flatten()
                .and_then(|attribute| String::from_utf8_lossy(&attribute.value).parse().ok())
                .ok_or_else(|| invalid(format!("activity {} has no SeqNum", filings.len() + 1)))?;
            filings.push(AcknowledgedFiling {
                activity_number: filings.len() as i64 + 1,
                activity_seq: seq,
                bsa_id: None,
                errors: Vec::new(),
            });
        }
        "EFilingActivityErrorXML" => {
            if let Some(filing) = filings.last_mut() {
                filing.errors.push(AcknowledgementError::default());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Loads an acknowledgement into `system.regulatory_filings`. With `export`, the filings are
/// tied to that export's records (its manifest's activity order); returns what it holds, and
/// whether it was recorded now or had been loaded before.
pub async fn load_acknowledgement(
    lake: &Lake,
    file: &std::path::Path,
    export: Option<(&str, &serde_json::Value)>,
) -> Result<LoadedAcknowledgement> {
    let text = std::fs::read_to_string(file).map_err(|source| RegulatoryError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let file_name = file.display().to_string();
    let filings = parse_acknowledgement(&text, &file_name)?;
    let records: Vec<String> = export
        .and_then(|(_, manifest)| manifest["records"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| entry["record_key"].as_str().map(str::to_string))
        .collect();
    let loaded_at = Utc::now();
    let rows: Vec<FilingRow> = filings
        .iter()
        .map(|filing| FilingRow {
            acknowledgement_file: file_name.clone(),
            export_id: export.map(|(id, _)| id.to_string()),
            activity_number: filing.activity_number,
            activity_seq: filing.activity_seq,
            record_key: records.get(filing.activity_number as usize - 1).cloned(),
            bsa_id: filing.bsa_id.clone(),
            status: filing.status().to_string(),
            warning_count: filing
                .errors
                .iter()
                .filter(|error| error.level == "WARN")
                .count() as i64,
            error_count: filing
                .errors
                .iter()
                .filter(|error| error.level != "WARN")
                .count() as i64,
            errors: filing
                .errors
                .iter()
                .map(|error| {
                    format!(
                        "{} {} {}: {}",
                        error.type_code, error.level, error.context, error.text
                    )
                })
                .collect(),
            loaded_at,
        })
        .collect();
    // The same acknowledgement loaded again (a retry, the file delivered twice under another
    // name) is recorded once: its content's digest is the commit's application transaction.
    let acknowledgement_id = format!("fincen-ack:{}", crate::package::sha256_hex(text.as_bytes()));
    let newly_recorded = append_filings(lake, &rows, &acknowledgement_id).await?;
    // A SAR case FinCEN accepted carries its BSA ID from now on (again after a crash between
    // the two writes: a case already holding the BSA ID gets no second event).
    let accepted: Vec<(String, String)> = rows
        .iter()
        .filter_map(|row| Some((row.record_key.clone()?, row.bsa_id.clone()?)))
        .collect();
    paylake_decisions::filing::record_acknowledged(lake, &accepted).await?;
    let filings = rows
        .into_iter()
        .map(|row| FilingRowSummary {
            bsa_id: row.bsa_id,
            record_key: row.record_key,
            status: row.status,
            messages: row.errors.len(),
        })
        .collect();
    Ok(LoadedAcknowledgement {
        filings,
        already_loaded: !newly_recorded,
    })
}

/// A loaded acknowledgement, for the command's output.
#[derive(Debug, Clone)]
pub struct LoadedAcknowledgement {
    pub filings: Vec<FilingRowSummary>,
    /// The acknowledgement was loaded before: nothing new was recorded.
    pub already_loaded: bool,
}

/// What a loaded filing says, for the command's output.
#[derive(Debug, Clone)]
pub struct FilingRowSummary {
    pub bsa_id: Option<String>,
    pub record_key: Option<String>,
    pub status: String,
    pub messages: usize,
}
