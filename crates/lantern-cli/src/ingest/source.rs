//! Reading an input file event by event, streaming: each event comes with the line it starts
//! on, so that the server's complaints can be pointed back at the file.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, bail};

use super::csv_events::CsvEvents;
use crate::cli::InputFormat;

/// One event read from the input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceEvent {
    /// The 1-based line of the file the event starts on.
    pub(crate) line: u64,
    /// The event's `id`, when it has one as a string.
    pub(crate) id: Option<String>,
    /// The event as one line of JSON (no newline).
    pub(crate) json: String,
    /// How many bytes of the file have been read once this event is (for progress).
    pub(crate) read_to: u64,
}

/// The format of `path`, from `format` when given, else from the file's extension.
///
/// # Errors
/// When no format is given and the extension names none.
pub(crate) fn format_of(path: &Path, format: Option<InputFormat>) -> anyhow::Result<InputFormat> {
    if let Some(format) = format {
        return Ok(format);
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("ndjson" | "jsonl") => Ok(InputFormat::Ndjson),
        Some("csv") => Ok(InputFormat::Csv),
        _ => bail!(
            "cannot tell the format of {} from its extension: name it .ndjson, .jsonl or .csv, or pass --format",
            path.display()
        ),
    }
}

/// The events of the file at `path`, read lazily.
///
/// # Errors
/// When the file cannot be opened, or (CSV) its header row is not one of event fields.
pub(crate) fn open(
    path: &Path,
    format: InputFormat,
) -> anyhow::Result<Box<dyn Iterator<Item = anyhow::Result<SourceEvent>>>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(match format {
        InputFormat::Ndjson => Box::new(NdjsonEvents::new(BufReader::new(file))),
        InputFormat::Csv => Box::new(CsvEvents::new(file)?),
    })
}

/// The events of NDJSON text: one JSON object per line; blank lines are skipped.
pub(crate) struct NdjsonEvents<R> {
    reader: R,
    line: u64,
    read_to: u64,
    buffer: String,
}

impl<R: BufRead> NdjsonEvents<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            read_to: 0,
            buffer: String::new(),
        }
    }

    fn next_event(&mut self) -> anyhow::Result<Option<SourceEvent>> {
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_line(&mut self.buffer)
                .with_context(|| format!("line {}: not UTF-8 text", self.line + 1))?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.read_to += read as u64;
            let text = self.buffer.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(text)
                .with_context(|| format!("line {}: not valid JSON", self.line))?;
            let serde_json::Value::Object(object) = value else {
                bail!("line {}: an event is a JSON object", self.line);
            };
            return Ok(Some(SourceEvent {
                line: self.line,
                id: object
                    .get("id")
                    .and_then(|id| id.as_str())
                    .map(str::to_owned),
                json: text.to_owned(),
                read_to: self.read_to,
            }));
        }
    }
}

impl<R: BufRead> Iterator for NdjsonEvents<R> {
    type Item = anyhow::Result<SourceEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<anyhow::Result<SourceEvent>> {
        NdjsonEvents::new(text.as_bytes()).collect()
    }

    #[test]
    fn formats_from_extensions() {
        let format = |name: &str| format_of(Path::new(name), None).ok();
        assert_eq!(format("a.ndjson"), Some(InputFormat::Ndjson));
        assert_eq!(format("dir/a.JSONL"), Some(InputFormat::Ndjson));
        assert_eq!(format("a.csv"), Some(InputFormat::Csv));
        assert_eq!(format("a.json"), None);
        assert_eq!(format("events"), None);
        assert_eq!(
            format_of(Path::new("events"), Some(InputFormat::Csv)).ok(),
            Some(InputFormat::Csv)
        );
    }

    #[test]
    fn ndjson_lines_keep_their_numbers() {
        let events = read("\u{feff}{\"id\":\"a\"}\r\n\n  \n{\"id\":7, \"x\": [1]}\n{\"id\":\"c\"}");
        let events: Vec<SourceEvent> = events.into_iter().map(Result::unwrap).collect();
        assert_eq!(events.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 4, 5]);
        assert_eq!(events[0].id.as_deref(), Some("a"));
        assert_eq!(events[0].json, "{\"id\":\"a\"}");
        assert_eq!(events[1].id, None, "a non-string id is left to the server");
        assert_eq!(events[1].json, "{\"id\":7, \"x\": [1]}");
        assert_eq!(events[2].read_to, 48);
    }

    #[test]
    fn ndjson_errors_name_the_line() {
        let events = read("{\"id\":\"a\"}\n{\"id\":\n");
        assert!(events[0].is_ok());
        let error = format!("{:#}", events[1].as_ref().unwrap_err());
        assert!(error.starts_with("line 2: not valid JSON"), "{error}");
        let events = read("[1,2]\n");
        let error = format!("{:#}", events[0].as_ref().unwrap_err());
        assert_eq!(error, "line 1: an event is a JSON object");
    }
}
