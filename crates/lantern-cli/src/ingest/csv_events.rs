//! Events from CSV: a header row of the API's field names, then one event per row.
//!
//! `categories` holds the codes separated by `;`; `confidential_ground` and
//! `confidential_until` together make `confidential`; an empty optional cell is an absent
//! field (an empty `records` is 1). Values are passed on as written (trimmed): the server checks them and names the
//! row's line when one is wrong. Only what cannot be put in the API's JSON at all (a `records`
//! that is not a number, half a `confidential`) is refused here.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;

use anyhow::{Context, bail};
use lantern_usage::{ConfidentialSubmission, EventSubmission};

use super::source::SourceEvent;

/// The columns every file must have.
const REQUIRED: [&str; 8] = [
    "id",
    "occurred_at",
    "file",
    "subject",
    "action",
    "purpose",
    "categories",
    "legal_basis",
];

/// The columns a file may have.
const OPTIONAL: [&str; 7] = [
    "legal_citation",
    "recipient",
    "reference",
    "actor",
    "records",
    "confidential_ground",
    "confidential_until",
];

/// Where each known column is in the file.
struct Columns {
    /// `index[i]` is the position of column `REQUIRED ++ OPTIONAL` number `i`, if present.
    index: Vec<Option<usize>>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> anyhow::Result<Self> {
        let names: Vec<&str> = REQUIRED.iter().chain(&OPTIONAL).copied().collect();
        let mut index = vec![None; names.len()];
        for (position, name) in header.iter().enumerate() {
            let Some(known) = names.iter().position(|n| *n == name) else {
                bail!(
                    "line 1: unknown column {name:?}; the columns are {}",
                    names.join(", ")
                );
            };
            if index[known].replace(position).is_some() {
                bail!("line 1: column {name:?} appears twice");
            }
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .zip(&index)
            .filter(|(_, at)| at.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            bail!("line 1: missing column(s) {}", missing.join(", "));
        }
        Ok(Self { index })
    }

    /// The trimmed cell of column `name` in `row`; empty when the file has no such column.
    fn cell<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        REQUIRED
            .iter()
            .chain(&OPTIONAL)
            .position(|n| *n == name)
            .and_then(|known| self.index[known])
            .and_then(|position| row.get(position))
            .unwrap_or("")
    }

    fn optional<'r>(&self, row: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        Some(self.cell(row, name)).filter(|cell| !cell.is_empty())
    }

    /// The event of one row as the API's JSON.
    fn event_json(&self, row: &csv::StringRecord) -> anyhow::Result<String> {
        let records = self
            .optional(row, "records")
            .map(|cell| {
                cell.parse::<u64>()
                    .with_context(|| format!("column records: {cell:?} is not a whole number"))
            })
            .transpose()?;
        let confidential = match (
            self.optional(row, "confidential_ground"),
            self.optional(row, "confidential_until"),
        ) {
            (None, None) => None,
            (Some(ground), Some(until)) => Some(ConfidentialSubmission {
                ground: ground.to_owned(),
                until: until.to_owned(),
            }),
            _ => bail!(
                "columns confidential_ground and confidential_until are filled in together or not at all"
            ),
        };
        let text = |name: &str| self.cell(row, name).to_owned();
        let optional = |name: &str| self.optional(row, name).map(str::to_owned);
        let event = EventSubmission {
            id: text("id"),
            occurred_at: text("occurred_at"),
            file: text("file"),
            subject: text("subject"),
            action: text("action"),
            purpose: text("purpose"),
            categories: self
                .cell(row, "categories")
                .split(';')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(str::to_owned)
                .collect(),
            legal_basis: text("legal_basis"),
            legal_citation: optional("legal_citation"),
            recipient: optional("recipient"),
            reference: optional("reference"),
            actor: optional("actor"),
            records: records.unwrap_or(1),
            confidential,
        };
        serde_json::to_string(&event).context("encoding the event as JSON")
    }
}

/// The events of a CSV file, read lazily.
pub(crate) struct CsvEvents<R> {
    reader: csv::Reader<LineTracker<R>>,
    columns: Columns,
    row: csv::StringRecord,
}

