//! Requests between agencies to use a registered file outside its specific purposes (特定目的外
//! 利用), under the provisos of PDPA Art. 16 (or, for sensitive data, Art. 6).
//!
//! A requesting agency sends a [`DataRequestSubmission`]; [`DataRequestSubmission::validate`]
//! checks it against the holding agency's registered file and turns it into a [`DataRequest`].
//! The holder decides ([`DecisionSubmission::validate`] makes the [`Decision`]) and, when it
//! approves, delivers ([`Delivery`]). [`TrackedRequest`] is a request with what has become of
//! it, and its transitions are the only way to move on:
//!
//! ```text
//! Filed ──decide──▶ Decided ──deliver (approved or approved in part only)──▶ Delivered
//! ```
//!
//! A request is decided once and delivered once; a refused request is never delivered, and a
//! delivery never reaches more people than were approved.

use std::fmt;

use time::Date;

use crate::agency::AgencyCode;
use crate::codes::{DataCategoryCode, LegalBasisCode, PurposeCode};
use crate::file::{FileId, PersonalDataFile};
use crate::validation::{Rule, ValidationErrors};

/// Longest free-text value of a request or decision, in characters.
pub const MAX_REQUEST_TEXT: usize = 2000;

/// Longest legal citation, in characters. A delivery logs the citation with every usage event,
/// whose free texts the log caps at 1,000 characters on one line.
pub const MAX_CITATION_CHARS: usize = 1000;

time::serde::format_description!(day, Date, "[year]-[month]-[day]");

/// A request's identifier: a UUID, kept in lowercase (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

impl RequestId {
    /// Parses a hyphenated UUID in either case (any version), keeping it lowercase.
    ///
    /// # Errors
    /// A message naming the rule for anything but 32 hex digits in groups 8-4-4-4-12.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let ok = raw.len() == 36
            && raw.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if ok {
            Ok(Self(raw.to_ascii_lowercase()))
        } else {
            Err("a request id is a UUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        }
    }

    /// The id, 36 lowercase characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.0)
    }
}

impl serde::Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A request as the requesting agency sends it: every value as text, so that every mistake can
/// be reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DataRequestSubmission {
    /// The holding agency's registered file, e.g. `nhi-claims`.
    #[cfg_attr(feature = "openapi", schema(example = "nhi-claims"))]
    pub file: String,
    /// The specific purpose (特定目的) the requester will use the data for, `001`-`182`.
    #[cfg_attr(feature = "openapi", schema(example = "157"))]
    pub purpose: String,
    /// The legal basis: an Art. 16 proviso item (`PDPA-16-P1` to `PDPA-16-P7`) or, for a file
    /// with sensitive data, an Art. 6 proviso item (`PDPA-6-P1` to `PDPA-6-P6`).
    #[cfg_attr(feature = "openapi", schema(example = "PDPA-16-P5"))]
    pub legal_basis: String,
    /// The statute and article relied on, e.g. 「個人資料保護法第16條但書第5款」.
    pub legal_citation: String,
    /// Data-category codes asked for, e.g. `["C001", "C111"]`; at least one.
    #[cfg_attr(feature = "openapi", schema(example = json!(["C001", "C111"])))]
    pub categories: Vec<String>,
    /// How many people, a whole number; leave empty when `population` describes them instead.
    #[cfg_attr(feature = "openapi", schema(example = "1200"))]
    pub subjects: String,
    /// Who the people are, in words (required when `subjects` is empty).
    pub population: String,
    /// How the subjects' consent was obtained; required when the basis is consent
    /// (`PDPA-16-P7`, `PDPA-6-P6`).
    pub consent_evidence: String,
    /// How long the requester keeps the data, and how it is disposed of.
    pub retention: String,
    /// How the requester protects the data (access control, de-identification, environment).
    pub security: String,
    /// Who at the requester receives and uses the data.
    pub recipients: String,
}

