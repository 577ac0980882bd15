//! The error of one event of a batch, shared by the parser and the checks.

use std::fmt;

use lantern_domain::Rule;
use lantern_log::EventId;

/// One broken rule of one event: which event, which field, which rule, and a sentence a person
/// can act on. Never holds the subject's number or free text the sender wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// The event's position in the batch, counting events from 0.
    pub position: usize,
    /// The event's id as sent, when it is a well-formed UUID (anything else is not echoed: it
    /// might be personal data sent in the wrong field).
    pub id: Option<String>,
    /// The field as named in the wire form, e.g. `purpose`, `categories[1]`,
    /// `confidential.until`; empty when the event as a whole is at fault.
    pub field: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// A plain sentence saying what is wrong and what to do.
    pub message: String,
}

impl EventError {
    /// An error of the event at `position`, whose `id` field read `raw_id`.
    pub(crate) fn new(
        position: usize,
        raw_id: Option<&str>,
        field: impl Into<String>,
        rule: Rule,
        message: impl Into<String>,
    ) -> Self {
        Self {
            position,
            id: raw_id
                .filter(|id| EventId::parse(id).is_ok())
                .map(str::to_owned),
            field: field.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}", self.position)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        if !self.field.is_empty() {
            write!(f, ", {}", self.field)?;
        }
        write!(f, ": {} [{}]", self.message, self.rule)
    }
}

impl std::error::Error for EventError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_only_well_formed_ids() {
        let id = "0190F8A2-6C1E-7B3D-9A4F-2C5E8D1B7A60";
        let error = EventError::new(3, Some(id), "purpose", Rule::UnknownCode, "Fix it.");
        assert_eq!(error.id.as_deref(), Some(id));
        assert_eq!(
            error.to_string(),
            format!("event 3 ({id}), purpose: Fix it. [unknown_code]")
        );
        let error = EventError::new(0, Some("A123456789"), "", Rule::Format, "Fix it.");
        assert_eq!(error.id, None);
        assert_eq!(error.to_string(), "event 0: Fix it. [format]");
    }
}
