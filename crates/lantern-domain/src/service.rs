//! Services that collect personal data with the subject's consent, each with its PDPA Art. 8
//! notice (告知事項), versioned: a consent is always to one version of one service's notice.
//!
//! A [`ServiceSubmission`] is what agency staff send; [`ServiceSubmission::validate`] checks it
//! against the registered file the service's data goes into, so that every consent the service
//! records is a use the register already discloses: the notice's purposes and categories must
//! be among the file's.

use std::fmt;

use crate::agency::AgencyCode;
use crate::codes::{DataCategoryCode, PurposeCode};
use crate::file::{FileId, PersonalDataFile, is_slug};
use crate::validation::{Rule, ValidationErrors};

/// Longest free-text value of a notice, in characters.
pub const MAX_NOTICE_TEXT: usize = 2000;

/// Most outsourcing entries a notice may list.
pub const MAX_OUTSOURCING: usize = 20;

/// A service's identifier: 2-64 lowercase letters, digits or `-`, e.g. `coupon-lottery`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(String);

impl ServiceId {
    /// Parses a service id.
    ///
    /// # Errors
    /// A message naming the rule when the id has the wrong shape.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if is_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a service id is 2-64 lowercase letters, digits or '-', e.g. coupon-lottery")
        }
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceId({})", self.0)
    }
}

impl serde::Serialize for ServiceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ServiceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A service as registered: who runs it, which file its data goes into, and its notice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Service {
    /// The service's id.
    pub id: ServiceId,
    /// The agency that runs it (the controller).
    pub agency: AgencyCode,
    /// The agency's registered personal-data file the collected data goes into.
    pub file: FileId,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English (may be empty).
    pub name_en: String,
    /// What the service does, in a sentence or two.
    pub summary: String,
    /// The Art. 8 notice a citizen reads before consenting.
    pub notice: Notice,
}

/// The items PDPA Art. 8(1) requires a notice to give, in plain language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    /// Item 1: the controller (公務機關名稱) and how to reach it.
    pub controller: String,
    /// Item 2: the specific purposes of collection; never empty.
    pub purposes: Vec<PurposeCode>,
    /// Item 3: the categories of data collected; never empty.
    pub categories: Vec<DataCategoryCode>,
    /// Item 4: for how long the data is used (期間).
    pub period: String,
    /// Item 4: where it is used (地區).
    pub area: String,
    /// Item 4: who receives it (對象).
    pub recipients: String,
    /// Item 4: how it is used (方式).
    pub manner: String,
    /// Item 5: the subject's rights (Art. 3) and how to exercise them.
    pub rights: String,
    /// Item 6: what happens if the subject does not provide the data.
    pub consequence: String,
    /// Vendors the agency commissions (Art. 4) and what each does; may be empty.
    pub outsourcing: Vec<Outsourcing>,
}

/// One commissioned vendor and its task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outsourcing {
    /// The vendor's name.
    pub vendor: String,
    /// What it does with the data.
    pub task: String,
}

impl Service {
    /// The top-level fields whose values differ from `earlier`, for a version's change summary.
    #[must_use]
    pub fn changed_fields(&self, earlier: &Self) -> Vec<&'static str> {
        let n = &self.notice;
        let e = &earlier.notice;
        [
            ("agency", self.agency != earlier.agency),
            ("file", self.file != earlier.file),
            ("name_zh", self.name_zh != earlier.name_zh),
            ("name_en", self.name_en != earlier.name_en),
            ("summary", self.summary != earlier.summary),
            ("notice.controller", n.controller != e.controller),
            ("notice.purposes", n.purposes != e.purposes),
            ("notice.categories", n.categories != e.categories),
            ("notice.period", n.period != e.period),
            ("notice.area", n.area != e.area),
            ("notice.recipients", n.recipients != e.recipients),
            ("notice.manner", n.manner != e.manner),
            ("notice.rights", n.rights != e.rights),
            ("notice.consequence", n.consequence != e.consequence),
            ("notice.outsourcing", n.outsourcing != e.outsourcing),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// A service as staff send it: codes as strings, every text as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSubmission {
    /// The registered file of the agency the data goes into, e.g. `coupon-applicants`.
    pub file: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// What the service does.
    pub summary: String,
    /// The Art. 8 notice.
    pub notice: NoticeSubmission,
}

/// A notice as staff send it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NoticeSubmission {
    /// The controller and how to reach it.
    pub controller: String,
    /// Specific-purpose codes, e.g. `["135"]`.
    pub purposes: Vec<String>,
    /// Data-category codes, e.g. `["C001", "C002"]`.
    pub categories: Vec<String>,
    /// Period of use.
    pub period: String,
    /// Area of use.
    pub area: String,
    /// Recipients.
    pub recipients: String,
    /// Manner of use.
    pub manner: String,
    /// Rights and how to exercise them.
    pub rights: String,
    /// Consequence of not providing the data.
    pub consequence: String,
    /// Commissioned vendors.
    pub outsourcing: Vec<Outsourcing>,
}