/// A validated request of one agency to use another's (or its own) registered file outside the
/// file's specific purposes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataRequest {
    /// The request's id.
    pub id: RequestId,
    /// The requesting agency.
    pub requester: AgencyCode,
    /// The agency holding the file (its register entry's agency when the request was filed).
    pub holder: AgencyCode,
    /// The file asked for.
    pub file: FileId,
    /// The purpose the requester will use the data for.
    pub purpose: PurposeCode,
    /// The Art. 16 (or Art. 6) proviso item relied on.
    pub legal_basis: LegalBasisCode,
    /// The statute and article, one line of at most [`MAX_CITATION_CHARS`] characters.
    pub legal_citation: String,
    /// The data categories asked for; never empty, no repeats.
    pub categories: Vec<DataCategoryCode>,
    /// How many people, when a number was given (at least 1).
    pub subjects: Option<u64>,
    /// Who the people are, in words; never empty when `subjects` is `None`.
    pub population: String,
    /// How consent was obtained; never empty when the basis is consent.
    pub consent_evidence: String,
    /// Retention and disposal at the requester.
    pub retention: String,
    /// Security measures at the requester.
    pub security: String,
    /// Who receives the data at the requester.
    pub recipients: String,
    /// The day the request was filed.
    #[serde(with = "day")]
    pub filed_on: Date,
}

impl DataRequestSubmission {
    /// Validates the submission as request `id` of `requester`, filed on `today`, for `file`
    /// (the registered file named by `self.file`, as the caller found it; `None` when there is
    /// none). A request to one of the requester's own files is allowed: a use outside the
    /// file's purposes needs the same basis whoever asks.
    ///
    /// # Errors
    /// Every broken rule, each naming its field.
    pub fn validate(
        self,
        id: RequestId,
        requester: AgencyCode,
        file: Option<&PersonalDataFile>,
        today: Date,
    ) -> Result<DataRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let file_id = match self.file.trim() {
            "" => {
                errors.push(
                    "file",
                    Rule::Required,
                    "name the holding agency's registered file, e.g. nhi-claims",
                );
                None
            }
            raw => match FileId::parse(raw) {
                Ok(file_id) => Some(file_id),
                Err(why) => {
                    errors.push("file", Rule::Format, why);
                    None
                }
            },
        };
        let file = file.filter(|f| Some(&f.id) == file_id.as_ref());
        if let (Some(file_id), None) = (&file_id, file) {
            errors.push(
                "file",
                Rule::UnknownReference,
                format!("no registered file has the id {file_id}; see /api/v1/files"),
            );
        }

        let purpose = match self.purpose.trim() {
            "" => {
                errors.push(
                    "purpose",
                    Rule::Required,
                    "the specific-purpose code of the use, 001 to 182",
                );
                None
            }
            raw => match PurposeCode::parse(raw) {
                Ok(code) => Some(code),
                Err(crate::codes::CodeError::Format(why)) => {
                    errors.push("purpose", Rule::Format, why);
                    None
                }
                Err(crate::codes::CodeError::Unknown(why)) => {
                    errors.push("purpose", Rule::UnknownCode, why);
                    None
                }
            },
        };
        let legal_basis = basis(&self.legal_basis, file, &mut errors);

        let legal_citation = self.legal_citation.trim().to_owned();
        if legal_citation.is_empty() {
            errors.push(
                "legal_citation",
                Rule::Required,
                "cite the statute and article relied on, e.g. 個人資料保護法第16條但書第5款",
            );
        } else if legal_citation.chars().count() > MAX_CITATION_CHARS {
            errors.push(
                "legal_citation",
                Rule::TooLong,
                format!("at most {MAX_CITATION_CHARS} characters"),
            );
        } else if legal_citation.chars().any(char::is_control) {
            errors.push(
                "legal_citation",
                Rule::Format,
                "write the citation on one line, without line breaks or tabs",
            );
        }

        let categories = categories(&self.categories, file, &mut errors);

