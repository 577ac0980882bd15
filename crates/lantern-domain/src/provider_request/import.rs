//! Importing a spreadsheet of requests to online providers: the register's columns, its
//! template, and the rows checked as requests (see [`crate::import`] for the shared rules).

use std::collections::HashSet;

use time::Date;

use super::{COLUMNS, ProviderRequest, ProviderRequestSubmission};
use crate::agency::AgencyCode;
use crate::import::{RowError, records, template};
use crate::validation::Rule;

pub use crate::import::{MAX_ROWS, csv_rows};

/// The import template: the header row and one example row, as CSV.
#[must_use]
pub fn template_csv() -> String {
    template(
        &COLUMNS,
        &[
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
        ],
    )
}

/// Checks rows (the first being the header) as requests of `agency` registered on `today`.
///
/// # Errors
/// Every broken rule of every row, in order; then nothing is to be stored.
pub fn requests(
    rows: &[Vec<String>],
    agency: &AgencyCode,
    today: Date,
) -> Result<Vec<ProviderRequest>, Vec<RowError>> {
    let rows = records(
        rows,
        &COLUMNS,
        12,
        |s: &mut ProviderRequestSubmission, column, cell| {
            if let Some(slot) = s.column_mut(column) {
                cell.clone_into(slot);
            }
        },
    )?;
    let mut errors = Vec::new();
    let mut requests = Vec::with_capacity(rows.len());
    let mut references = HashSet::new();
    for (row, submission) in rows {
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
            Err(broken) => errors.extend(RowError::of_row(row, broken)),
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
