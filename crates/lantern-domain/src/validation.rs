//! Validation errors that name the field and the rule that was broken.

use std::fmt;

/// The rule a value broke. The string form (`as_str`) is stable: API clients match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rule {
    /// A required value is missing or blank.
    Required,
    /// The value does not have the expected shape (characters, length, pattern).
    Format,
    /// A code has the right shape but is outside its defined range or list.
    UnknownCode,
    /// The check digit of an identifier does not match.
    CheckDigit,
    /// A file with sensitive data (PDPA Art. 6) needs an Art. 6 proviso basis.
    SensitiveDataNeedsArt6Basis,
    /// A legal basis was given that does not fit where it was used.
    BasisNotApplicable,
    /// A large database must disclose this item (Open Government commitment (2)).
    DisclosureRequired,
    /// A value refers to something that does not exist (an agency, a file).
    UnknownReference,
    /// The value is a duplicate within a list.
    Duplicate,
    /// The value is too long.
    TooLong,
    /// A use outside the file's specific purposes names no basis that permits it (PDPA Art. 16
    /// proviso, or Art. 6 proviso for sensitive data).
    OutOfPurposeNeedsBasis,
    /// The value is well formed but not permitted here (e.g. a data category the file does not
    /// register, or a field that does not exist).
    NotAllowed,
    /// A time lies in the future.
    InFuture,
    /// A number or date lies outside its permitted range.
    OutOfRange,
}

impl Rule {
    /// The stable machine-readable name of the rule.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Format => "format",
            Self::UnknownCode => "unknown_code",
            Self::CheckDigit => "check_digit",
            Self::SensitiveDataNeedsArt6Basis => "sensitive_data_needs_art6_basis",
            Self::BasisNotApplicable => "basis_not_applicable",
            Self::DisclosureRequired => "disclosure_required",
            Self::UnknownReference => "unknown_reference",
            Self::Duplicate => "duplicate",
            Self::TooLong => "too_long",
            Self::OutOfPurposeNeedsBasis => "out_of_purpose_needs_basis",
            Self::NotAllowed => "not_allowed",
            Self::InFuture => "in_future",
            Self::OutOfRange => "out_of_range",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule: where (a JSON-pointer-like dotted path such as `purposes[2].code`), which
/// rule, and a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `large_database.retention`.
    pub field: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// A plain sentence explaining what is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.rule)
    }
}

/// Every rule a submission broke, collected so the submitter can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid field(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records one more broken rule.
    pub fn push(&mut self, field: impl Into<String>, rule: Rule, message: impl Into<String>) {
        self.0.push(FieldError::new(field, rule, message));
    }

    /// True when no rule was broken.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, else the collected errors.
    ///
    /// # Errors
    /// Returns `self` when at least one rule was broken.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}