        let subjects = match self.subjects.trim() {
            "" => None,
            raw => match raw.parse::<u64>() {
                Ok(0) => {
                    errors.push("subjects", Rule::OutOfRange, "at least one person");
                    None
                }
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(
                        "subjects",
                        Rule::Format,
                        "a whole number of people written in digits, e.g. 1200",
                    );
                    None
                }
            },
        };
        let mut text = |field: &str, value: &str, required: Option<&str>| {
            let value = value.trim();
            if value.is_empty() {
                if let Some(why) = required {
                    errors.push(field, Rule::Required, why);
                }
            } else if value.chars().count() > MAX_REQUEST_TEXT {
                errors.push(
                    field,
                    Rule::TooLong,
                    format!("at most {MAX_REQUEST_TEXT} characters"),
                );
            }
            value.to_owned()
        };
        let population = text(
            "population",
            &self.population,
            self.subjects.trim().is_empty().then_some(
                "give the number of people in subjects, or describe who they are in population",
            ),
        );
        let consent_evidence = text(
            "consent_evidence",
            &self.consent_evidence,
            legal_basis
                .as_ref()
                .is_some_and(LegalBasisCode::is_consent)
                .then_some("the basis is the subjects' consent: say how and when it was obtained"),
        );
        let retention = text(
            "retention",
            &self.retention,
            Some("say how long the data is kept and how it is disposed of"),
        );
        let security = text(
            "security",
            &self.security,
            Some("say how the data is protected"),
        );
        let recipients = text(
            "recipients",
            &self.recipients,
            Some("say who receives and uses the data"),
        );

        match (file, purpose, legal_basis) {
            (Some(file), Some(purpose), Some(legal_basis)) if errors.is_empty() => {
                Ok(DataRequest {
                    id,
                    requester,
                    holder: file.agency.clone(),
                    file: file.id.clone(),
                    purpose,
                    legal_basis,
                    legal_citation,
                    categories,
                    subjects,
                    population,
                    consent_evidence,
                    retention,
                    security,
                    recipients,
                    filed_on: today,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The legal basis: listed, and a proviso item that permits a use outside the file's purposes.
fn basis(
    raw: &str,
    file: Option<&PersonalDataFile>,
    errors: &mut ValidationErrors,
) -> Option<LegalBasisCode> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.push(
            "legal_basis",
            Rule::Required,
            "the Art. 16 proviso item relied on, PDPA-16-P1 to PDPA-16-P7",
        );
        return None;
    }
    let Ok(code) = LegalBasisCode::parse(raw) else {
        errors.push(
            "legal_basis",
            Rule::UnknownCode,
            "not a code of the legal-bases list; use PDPA-16-P1 to PDPA-16-P7 (or PDPA-6-P1 to PDPA-6-P6 for sensitive data)",
        );
        return None;
    };
    let sensitive = file.is_some_and(PersonalDataFile::has_sensitive_data);
    let art16 = code.is_out_of_purpose_exception() && code.article() == 16;
    if art16 || code.is_art6_exception() && sensitive {
        Some(code)
    } else if code.is_art6_exception() {
        errors.push(
            "legal_basis",
            Rule::BasisNotApplicable,
            format!(
                "{code} permits handling sensitive data, which this file does not hold; use an Art. 16 proviso item, PDPA-16-P1 to PDPA-16-P7"
            ),
        );
        None
    } else {
        let allowed = if sensitive {
            "an Art. 16 proviso item (PDPA-16-P1 to PDPA-16-P7) or, as the file holds sensitive data, an Art. 6 proviso item (PDPA-6-P1 to PDPA-6-P6)"
        } else {
            "an Art. 16 proviso item, PDPA-16-P1 to PDPA-16-P7"
        };
        errors.push(
            "legal_basis",
            Rule::OutOfPurposeNeedsBasis,
            format!("{code} does not permit a use outside the file's purposes; give {allowed}"),
        );
        None
    }
}

/// The categories: at least one, no repeats, each registered when the file lists all its
/// categories as codes (a file that describes a category in words cannot be checked against).
fn categories(
    raw: &[String],
    file: Option<&PersonalDataFile>,
    errors: &mut ValidationErrors,
) -> Vec<DataCategoryCode> {
    if raw.is_empty() {
        errors.push(
            "categories",
            Rule::Required,
            "give at least one data-category code, e.g. C001",
        );
    }
    let registered: Option<Vec<&DataCategoryCode>> = file
        .filter(|f| f.category_codes().count() == f.categories.len())
        .map(|f| f.category_codes().collect());
    let mut out = Vec::new();
    for (i, raw) in raw.iter().enumerate() {
        let field = format!("categories[{i}]");
        match DataCategoryCode::parse(raw.trim()) {
            Ok(code) if out.contains(&code) => {
                errors.push(field, Rule::Duplicate, format!("{code} is listed twice"));
            }
            Ok(code) if registered.as_ref().is_some_and(|r| !r.contains(&&code)) => {
                errors.push(
                    field,
                    Rule::NotAllowed,
                    format!("{code} is not among the file's registered data categories"),
                );
            }
            Ok(code) => out.push(code),
            Err(e) => errors.push(field, Rule::UnknownCode, format!("{raw:?}: {e}")),
        }
    }
    out
}

/// What the holder decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// The request is approved as asked.
    Approve,
    /// Part of it is approved (fewer people, fewer categories): the reasons say which part.
    ApproveInPart,
    /// The request is refused.
    Refuse,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Self; 3] = [Self::Approve, Self::ApproveInPart, Self::Refuse];

    /// The stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::ApproveInPart => "approve_in_part",
            Self::Refuse => "refuse",
        }
    }

    /// Parses a stable name.
    ///
    /// # Errors
    /// A message naming the allowed values.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw)
            .ok_or("one of approve, approve_in_part, refuse")
    }

    /// True for an approval, whole or in part: the data may then be delivered.
    #[must_use]
    pub const fn approves(self) -> bool {
        matches!(self, Self::Approve | Self::ApproveInPart)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// Approved, approved in part, or refused.
    pub outcome: Outcome,
    /// Why, in plain words; never empty.
    pub reasons: String,
    /// For an approval in part, how many people it covers; `None` otherwise.
    pub approved_subjects: Option<u64>,
    /// The day of the decision.
    #[serde(with = "day")]
    pub decided_on: Date,
    /// Who decided, as recorded in change histories (`token:ID` or `user:NAME`).
    pub decided_by: String,
}