impl CsvEvents<File> {
    /// Reads the header row of `file`.
    ///
    /// # Errors
    /// When the header cannot be read or names an unknown column, a column twice, or misses a
    /// required one.
    pub(crate) fn new(file: File) -> anyhow::Result<Self> {
        Self::from_reader(file)
    }
}

impl<R: Read> CsvEvents<R> {
    fn from_reader(input: R) -> anyhow::Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(LineTracker::new(input));
        let header = reader.headers().context("line 1: reading the header row")?;
        let columns = Columns::from_header(header)?;
        Ok(Self {
            reader,
            columns,
            row: csv::StringRecord::new(),
        })
    }

    fn next_event(&mut self) -> anyhow::Result<Option<SourceEvent>> {
        let more = self.reader.read_record(&mut self.row).map_err(|error| {
            let byte = error
                .position()
                .map_or_else(|| self.reader.position().byte(), csv::Position::byte);
            let line = self.reader.get_mut().line_at(byte);
            anyhow::Error::new(error).context(format!("line {line}: not a well-formed CSV row"))
        })?;
        if !more {
            return Ok(None);
        }
        let start = self
            .row
            .position()
            .map_or_else(|| self.reader.position().byte(), csv::Position::byte);
        let line = self.reader.get_mut().line_at(start);
        let json = self
            .columns
            .event_json(&self.row)
            .with_context(|| format!("line {line}"))?;
        let id = Some(self.columns.cell(&self.row, "id"))
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        Ok(Some(SourceEvent {
            line,
            id,
            json,
            read_to: self.reader.position().byte(),
        }))
    }
}

/// Passes the file through to the CSV parser, keeping the bytes from the last record on, so
/// that a record's line is exact: the csv crate counts a record from the end of the one before,
/// so blank lines and carriage returns in between would be counted as part of it.
struct LineTracker<R> {
    inner: R,
    /// The bytes read from offset `window_start` on.
    window: VecDeque<u8>,
    window_start: u64,
    /// Newlines before `window_start`.
    newlines_before: u64,
}

impl<R> LineTracker<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            window: VecDeque::new(),
            window_start: 0,
            newlines_before: 0,
        }
    }

    /// The 1-based line of the first byte at or after `byte` that does not end a line: where a
    /// record the parser placed at `byte` really starts. Forgets the bytes before `byte`, so
    /// offsets must not decrease from one call to the next.
    fn line_at(&mut self, byte: u64) -> u64 {
        let behind = usize::try_from(byte.saturating_sub(self.window_start))
            .unwrap_or(usize::MAX)
            .min(self.window.len());
        self.newlines_before += count_newlines(self.window.drain(..behind));
        self.window_start += behind as u64;
        let terminators = self
            .window
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'));
        self.newlines_before + count_newlines(terminators) + 1
    }
}

fn count_newlines(bytes: impl IntoIterator<Item = impl std::borrow::Borrow<u8>>) -> u64 {
    bytes.into_iter().filter(|b| *b.borrow() == b'\n').count() as u64
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.window.extend(&buf[..read]);
        Ok(read)
    }
}

impl<R: Read> Iterator for CsvEvents<R> {
    type Item = anyhow::Result<SourceEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> anyhow::Result<Vec<anyhow::Result<SourceEvent>>> {
        Ok(CsvEvents::from_reader(text.as_bytes())?.collect())
    }

    const HEADER: &str = "id,occurred_at,file,subject,action,purpose,categories,legal_basis,legal_citation,recipient,reference,actor,records,confidential_ground,confidential_until\n";

