//! The canonical JSON shared by the log's two byte formats, the log entry and the canonical
//! event.
//!
//! Canonical means: one object, keys in the order the format fixes (not sorted), no whitespace
//! outside strings, every key always present (`null` for an absent value), integers in plain
//! decimal, and strings escaped exactly as RFC 8785 (JCS) escapes them: `\"`, `\\`, the short
//! forms `\b \f \n \r \t`, `\u00xx` with lowercase hex for the other control characters, and
//! every other character as its raw UTF-8. Any JSON library can read these bytes; only one byte
//! sequence encodes a given value, so a decoder checks canonicity by encoding what it read and
//! comparing.

use std::fmt::Write as _;

/// Why bytes are not a valid entry or event, or why the values given cannot form one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// A value breaks a rule of the format: fix the value (for ingestion, a 422 naming the
    /// field).
    #[error("{field}: {rule}")]
    Invalid {
        /// The JSON key of the offending value.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The bytes declare a format version this library does not know: upgrade the reader.
    #[error("format version {found} is not supported (this reader knows version 1)")]
    UnsupportedVersion {
        /// The version found in the bytes.
        found: u64,
    },
    /// The bytes are not a JSON object of the expected shape: reject them.
    #[error("malformed: {0}")]
    Malformed(String),
    /// The bytes hold a valid value but not in its one canonical encoding (key order,
    /// whitespace, escaping, number form): reject them, since their hash would not be
    /// reproducible.
    #[error("not in canonical form")]
    NotCanonical,
}

/// Builds one canonical JSON object, key by key, in the order the calls are made.
pub(crate) struct ObjectWriter {
    out: String,
    empty: bool,
}

impl ObjectWriter {
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("{"),
            empty: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_string(&mut self.out, key);
        self.out.push(':');
    }

    pub(crate) fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        write_string(&mut self.out, value);
        self
    }

    pub(crate) fn optional_string(mut self, key: &str, value: Option<&str>) -> Self {
        self.key(key);
        match value {
            Some(value) => write_string(&mut self.out, value),
            None => self.out.push_str("null"),
        }
        self
    }

    pub(crate) fn strings<'a>(mut self, key: &str, values: impl Iterator<Item = &'a str>) -> Self {
        self.key(key);
        self.out.push('[');
        for (i, value) in values.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            write_string(&mut self.out, value);
        }
        self.out.push(']');
        self
    }

    pub(crate) fn number(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{value}");
        self
    }

    pub(crate) fn boolean(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// Adds a value that is already canonical JSON (a nested object, or `null`).
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Writes `value` as a JSON string with RFC 8785 escaping. Runs of characters that need no
/// escape are copied whole.
fn write_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(value.len() + 2);
    out.push('"');
    let mut run_start = 0;
    for (at, byte) in value.bytes().enumerate() {
        // Every byte to escape is ASCII, so it never falls inside a multi-byte character.
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        out.push_str(&value[run_start..at]);
        run_start = at + 1;
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out.push_str(&value[run_start..]);
    out.push('"');
}

/// Parses `bytes` as `T` (whose `Deserialize` should deny unknown fields). When they do not
/// fit, an object whose `v` is not `expected_version` is reported as
/// [`FormatError::UnsupportedVersion`] rather than as malformed, so that a reader can tell
/// "a version I do not know" from "broken bytes".
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    expected_version: u64,
) -> Result<T, FormatError> {
    #[derive(serde::Deserialize)]
    struct VersionOnly {
        v: u64,
    }
    serde_json::from_slice(bytes).map_err(|error| {
        match serde_json::from_slice::<VersionOnly>(bytes) {
            Ok(VersionOnly { v: found }) if found != expected_version => {
                FormatError::UnsupportedVersion { found }
            }
            _ => FormatError::Malformed(error.to_string()),
        }
    })
}

/// Maps a parse failure of one field to [`FormatError::Invalid`].
pub(crate) fn invalid(field: &'static str) -> impl Fn(&'static str) -> FormatError {
    move |rule| FormatError::Invalid { field, rule }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_like_rfc_8785() {
        let json = ObjectWriter::new()
            .string("s", "a\"b\\c\u{08}\u{0c}\n\r\t\u{01}\u{1f}\u{7f}/é台")
            .finish();
        assert_eq!(
            json,
            "{\"s\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}/é台\"}"
        );
    }

    #[test]
    fn writes_every_kind_of_value() {
        let json = ObjectWriter::new()
            .number("n", 18)
            .boolean("t", true)
            .boolean("f", false)
            .optional_string("none", None)
            .optional_string("some", Some("x"))
            .strings("list", ["a", "b"].into_iter())
            .strings("empty", std::iter::empty())
            .raw("obj", "{\"k\":1}")
            .finish();
        assert_eq!(
            json,
            r#"{"n":18,"t":true,"f":false,"none":null,"some":"x","list":["a","b"],"empty":[],"obj":{"k":1}}"#
        );
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    proptest! {
        #[test]
        fn strings_round_trip_through_any_json_reader(s in "\\PC*|[\\x00-\\x7f]*") {
            let json = ObjectWriter::new().string("s", &s).finish();
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(value["s"].as_str(), Some(s.as_str()));
            // serde_json's own writer escapes the same way, so the two agree byte for byte.
            prop_assert_eq!(json, serde_json::json!({ "s": s }).to_string());
        }
    }
}