/// A decision as the holder sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DecisionSubmission {
    /// `approve`, `approve_in_part` or `refuse`.
    #[cfg_attr(feature = "openapi", schema(example = "approve_in_part"))]
    pub outcome: String,
    /// Why, in plain words: the legal reasons for an approval or a refusal, and which part is
    /// approved for an approval in part.
    pub reasons: String,
    /// For `approve_in_part` only: how many people are approved, a whole number fewer than
    /// asked for.
    #[cfg_attr(feature = "openapi", schema(example = "800"))]
    pub approved_subjects: String,
}

impl DecisionSubmission {
    /// Validates the decision on `request`, taken on `today` by `decided_by`.
    ///
    /// # Errors
    /// Every broken rule, each naming its field.
    pub fn validate(
        self,
        request: &DataRequest,
        decided_by: String,
        today: Date,
    ) -> Result<Decision, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let outcome = match self.outcome.trim() {
            "" => {
                errors.push(
                    "outcome",
                    Rule::Required,
                    "one of approve, approve_in_part, refuse",
                );
                None
            }
            raw => match Outcome::parse(raw) {
                Ok(outcome) => Some(outcome),
                Err(why) => {
                    errors.push("outcome", Rule::Format, why);
                    None
                }
            },
        };
        let reasons = self.reasons.trim().to_owned();
        if reasons.is_empty() {
            errors.push(
                "reasons",
                Rule::Required,
                "give the reasons for the decision in plain words",
            );
        } else if reasons.chars().count() > MAX_REQUEST_TEXT {
            errors.push(
                "reasons",
                Rule::TooLong,
                format!("at most {MAX_REQUEST_TEXT} characters"),
            );
        }
        let raw_subjects = self.approved_subjects.trim();
        let approved_subjects = match (outcome, raw_subjects) {
            (Some(Outcome::ApproveInPart), "") => {
                errors.push(
                    "approved_subjects",
                    Rule::Required,
                    "an approval in part says how many people it covers",
                );
                None
            }
            (Some(Outcome::ApproveInPart), raw) => match raw.parse::<u64>() {
                Ok(0) => {
                    errors.push(
                        "approved_subjects",
                        Rule::OutOfRange,
                        "at least one person; refuse the request to approve nobody",
                    );
                    None
                }
                Ok(n) if request.subjects.is_some_and(|asked| n >= asked) => {
                    errors.push(
                        "approved_subjects",
                        Rule::OutOfRange,
                        format!(
                            "an approval in part covers fewer people than the {} asked for; approve the request to cover them all",
                            request.subjects.unwrap_or_default()
                        ),
                    );
                    None
                }
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(
                        "approved_subjects",
                        Rule::Format,
                        "a whole number of people written in digits, e.g. 800",
                    );
                    None
                }
            },
            (_, "") => None,
            (_, _) => {
                errors.push(
                    "approved_subjects",
                    Rule::NotAllowed,
                    "only an approval in part names a number of people; leave it empty",
                );
                None
            }
        };
        match outcome {
            Some(outcome) if errors.is_empty() => Ok(Decision {
                outcome,
                reasons,
                approved_subjects,
                decided_on: today,
                decided_by,
            }),
            _ => Err(errors),
        }
    }
}