    #[test]
    fn rows_become_api_events() {
        let text = format!(
            "{HEADER}\
             e1,2025-03-14T02:15:00Z,nhi-claims,A123456789,use,031,C001; C011,PDPA-16-MAIN,,,NHI-1,officer-7f3a,,,\n\
             \n\
             e2 , 2025-03-15T00:00:00+08:00,nhi-claims,A123456789,disclose,025,C001,PDPA-16-P1,\"Art. 16, item 1\",\"Investigators\nBureau\",,,3,GIDA-18-2,2026-03-15\n\
             e3,2025-03-16T00:00:00Z,nhi-claims,A123456789,use,031,,PDPA-16-MAIN,,,,,,,\n"
        );
        let events: Vec<SourceEvent> = read(&text)
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(events.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 4, 6]);
        assert_eq!(
            events[0].json,
            r#"{"id":"e1","occurred_at":"2025-03-14T02:15:00Z","file":"nhi-claims","subject":"A123456789","action":"use","purpose":"031","categories":["C001","C011"],"legal_basis":"PDPA-16-MAIN","reference":"NHI-1","actor":"officer-7f3a","records":1}"#
        );
        assert_eq!(
            events[1].json,
            r#"{"id":"e2","occurred_at":"2025-03-15T00:00:00+08:00","file":"nhi-claims","subject":"A123456789","action":"disclose","purpose":"025","categories":["C001"],"legal_basis":"PDPA-16-P1","legal_citation":"Art. 16, item 1","recipient":"Investigators\nBureau","records":3,"confidential":{"ground":"GIDA-18-2","until":"2026-03-15"}}"#
        );
        assert_eq!(events[1].id.as_deref(), Some("e2"));
        assert!(events[2].json.contains(r#""categories":[]"#));
        assert_eq!(events[2].read_to, text.len() as u64);
    }

    #[test]
    fn lines_are_exact_across_blank_lines_and_crlf() {
        let row = |id: &str| format!("{id},t,f,s,use,031,C001,PDPA-15-1");
        let header = "id,occurred_at,file,subject,action,purpose,categories,legal_basis";
        let text = format!(
            "\u{feff}{header}\r\n{}\r\n\r\n\r\n{}\r\n{}\r\n\n{}\n",
            row("a"),
            row("b"),
            row("\"c\r\nd\""),
            row("e")
        );
        let lines: Vec<u64> = read(&text)
            .unwrap()
            .into_iter()
            .map(|e| e.unwrap().line)
            .collect();
        assert_eq!(lines, [2, 5, 6, 9]);
        let text = format!("{header}\n{}\n\n\nbroken,row\n", row("a"));
        let errors: Vec<String> = read(&text)
            .unwrap()
            .into_iter()
            .filter_map(|e| e.err().map(|e| format!("{e:#}")))
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("line 5: not a well-formed CSV row"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn columns_may_come_in_any_order_and_optional_ones_may_be_missing() {
        let text = "legal_basis,categories,purpose,action,subject,file,occurred_at,id\n\
                    PDPA-15-1,C001,031,collect,A123456789,nhi-claims,2025-03-14T00:00:00Z,e9\n";
        let events = read(text).unwrap();
        let event = events[0].as_ref().unwrap();
        assert_eq!(
            event.json,
            r#"{"id":"e9","occurred_at":"2025-03-14T00:00:00Z","file":"nhi-claims","subject":"A123456789","action":"collect","purpose":"031","categories":["C001"],"legal_basis":"PDPA-15-1","records":1}"#
        );
    }

    #[test]
    fn bad_headers_are_refused() {
        let error = |text: &str| format!("{:#}", read(text).err().unwrap());
        assert!(
            error("id,occurred_at,color\n").starts_with("line 1: unknown column \"color\""),
            "{}",
            error("id,occurred_at,color\n")
        );
        assert_eq!(error("id,id\n"), "line 1: column \"id\" appears twice");
        assert_eq!(
            error("id,occurred_at,file,subject,action,purpose\n"),
            "line 1: missing column(s) categories, legal_basis"
        );
    }

    #[test]
    fn rows_that_cannot_be_events_name_their_line() {
        let text = format!(
            "{HEADER}\
             e1,2025-03-14T02:15:00Z,nhi-claims,A123456789,use,031,C001,PDPA-16-MAIN,,,,,many,,\n\
             e2,2025-03-14T02:15:00Z,nhi-claims,A123456789,use,031,C001,PDPA-16-MAIN,,,,,,GIDA-18-2,\n\
             e3,too,few\n"
        );
        let errors: Vec<String> = read(&text)
            .unwrap()
            .into_iter()
            .map(|e| format!("{:#}", e.unwrap_err()))
            .collect();
        assert_eq!(
            errors[0],
            "line 2: column records: \"many\" is not a whole number: invalid digit found in string"
        );
        assert_eq!(
            errors[1],
            "line 3: columns confidential_ground and confidential_until are filled in together or not at all"
        );
        assert!(
            errors[2].starts_with("line 4: not a well-formed CSV row"),
            "{}",
            errors[2]
        );
    }
}
