//! Reading a request body as a batch of [`EventSubmission`]s: a JSON array
//! ([`parse_json_array`]) or newline-delimited JSON, one event per line ([`parse_ndjson`]).
//!
//! Each event is read on its own, so an event that cannot be read (a value of the wrong JSON
//! type, an unknown field, a line that is not JSON) is reported with its position while every
//! other event is still read: the sender learns of all unreadable events at once. Only a body
//! that is not a JSON array at all, or holds more than [`MAX_BATCH`] events, fails as a whole.
//!
//! Error messages never quote what the sender wrote, except field names of the wire form: a
//! value might be a subject's number sent in the wrong place.

use lantern_domain::Rule;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_path_to_error::Segment;

use crate::error::EventError;
use crate::submission::EventSubmission;

/// The most events one batch may hold. A sender with more splits them over several requests;
/// the limit bounds the memory and the time one request takes (10,000 events are about 3 MB of
/// JSON and one store transaction).
pub const MAX_BATCH: usize = 10_000;

/// Why a body cannot be taken as a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The body as a whole is not a batch (not JSON, not an array): fix the body.
    #[error("{0}")]
    Malformed(String),
    /// The body holds more than [`MAX_BATCH`] events: split it.
    #[error("a batch holds at most {limit} events; split the events over several requests")]
    TooLarge {
        /// The limit, [`MAX_BATCH`].
        limit: usize,
    },
    /// Some events could not be read; each is reported, and every other event was read.
    #[error("{} event(s) could not be read", .0.len())]
    Unreadable(Vec<EventError>),
}

/// Reads a JSON array of events, `[{…}, {…}]`.
///
/// # Errors
/// [`BatchError::Malformed`] when the body is not a JSON array; [`BatchError::TooLarge`] when
/// it holds more than [`MAX_BATCH`] events; [`BatchError::Unreadable`] listing every event that
/// is not an event object of the wire form.
pub fn parse_json_array(body: &[u8]) -> Result<Vec<EventSubmission>, BatchError> {
    let mut too_large = false;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let items = RawItems {
        too_large: &mut too_large,
    }
    .deserialize(&mut deserializer)
    .and_then(|items| deserializer.end().map(|()| items));
    let items = match items {
        Ok(items) => items,
        Err(_) if too_large => return Err(BatchError::TooLarge { limit: MAX_BATCH }),
        Err(error) => return Err(BatchError::Malformed(body_message(&error))),
    };
    collect(
        items.len(),
        items
            .into_iter()
            .enumerate()
            .map(|(position, raw)| read_event(position, raw.get().as_bytes(), None)),
    )
}

/// Reads newline-delimited JSON: one event object per line, blank lines skipped. Positions
/// count events (from 0), not lines; errors also name the line (from 1).
///
/// # Errors
/// [`BatchError::TooLarge`] when the body holds more than [`MAX_BATCH`] events;
/// [`BatchError::Unreadable`] listing every line that is not an event object of the wire form.
pub fn parse_ndjson(body: &[u8]) -> Result<Vec<EventSubmission>, BatchError> {
    let events = body
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace));
    let count = events.clone().take(MAX_BATCH + 1).count();
    if count > MAX_BATCH {
        return Err(BatchError::TooLarge { limit: MAX_BATCH });
    }
    collect(
        count,
        events
            .enumerate()
            .map(|(position, (line, json))| read_event(position, json, Some(line + 1))),
    )
}

/// Every event, or every reason why one could not be read.
fn collect(
    count: usize,
    events: impl Iterator<Item = Result<EventSubmission, EventError>>,
) -> Result<Vec<EventSubmission>, BatchError> {
    let mut submissions = Vec::with_capacity(count);
    let mut errors = Vec::new();
    for event in events {
        match event {
            Ok(submission) => submissions.push(submission),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(submissions)
    } else {
        Err(BatchError::Unreadable(errors))
    }
}

/// Reads one event; `line` is its line number in an NDJSON body.
fn read_event(
    position: usize,
    json: &[u8],
    line: Option<usize>,
) -> Result<EventSubmission, EventError> {
    // The fast path reads without tracking where it is; only a failure is read again to find
    // the field at fault.
    serde_json::from_slice(json).map_err(|_| {
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let error = match serde_path_to_error::deserialize::<_, EventSubmission>(&mut deserializer)
        {
            Ok(_) => match deserializer.end() {
                Ok(()) => unreadable_without_reason(),
                Err(error) => describe(&[], &error),
            },
            Err(error) => {
                let path: Vec<_> = error.path().iter().cloned().collect();
                describe(&path, error.inner())
            }
        };
        let id = serde_json::from_slice::<IdOnly>(json)
            .ok()
            .and_then(|i| i.id);
        let message = match line {
            Some(line) => format!("Line {line}: {}", error.message),
            None => error.message,
        };
        EventError::new(position, id.as_deref(), error.field, error.rule, message)
    })
}

/// Just the id of an event that could not be read, to name it in the error when possible.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: Option<String>,
}