/// The delivery of an approved request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delivery {
    /// The day the data was delivered.
    #[serde(with = "day")]
    pub delivered_on: Date,
    /// How many people's data was delivered (each logged as a usage event).
    pub subjects: u64,
    /// A bulk extract (a research release): one release record, this delivery, besides the
    /// per-person events.
    pub release: bool,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RequestState {
    /// Filed, not yet decided.
    Filed,
    /// Decided: approved, approved in part or refused.
    Decided,
    /// Approved and delivered.
    Delivered,
}

impl RequestState {
    /// Every state, in the order a request passes through them.
    pub const ALL: [Self; 3] = [Self::Filed, Self::Decided, Self::Delivered];

    /// The stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Decided => "decided",
            Self::Delivered => "delivered",
        }
    }

    /// Parses a stable name.
    ///
    /// # Errors
    /// A message naming the allowed values.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or("one of filed, decided, delivered")
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request cannot move on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// A request is decided once.
    #[error("the request was already decided on {0}")]
    AlreadyDecided(Date),
    /// Only a decided request can be delivered.
    #[error("the request is not decided yet")]
    NotDecided,
    /// A refused request is never delivered.
    #[error("the request was refused, so nothing may be delivered")]
    Refused,
    /// A request is delivered once.
    #[error("the request was already delivered on {0}")]
    AlreadyDelivered(Date),
    /// A delivery reaches at least one person.
    #[error("a delivery reaches at least one person")]
    Empty,
    /// A delivery never reaches more people than were approved.
    #[error("{delivered} people's data exceeds the {approved} approved")]
    BeyondApproval {
        /// How many people were approved.
        approved: u64,
        /// How many the delivery holds.
        delivered: u64,
    },
}

/// A request with its decision and delivery, each present only when the request got that far.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "TrackedWire", into = "TrackedWire")]
pub struct TrackedRequest {
    request: DataRequest,
    decision: Option<Decision>,
    delivery: Option<Delivery>,
}

impl TrackedRequest {
    /// A request just filed.
    #[must_use]
    pub const fn filed(request: DataRequest) -> Self {
        Self {
            request,
            decision: None,
            delivery: None,
        }
    }

    /// The request.
    #[must_use]
    pub const fn request(&self) -> &DataRequest {
        &self.request
    }

