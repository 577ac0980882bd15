//! Importing a spreadsheet of requests: its rows (from CSV here, or from an ODS sheet read by
//! the caller) become submissions, and every broken rule is reported with its row (as the
//! spreadsheet numbers it, the header being row 1), column and rule. A file with any error
//! yields no request at all.

use std::collections::HashSet;

use time::Date;

use super::{COLUMNS, ProviderRequest, ProviderRequestSubmission};
use crate::agency::AgencyCode;
use crate::validation::Rule;

/// Most rows one import may hold.
pub const MAX_ROWS: usize = 10_000;

/// One broken rule of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row as the spreadsheet numbers it (the header is row 1); 0 for the file as a whole.
    pub row: usize,
    /// The column's name; empty for the row or file as a whole.
    pub column: String,
    /// The rule.
    pub rule: Rule,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl RowError {
    fn file(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            row: 0,
            column: String::new(),
            rule,
            message: message.into(),
        }
    }
}

/// The import template: the header row and one example row, as CSV.
#[must_use]
pub fn template_csv() -> String {
    let example = [
        "財稅字第1140001號",
        "2025-03-14",
        "示範電信股份有限公司",
        "telecom",
        "稅捐稽徵法",
        "第 30 條",
        "administrative_investigation",
        "subscriber;connection",
        "3",
        "科長",
        "2025-03-13",
        "some",
        "",
        "",
    ];
    format!("{}\r\n{}\r\n", COLUMNS.join(","), example.join(","))
}

/// Reads CSV text (UTF-8, a byte-order mark allowed) into rows of cells.
///
/// # Errors
/// A file-level error when the text is not CSV.
pub fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(record) => rows.push(record.iter().map(str::to_owned).collect()),
            Err(e) => {
                return Err(vec![RowError {
                    row: i + 1,
                    column: String::new(),
                    rule: Rule::Format,
                    message: format!("not readable as CSV: {e}"),
                }]);
            }
        }
    }
    Ok(rows)
}

/// Checks rows (the first being the header) as requests of `agency` registered on `today`.
/// Blank rows are skipped; columns may come in any order; unknown columns are refused.
///
/// # Errors
/// Every broken rule of every row, in order; then nothing is to be stored.
pub fn requests(
    rows: &[Vec<String>],
    agency: &AgencyCode,
    today: Date,
) -> Result<Vec<ProviderRequest>, Vec<RowError>> {
    let Some((header, body)) = rows.split_first() else {
        return Err(vec![RowError::file(
            Rule::Required,
            "the file is empty: start from the template's header row",
        )]);
    };
    let mut errors = Vec::new();
    let mut columns = Vec::with_capacity(header.len());
    for name in header {
        let name = name.trim().trim_start_matches('\u{feff}');
        if name.is_empty() {
            columns.push(None);
        } else if COLUMNS.contains(&name) {
            if columns.contains(&Some(name.to_owned())) {
                errors.push(RowError {
                    row: 1,
                    column: name.to_owned(),
                    rule: Rule::Duplicate,
                    message: "this column appears twice".into(),
                });
            }
            columns.push(Some(name.to_owned()));
        } else {
            errors.push(RowError {
                row: 1,
                column: name.to_owned(),
                rule: Rule::NotAllowed,
                message: format!(
                    "not a column of the template; the columns are {}",
                    COLUMNS.join(", ")
                ),
            });
            columns.push(None);
        }
    }
    for required in COLUMNS.iter().take(12) {
        if !columns.iter().any(|c| c.as_deref() == Some(*required)) {
            errors.push(RowError {
                row: 1,
                column: (*required).to_owned(),
                rule: Rule::Required,
                message: "the header lacks this column".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let filled: Vec<(usize, &Vec<String>)> = body
        .iter()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if filled.len() > MAX_ROWS {
        return Err(vec![RowError::file(
            Rule::TooLong,
            format!("at most {MAX_ROWS} rows per file; split it"),
        )]);
    }
    if filled.is_empty() {
        return Err(vec![RowError::file(
            Rule::Required,
            "the file has no request rows",
        )]);
    }
    let mut requests = Vec::with_capacity(filled.len());
    let mut references = HashSet::new();
    for (i, cells) in filled {
        let row = i + 2;
        let mut submission = ProviderRequestSubmission::default();
        for (column, cell) in columns.iter().zip(cells) {
            if let Some(slot) = column.as_deref().and_then(|c| submission.column_mut(c)) {
                cell.trim().clone_into(slot);
            }
        }
        if !submission.reference.is_empty() && !references.insert(submission.reference.clone()) {
            errors.push(RowError {
                row,
                column: "reference".into(),
                rule: Rule::Duplicate,
                message: "this reference appears on an earlier row".into(),
            });
        }
        match submission.validate(agency, today) {
            Ok(request) => requests.push(request),
            Err(broken) => errors.extend(broken.0.into_iter().map(|e| RowError {
                row,
                column: e.field,
                rule: e.rule,
                message: e.message,
            })),
        }
    }
    if errors.is_empty() {
        Ok(requests)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn agency() -> AgencyCode {
        AgencyCode::parse("MOF").unwrap()
    }

    #[test]
    fn the_template_imports_as_one_request() {
        let rows = csv_rows(&format!("\u{feff}{}", template_csv())).unwrap();
        let requests = requests(&rows, &agency(), date!(2025 - 12 - 31)).unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].identifiers, 3);
    }

    #[test]
    fn every_error_names_its_row_and_column() {
        let mut text = template_csv();
        text.push_str(",,,,,,,,,,,,,\r\n");
        text.push_str("財稅字第1140001號,2025-13-01,示範,bank,法,條,administrative_regulation,subscriber,1,科長,2025-01-01,all,,\r\n");
        let rows = csv_rows(&text).unwrap();
        let errors = requests(&rows, &agency(), date!(2025 - 12 - 31)).unwrap_err();
        let found: Vec<(usize, &str, Rule)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.rule))
            .collect();
        assert_eq!(
            found,
            [
                (4, "reference", Rule::Duplicate),
                (4, "requested_on", Rule::Format),
                (4, "sector", Rule::UnknownCode),
            ]
        );
    }

    #[test]
    fn headers_are_checked_before_rows() {
        let rows = csv_rows("reference,colour\r\nx,red\r\n").unwrap();
        let errors = requests(&rows, &agency(), date!(2025 - 12 - 31)).unwrap_err();
        assert!(errors.iter().all(|e| e.row == 1));
        assert!(
            errors
                .iter()
                .any(|e| e.column == "colour" && e.rule == Rule::NotAllowed)
        );
        assert!(
            errors
                .iter()
                .any(|e| e.column == "provider" && e.rule == Rule::Required)
        );
        assert_eq!(
            requests(&[], &agency(), date!(2025 - 12 - 31)).unwrap_err()[0].row,
            0
        );
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let mut rows = csv_rows(&template_csv()).unwrap();
        for row in &mut rows {
            row.reverse();
        }
        assert_eq!(
            requests(&rows, &agency(), date!(2025 - 12 - 31))
                .unwrap()
                .len(),
            1
        );
    }
}