/// What went wrong reading one event.
struct Unreadable {
    field: String,
    rule: Rule,
    message: String,
}

/// The fast path and the tracking path disagree; cannot happen, but is reported, not panicked on.
fn unreadable_without_reason() -> Unreadable {
    Unreadable {
        field: String::new(),
        rule: Rule::Format,
        message:
            "This event could not be read; check that it is a JSON object of the event fields."
                .to_owned(),
    }
}

/// The wire-form field names of an event, for messages.
const FIELDS: &str = "id, occurred_at, file, subject, action, purpose, categories, legal_basis, \
                      legal_citation, recipient, reference, actor, records, confidential";

/// Turns a reading error at `path` into a field, a rule and a message that quotes no value.
fn describe(path: &[Segment], error: &serde_json::Error) -> Unreadable {
    use serde_json::error::Category;

    let field = field_name(path);
    let detail = without_position(error);
    if matches!(error.classify(), Category::Syntax | Category::Eof) {
        return Unreadable {
            field: String::new(),
            rule: Rule::Format,
            message: format!(
                "This is not valid JSON ({detail}, at column {}); write each event as one JSON object.",
                error.column()
            ),
        };
    }
    if detail.starts_with("unknown field `") {
        // serde_path_to_error reports an unknown key at its own path, below its object's.
        let object = field_name(&path[..path.len().saturating_sub(1)]);
        let (what, known) = if object == "confidential" {
            ("confidential", "ground, until")
        } else {
            ("a usage event", FIELDS)
        };
        let named = matches!(path.last(), Some(Segment::Map { key }) if is_plain_key(key));
        let message = if named {
            format!(
                "{field} is not a field of {what}; check its spelling. The fields are: {known}."
            )
        } else {
            format!("A key is not a field of {what}; check its spelling. The fields are: {known}.")
        };
        return Unreadable {
            field: if named { field } else { object },
            rule: Rule::NotAllowed,
            message,
        };
    }
    if let Some(rest) = detail.strip_prefix("duplicate field `") {
        let key = rest.split('`').next().filter(|k| is_plain_key(k));
        let name = match (field.is_empty(), key) {
            (_, None) => field,
            (true, Some(k)) => k.to_owned(),
            (false, Some(k)) => format!("{field}.{k}"),
        };
        return Unreadable {
            message: format!("{name} is given twice; give each field once."),
            field: name,
            rule: Rule::Duplicate,
        };
    }
    let message = if field.is_empty() {
        "Each event must be a JSON object of the event fields, e.g. {\"id\": \"…\", \"occurred_at\": \"…\", …}.".to_owned()
    } else {
        format!("{field} must be {}.", expected(path))
    };
    Unreadable {
        field,
        rule: Rule::Format,
        message,
    }
}

/// The serde message without serde_json's ` at line L column C` suffix.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// A key worth echoing: a plausible field name, which a subject's number (starting with a
/// capital letter) never is.
fn is_plain_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `categories[1]`, `confidential.until`: the path as the wire form names it.
fn field_name(path: &[Segment]) -> String {
    let mut name = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => name.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(if is_plain_key(key) { key } else { "?" });
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    name
}

/// What a field's value must be, in words.
fn expected(path: &[Segment]) -> &'static str {
    let key = |i: usize| match path.get(i) {
        Some(Segment::Map { key }) => key.as_str(),
        _ => "",
    };
    match (key(0), path.len()) {
        ("categories", 1) => "an array of data-category codes, e.g. [\"C001\", \"C011\"]",
        ("categories", _) => "a data-category code in quotes, e.g. \"C001\"",
        ("records", _) => {
            "a whole number from 1 to 9007199254740991: how many of the person's records were involved"
        }
        ("confidential", 1) => {
            "an object {\"ground\": \"GIDA-18-…\", \"until\": \"YYYY-MM-DD\"}, or left out when the event is not confidential"
        }
        ("legal_citation" | "recipient" | "reference" | "actor", _) => {
            "text in quotes, or left out"
        }
        _ => "text in quotes",
    }
}