    /// The decision, once decided.
    #[must_use]
    pub const fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }

    /// The delivery, once delivered.
    #[must_use]
    pub const fn delivery(&self) -> Option<&Delivery> {
        self.delivery.as_ref()
    }

    /// Where the request stands.
    #[must_use]
    pub const fn state(&self) -> RequestState {
        match (&self.decision, &self.delivery) {
            (None, _) => RequestState::Filed,
            (Some(_), None) => RequestState::Decided,
            (Some(_), Some(_)) => RequestState::Delivered,
        }
    }

    /// True when the request was approved, whole or in part.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        self.decision.as_ref().is_some_and(|d| d.outcome.approves())
    }

    /// How many people the approval covers: the number approved in part, or the number asked
    /// for; `None` when not approved or when the request described the people in words only.
    #[must_use]
    pub fn approved_subjects(&self) -> Option<u64> {
        let decision = self.decision.as_ref().filter(|d| d.outcome.approves())?;
        decision.approved_subjects.or(self.request.subjects)
    }

    /// How many people the request reached, for the public register: the delivered count once
    /// delivered, else the approved count.
    #[must_use]
    pub fn people(&self) -> Option<u64> {
        self.delivery
            .as_ref()
            .map(|d| d.subjects)
            .or_else(|| self.approved_subjects())
    }

    /// Records the holder's decision.
    ///
    /// # Errors
    /// [`TransitionError::AlreadyDecided`] when the request has a decision.
    pub fn decide(self, decision: Decision) -> Result<Self, TransitionError> {
        if let Some(earlier) = &self.decision {
            return Err(TransitionError::AlreadyDecided(earlier.decided_on));
        }
        Ok(Self {
            decision: Some(decision),
            ..self
        })
    }

    /// Checks that `delivery` may be recorded, without recording it.
    ///
    /// # Errors
    /// [`TransitionError::NotDecided`], [`TransitionError::Refused`],
    /// [`TransitionError::AlreadyDelivered`] (a release may go in several batches; any other
    /// delivery once), [`TransitionError::Empty`] for a delivery of nobody,
    /// [`TransitionError::BeyondApproval`] when all batches together reach more people than
    /// approved.
    pub fn check_delivery(&self, subjects: u64, release: bool) -> Result<(), TransitionError> {
        let Some(decision) = &self.decision else {
            return Err(TransitionError::NotDecided);
        };
        if !decision.outcome.approves() {
            return Err(TransitionError::Refused);
        }
        let earlier = match &self.delivery {
            Some(earlier) if earlier.release && release => earlier.subjects,
            Some(earlier) => return Err(TransitionError::AlreadyDelivered(earlier.delivered_on)),
            None => 0,
        };
        if subjects == 0 {
            return Err(TransitionError::Empty);
        }
        let delivered = earlier.saturating_add(subjects);
        match self.approved_subjects() {
            Some(approved) if delivered > approved => Err(TransitionError::BeyondApproval {
                approved,
                delivered,
            }),
            _ => Ok(()),
        }
    }

    /// Records the delivery of an approved request; a further batch of a release adds its
    /// people to the release (which keeps the day of its first batch).
    ///
    /// # Errors
    /// As [`TrackedRequest::check_delivery`].
    pub fn deliver(self, delivery: Delivery) -> Result<Self, TransitionError> {
        self.check_delivery(delivery.subjects, delivery.release)?;
        let delivery = match &self.delivery {
            Some(earlier) => Delivery {
                delivered_on: earlier.delivered_on,
                subjects: earlier.subjects + delivery.subjects,
                release: true,
            },
            None => delivery,
        };
        Ok(Self {
            delivery: Some(delivery),
            ..self
        })
    }
}

/// The serde form of [`TrackedRequest`]; reading it replays the transitions, so a stored
/// document that skips a state (a delivery without an approval) does not deserialise.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackedWire {
    request: DataRequest,
    decision: Option<Decision>,
    delivery: Option<Delivery>,
}

impl TryFrom<TrackedWire> for TrackedRequest {
    type Error = TransitionError;

    fn try_from(wire: TrackedWire) -> Result<Self, Self::Error> {
        let mut tracked = Self::filed(wire.request);
        if let Some(decision) = wire.decision {
            tracked = tracked.decide(decision)?;
        }
        match wire.delivery {
            Some(delivery) => tracked.deliver(delivery),
            None => Ok(tracked),
        }
    }
}

impl From<TrackedRequest> for TrackedWire {
    fn from(tracked: TrackedRequest) -> Self {
        Self {
            request: tracked.request,
            decision: tracked.decision,
            delivery: tracked.delivery,
        }
    }
}

pub mod import;
#[cfg(test)]
mod tests;
