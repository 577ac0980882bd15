//! Importing spreadsheets: rows (from CSV here, or from an ODS sheet read by the caller) are
//! checked against a register's columns, and every broken rule is reported with its row (as the
//! spreadsheet numbers it, the header being row 1), column and rule. A file with any error
//! yields nothing at all.

use crate::validation::{Rule, ValidationErrors};

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
    /// An error of the file as a whole.
    #[must_use]
    pub fn file(rule: Rule, message: impl Into<String>) -> Self {
        Self {
            row: 0,
            column: String::new(),
            rule,
            message: message.into(),
        }
    }

    /// The errors of one row's validation, each naming its column.
    #[must_use]
    pub fn of_row(row: usize, errors: ValidationErrors) -> Vec<Self> {
        errors
            .0
            .into_iter()
            .map(|e| Self {
                row,
                column: e.field,
                rule: e.rule,
                message: e.message,
            })
            .collect()
    }
}

/// Reads CSV text (UTF-8, a byte-order mark allowed) into rows of cells.
///
/// # Errors
/// A row-level error when the text is not CSV.
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

/// A template: the header row of `columns` and one example row, as CSV.
#[must_use]
pub fn template(columns: &[&str], example: &[&str]) -> String {
    let quote = |cell: &&str| {
        if cell.contains([',', '"', '\n']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            (*cell).to_owned()
        }
    };
    let example: Vec<String> = example.iter().map(quote).collect();
    format!("{}\r\n{}\r\n", columns.join(","), example.join(","))
}

/// Reads `rows` (the first being the header) as records of a register with `columns`, of
/// which the first `required` must be in the header: each filled row becomes a record by
/// `set(record, column, cell)`, with its spreadsheet row number. Blank rows are skipped;
/// columns may come in any order; unknown and repeated columns are refused.
///
/// # Errors
/// Every header error, or a file without rows or with more than [`MAX_ROWS`].
pub fn records<T: Default>(
    rows: &[Vec<String>],
    columns: &[&str],
    required: usize,
    set: impl Fn(&mut T, &str, &str),
) -> Result<Vec<(usize, T)>, Vec<RowError>> {
    let Some((header, body)) = rows.split_first() else {
        return Err(vec![RowError::file(
            Rule::Required,
            "the file is empty: start from the template's header row",
        )]);
    };
    let mut errors = Vec::new();
    let mut named: Vec<Option<&str>> = Vec::with_capacity(header.len());
    for name in header {
        let name = name.trim().trim_start_matches('\u{feff}');
        if name.is_empty() {
            named.push(None);
            continue;
        }
        match columns.iter().find(|c| **c == name) {
            Some(column) => {
                if named.contains(&Some(*column)) {
                    errors.push(RowError {
                        row: 1,
                        column: name.to_owned(),
                        rule: Rule::Duplicate,
                        message: "this column appears twice".into(),
                    });
                }
                named.push(Some(*column));
            }
            None => {
                errors.push(RowError {
                    row: 1,
                    column: name.to_owned(),
                    rule: Rule::NotAllowed,
                    message: format!(
                        "not a column of the template; the columns are {}",
                        columns.join(", ")
                    ),
                });
                named.push(None);
            }
        }
    }
    for column in columns.iter().take(required) {
        if !named.contains(&Some(*column)) {
            errors.push(RowError {
                row: 1,
                column: (*column).to_owned(),
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
        return Err(vec![RowError::file(Rule::Required, "the file has no rows")]);
    }
    Ok(filled
        .into_iter()
        .map(|(i, cells)| {
            let mut record = T::default();
            for (column, cell) in named.iter().zip(cells) {
                if let Some(column) = column {
                    set(&mut record, column, cell.trim());
                }
            }
            (i + 2, record)
        })
        .collect())
}
