//! Importing a spreadsheet of requests between agencies: the columns, the template, and the
//! rows read as submissions (see [`crate::import`]). Each row is then validated against the
//! file it names, which the caller looks up.

use super::DataRequestSubmission;
use crate::import::{RowError, records, template};

/// The columns of a request row, in the order of the template; the first eight must be in the
/// header.
pub const COLUMNS: [&str; 11] = [
    "file",
    "purpose",
    "legal_basis",
    "legal_citation",
    "categories",
    "retention",
    "security",
    "recipients",
    "subjects",
    "population",
    "consent_evidence",
];

/// The import template: the header row and one example row, as CSV.
#[must_use]
pub fn template_csv() -> String {
    template(
        &COLUMNS,
        &[
            "nhi-claims",
            "157",
            "PDPA-6-P4",
            "個人資料保護法第 6 條第 1 項但書第 4 款",
            "C001;C111",
            "研究結束後一年內刪除",
            "去識別化後於隔離之分析環境處理",
            "國家發展委員會研究小組",
            "1200",
            "",
            "",
        ],
    )
}

/// Reads rows (the first being the header) as submissions, each with its spreadsheet row.
/// `categories` take several codes separated by `;`.
///
/// # Errors
/// Every header error, or a file without rows or with too many.
pub fn submissions(
    rows: &[Vec<String>],
) -> Result<Vec<(usize, DataRequestSubmission)>, Vec<RowError>> {
    records(
        rows,
        &COLUMNS,
        8,
        |s: &mut DataRequestSubmission, column, cell| {
            let cell = cell.to_owned();
            match column {
                "file" => s.file = cell,
                "purpose" => s.purpose = cell,
                "legal_basis" => s.legal_basis = cell,
                "legal_citation" => s.legal_citation = cell,
                "categories" => {
                    s.categories = cell
                        .split([';', ',', '、'])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                "retention" => s.retention = cell,
                "security" => s.security = cell,
                "recipients" => s.recipients = cell,
                "subjects" => s.subjects = cell,
                "population" => s.population = cell,
                _ => s.consent_evidence = cell,
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::csv_rows;

    #[test]
    fn the_template_reads_as_one_submission() {
        let rows = csv_rows(&template_csv()).unwrap();
        let read = submissions(&rows).unwrap();
        assert_eq!(read.len(), 1);
        let (row, submission) = &read[0];
        assert_eq!(*row, 2);
        assert_eq!(submission.categories, ["C001", "C111"]);
        assert_eq!(submission.subjects, "1200");
    }

    #[test]
    fn a_header_without_the_required_columns_is_refused() {
        let rows = csv_rows("file,purpose\r\nnhi-claims,157\r\n").unwrap();
        let errors = submissions(&rows).unwrap_err();
        assert!(errors.iter().all(|e| e.row == 1));
        assert!(errors.iter().any(|e| e.column == "legal_basis"));
        assert!(
            !errors.iter().any(|e| e.column == "subjects"),
            "optional columns"
        );
    }
}