impl ServiceSubmission {
    /// Validates the submission as service `id` of `agency`, whose data goes into `file` (the
    /// registered file named by `self.file`, as the caller found it; `None` when there is none).
    ///
    /// # Errors
    /// Every broken rule, each naming its field.
    pub fn validate(
        self,
        id: ServiceId,
        agency: AgencyCode,
        file: Option<&PersonalDataFile>,
    ) -> Result<Service, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let file_id = match FileId::parse(self.file.trim()) {
            Ok(file_id) => Some(file_id),
            Err(why) => {
                errors.push("file", Rule::Format, why);
                None
            }
        };
        let file = file.filter(|f| f.agency == agency && Some(&f.id) == file_id.as_ref());
        if file_id.is_some() && file.is_none() {
            errors.push(
                "file",
                Rule::UnknownReference,
                format!("no registered file of {agency} has this id; register the file first"),
            );
        }
        let mut text = |field: &str, value: &str, required: bool| {
            let value = value.trim();
            if required && value.is_empty() {
                errors.push(field, Rule::Required, "required");
            } else if value.chars().count() > MAX_NOTICE_TEXT {
                errors.push(
                    field,
                    Rule::TooLong,
                    format!("at most {MAX_NOTICE_TEXT} characters"),
                );
            }
            value.to_owned()
        };
        let name_zh = text("name_zh", &self.name_zh, true);
        let name_en = text("name_en", &self.name_en, false);
        let summary = text("summary", &self.summary, true);
        let raw = self.notice;
        let controller = text("notice.controller", &raw.controller, true);
        let period = text("notice.period", &raw.period, true);
        let area = text("notice.area", &raw.area, true);
        let recipients = text("notice.recipients", &raw.recipients, true);
        let manner = text("notice.manner", &raw.manner, true);
        let rights = text("notice.rights", &raw.rights, true);
        let consequence = text("notice.consequence", &raw.consequence, true);
        let mut outsourcing = Vec::new();
        for (i, item) in raw.outsourcing.iter().enumerate() {
            let vendor = text(
                &format!("notice.outsourcing[{i}].vendor"),
                &item.vendor,
                true,
            );
            let task = text(&format!("notice.outsourcing[{i}].task"), &item.task, true);
            outsourcing.push(Outsourcing { vendor, task });
        }
        if outsourcing.len() > MAX_OUTSOURCING {
            errors.push(
                "notice.outsourcing",
                Rule::TooLong,
                format!("at most {MAX_OUTSOURCING} vendors"),
            );
        }

        let purposes = codes(
            "notice.purposes",
            &raw.purposes,
            &mut errors,
            PurposeCode::parse,
            |code| file.is_none_or(|f| f.purpose_codes().any(|c| c == code)),
            "is not among the file's registered purposes; a service may only collect for them",
        );
        let file_lists_codes =
            file.is_some_and(|f| f.category_codes().count() == f.categories.len());
        let categories = codes(
            "notice.categories",
            &raw.categories,
            &mut errors,
            DataCategoryCode::parse,
            |code| !file_lists_codes || file.is_none_or(|f| f.category_codes().any(|c| c == code)),
            "is not among the file's registered data categories",
        );

        let Some(file) = file_id.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        Ok(Service {
            id,
            agency,
            file,
            name_zh,
            name_en,
            summary,
            notice: Notice {
                controller,
                purposes,
                categories,
                period,
                area,
                recipients,
                manner,
                rights,
                consequence,
                outsourcing,
            },
        })
    }
}

/// Parses a non-empty list of codes without repeats, each `registered`.
fn codes<T: PartialEq + fmt::Display, E: fmt::Display>(
    field: &str,
    raw: &[String],
    errors: &mut ValidationErrors,
    parse: impl Fn(&str) -> Result<T, E>,
    registered: impl Fn(&T) -> bool,
    unregistered: &str,
) -> Vec<T> {
    if raw.is_empty() {
        errors.push(field, Rule::Required, "give at least one code");
    }
    let mut out = Vec::new();
    for (i, code) in raw.iter().enumerate() {
        match parse(code.trim()) {
            Ok(code) if out.contains(&code) => errors.push(
                format!("{field}[{i}]"),
                Rule::Duplicate,
                format!("{code} is listed twice"),
            ),
            Ok(code) if !registered(&code) => errors.push(
                format!("{field}[{i}]"),
                Rule::NotAllowed,
                format!("{code} {unregistered}"),
            ),
            Ok(code) => out.push(code),
            Err(e) => errors.push(
                format!("{field}[{i}]"),
                Rule::UnknownCode,
                format!("{code:?}: {e}"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests;