/// Splits a JSON array into its items without reading them, refusing more than [`MAX_BATCH`].
struct RawItems<'f> {
    too_large: &'f mut bool,
}

impl<'de> DeserializeSeed<'de> for RawItems<'_> {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RawItems<'_> {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_BATCH));
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX_BATCH {
                *self.too_large = true;
                return Err(serde::de::Error::custom("too many events"));
            }
            items.push(item);
        }
        Ok(items)
    }
}

/// The message for a body that is not a JSON array, quoting nothing from it.
fn body_message(error: &serde_json::Error) -> String {
    use serde_json::error::Category;

    match error.classify() {
        Category::Syntax | Category::Eof => format!(
            "The body is not valid JSON ({}, at line {} column {}).",
            without_position(error),
            error.line(),
            error.column()
        ),
        Category::Data | Category::Io => {
            "The body must be a JSON array of events: [{\"id\": \"…\", …}, {…}].".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{event, uuid};
    use proptest::prelude::*;

    fn array(events: &[EventSubmission]) -> Vec<u8> {
        serde_json::to_vec(events).unwrap()
    }

    fn ndjson(events: &[EventSubmission]) -> Vec<u8> {
        events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    }

    fn unreadable(result: Result<Vec<EventSubmission>, BatchError>) -> Vec<EventError> {
        match result {
            Err(BatchError::Unreadable(errors)) => errors,
            other => panic!("expected unreadable events, got {other:?}"),
        }
    }

    fn summary(errors: &[EventError]) -> Vec<(usize, &str, Rule)> {
        errors
            .iter()
            .map(|e| (e.position, e.field.as_str(), e.rule))
            .collect()
    }

    #[test]
    fn reads_both_forms() {
        let events = [event(1), event(2), event(3)];
        assert_eq!(parse_json_array(&array(&events)).unwrap(), events);
        assert_eq!(parse_ndjson(&ndjson(&events)).unwrap(), events);
        assert_eq!(parse_json_array(b" [ ] ").unwrap(), []);
        assert_eq!(parse_ndjson(b"\n \r\n").unwrap(), []);
    }

    #[test]
    fn a_body_that_is_not_an_array_fails_whole() {
        for body in [
            &b"{}"[..],
            b"",
            b"[{}",
            b"[{}] x",
            b"\"A123456780\"",
            b"null",
        ] {
            match parse_json_array(body) {
                Err(BatchError::Malformed(message)) => {
                    assert!(!message.contains("A123456780"), "{message}");
                }
                other => panic!("{body:?}: {other:?}"),
            }
        }
        let Err(BatchError::Malformed(message)) = parse_json_array(b"[\n{},\n{\"id\" 1}]") else {
            panic!("a syntax error is malformed");
        };
        assert!(message.contains("line 3"), "{message}");
    }

    #[test]
    fn unreadable_events_are_reported_by_position_and_the_others_still_read() {
        let good = serde_json::to_string(&event(1)).unwrap();
        let body = format!(
            r#"[{good}, {{"records":"three"}}, 5, {{"subjct":"x"}}, {good}, {{"id":"{}","categories":["C001",7]}}, {{"confidential":{{"grund":"x"}}}}, {{"id":"a","id":"b"}}]"#,
            uuid(9)
        );
        let errors = unreadable(parse_json_array(body.as_bytes()));
        assert_eq!(
            summary(&errors),
            [
                (1, "records", Rule::Format),
                (2, "", Rule::Format),
                (3, "subjct", Rule::NotAllowed),
                (5, "categories[1]", Rule::Format),
                (6, "confidential.grund", Rule::NotAllowed),
                (7, "id", Rule::Duplicate),
            ]
        );
        assert_eq!(errors[3].id, Some(uuid(9)));
        assert!(
            errors[0]
                .message
                .starts_with("records must be a whole number")
        );
        assert!(
            errors[2]
                .message
                .contains("The fields are: id, occurred_at")
        );
        assert!(errors[4].message.contains("The fields are: ground, until."));
    }

    #[test]
    fn ndjson_positions_count_events_and_messages_name_lines() {
        let good = serde_json::to_string(&event(1)).unwrap();
        let body = format!(
            "{good}\n\n  \r\n{{\"records\":-1}}\r\n{good}\n{{\"id\": \n{good} {good}\n{good}"
        );
        let errors = unreadable(parse_ndjson(body.as_bytes()));
        assert_eq!(
            summary(&errors),
            [
                (1, "records", Rule::Format),
                (3, "", Rule::Format),
                (4, "", Rule::Format),
            ]
        );
        assert!(
            errors[0].message.starts_with("Line 4: records must be"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1]
                .message
                .starts_with("Line 6: This is not valid JSON"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[2].message.starts_with("Line 7: "),
            "{}",
            errors[2].message
        );
    }

    #[test]
    fn no_more_than_the_limit() {
        let at_limit = format!("[{}{{}}]", "{},".repeat(MAX_BATCH - 1));
        assert_eq!(
            parse_json_array(at_limit.as_bytes()).unwrap().len(),
            MAX_BATCH
        );
        let over = format!("[{}{{}}]", "{},".repeat(MAX_BATCH));
        assert_eq!(
            parse_json_array(over.as_bytes()),
            Err(BatchError::TooLarge { limit: MAX_BATCH })
        );
        // Items past the limit are not even looked at.
        let over = format!("[{}", "{},".repeat(MAX_BATCH + 1));
        assert_eq!(
            parse_json_array(over.as_bytes()),
            Err(BatchError::TooLarge { limit: MAX_BATCH })
        );
        assert_eq!(
            parse_ndjson("{}\n\n".repeat(MAX_BATCH).as_bytes())
                .unwrap()
                .len(),
            MAX_BATCH
        );
        assert_eq!(
            parse_ndjson("{}\n".repeat(MAX_BATCH + 1).as_bytes()),
            Err(BatchError::TooLarge { limit: MAX_BATCH })
        );
        assert!(
            BatchError::TooLarge { limit: MAX_BATCH }
                .to_string()
                .contains("10000")
        );
    }

    #[test]
    fn values_are_never_quoted() {
        let number = "A123456780";
        let body = format!(
            r#"[{{"records":"{number}"}}, {{"subject":["{number}"]}}, {{"{number}":1}}, {{"id":"{number}","actor":1}}, {{"categories":"{number}"}}]"#
        );
        let errors = unreadable(parse_json_array(body.as_bytes()));
        assert_eq!(errors.len(), 5);
        for error in &errors {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains(number), "{shown}");
        }
        let errors = unreadable(parse_ndjson(
            format!("{{\"subject\":\"{number}\" x}}").as_bytes(),
        ));
        assert!(!format!("{errors:?}").contains(number));
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[ -~]{0,12}", Just(String::new())]
    }

    fn arb_submission() -> impl Strategy<Value = EventSubmission> {
        let texts = (
            proptest::option::of(arb_text()),
            proptest::option::of(arb_text()),
            proptest::option::of(arb_text()),
            proptest::option::of(arb_text()),
        );
        (
            (arb_text(), arb_text(), arb_text(), arb_text()),
            (arb_text(), arb_text(), arb_text()),
            proptest::collection::vec(arb_text(), 0..4),
            texts,
            any::<u64>(),
            proptest::option::of((arb_text(), arb_text())),
        )
            .prop_map(
                |(
                    (id, occurred_at, file, subject),
                    (action, purpose, legal_basis),
                    categories,
                    (legal_citation, recipient, reference, actor),
                    records,
                    confidential,
                )| EventSubmission {
                    id,
                    occurred_at,
                    file,
                    subject,
                    action,
                    purpose,
                    categories,
                    legal_basis,
                    legal_citation,
                    recipient,
                    reference,
                    actor,
                    records,
                    confidential: confidential
                        .map(|(ground, until)| crate::ConfidentialSubmission { ground, until }),
                },
            )
    }

    proptest! {
        #[test]
        fn both_forms_read_back_what_was_written(
            events in proptest::collection::vec(arb_submission(), 0..6),
            crlf in any::<bool>(),
        ) {
            prop_assert_eq!(&parse_json_array(&array(&events)).unwrap(), &events);
            let mut body = ndjson(&events);
            if crlf {
                body = String::from_utf8(body).unwrap().replace('\n', "\r\n\n").into_bytes();
            }
            prop_assert_eq!(&parse_ndjson(&body).unwrap(), &events);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_json_array(&bytes);
            let _ = parse_ndjson(&bytes);
        }

        #[test]
        fn mutated_batches_never_panic(
            events in proptest::collection::vec(arb_submission(), 1..3),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            for mut body in [array(&events), ndjson(&events)] {
                let i = at.index(body.len());
                body[i] = byte;
                let _ = parse_json_array(&body);
                let _ = parse_ndjson(&body);
            }
        }
    }
}
