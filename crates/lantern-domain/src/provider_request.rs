//! Agencies' requests to online providers (telecoms, platforms, e-commerce, payment) for
//! internet users' data, for administrative regulation or investigation (Open Government
//! commitment (2)). Each request is one register row; reports count them.
//!
//! A [`ProviderRequestSubmission`] holds every value as text, as a spreadsheet row or a JSON
//! object sends it; [`ProviderRequestSubmission::validate`] reports every broken rule with its
//! field (the spreadsheet's column name).

use std::fmt;

use time::Date;
use time::macros::format_description;

use crate::agency::AgencyCode;
use crate::codes::RestrictionGroundCode;
use crate::validation::{Rule, ValidationErrors};

/// Longest free text of a request (provider, statute, article, approver, reference).
pub const MAX_REQUEST_TEXT: usize = 200;

/// The columns of a request row, in the order of the import template.
pub const COLUMNS: [&str; 14] = [
    "reference",
    "requested_on",
    "provider",
    "sector",
    "statute",
    "article",
    "purpose",
    "data_types",
    "identifiers",
    "approver_role",
    "approved_on",
    "outcome",
    "confidential_ground",
    "confidential_until",
];

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $rule:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses a stable name.
            ///
            /// # Errors
            /// A message listing the names.
            pub fn parse(raw: &str) -> Result<Self, &'static str> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == raw.trim())
                    .ok_or($rule)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// The provider's sector, published instead of its name unless the name may be.
    ProviderSector, "one of telecom, platform, ecommerce, payment, other", {
        /// 電信業者.
        Telecom = "telecom",
        /// 網路平臺 (social media, search, messaging).
        Platform = "platform",
        /// 電子商務.
        Ecommerce = "ecommerce",
        /// 第三方支付、電子支付.
        Payment = "payment",
        /// 其他.
        Other = "other",
    }
);

named_enum!(
    /// Why the data was asked for. Criminal investigation is kept apart and out of public
    /// reports unless a rule allows it.
    RequestPurpose, "one of administrative_regulation, administrative_investigation, criminal_investigation", {
        /// 行政管制.
        AdministrativeRegulation = "administrative_regulation",
        /// 行政調查.
        AdministrativeInvestigation = "administrative_investigation",
        /// 犯罪偵查.
        CriminalInvestigation = "criminal_investigation",
    }
);

named_enum!(
    /// The kind of non-content data asked for.
    DataType, "one of subscriber, connection, transaction, other_non_content", {
        /// 用戶基本資料.
        Subscriber = "subscriber",
        /// 連線紀錄、IP.
        Connection = "connection",
        /// 交易紀錄.
        Transaction = "transaction",
        /// 其他非內容資料.
        OtherNonContent = "other_non_content",
    }
);

named_enum!(
    /// What the provider disclosed.
    Outcome, "one of all, some, none", {
        /// All that was asked.
        All = "all",
        /// Part of it.
        Some = "some",
        /// Nothing.
        None = "none",
    }
);

/// A request that stays confidential (密件) until a date, on a GIPA Art. 18 ground.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Confidentiality {
    /// The ground.
    pub ground: RestrictionGroundCode,
    /// The embargo date; `None` for no set date.
    #[serde(with = "iso_date::optional")]
    pub until: Option<Date>,
}

/// One request as registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProviderRequest {
    /// The requesting agency.
    pub agency: AgencyCode,
    /// The agency's own reference (case or document number), unique within the agency.
    pub reference: String,
    /// When the request was sent.
    #[serde(with = "iso_date")]
    pub requested_on: Date,
    /// The provider asked.
    pub provider: String,
    /// The provider's sector.
    pub sector: ProviderSector,
    /// The statute relied on, e.g. 電信管理法.
    pub statute: String,
    /// The article, e.g. 第 8 條第 2 項.
    pub article: String,
    /// The purpose type.
    pub purpose: RequestPurpose,
    /// The kinds of data asked for; never empty, no repeats, in order.
    pub data_types: Vec<DataType>,
    /// How many identifiers or accounts the request specified.
    pub identifiers: u32,
    /// The role of the official who approved the request internally.
    pub approver_role: String,
    /// When it was approved; not after the request.
    #[serde(with = "iso_date")]
    pub approved_on: Date,
    /// What was disclosed.
    pub outcome: Outcome,
    /// Present for a confidential request.
    pub confidential: Option<Confidentiality>,
}

/// A request as a row or JSON object sends it: every value as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ProviderRequestSubmission {
    /// The agency's reference, unique within the agency.
    pub reference: String,
    /// `YYYY-MM-DD`.
    pub requested_on: String,
    /// The provider's name.
    pub provider: String,
    /// `telecom`, `platform`, `ecommerce`, `payment` or `other`.
    pub sector: String,
    /// The statute.
    pub statute: String,
    /// The article.
    pub article: String,
    /// `administrative_regulation`, `administrative_investigation` or `criminal_investigation`.
    pub purpose: String,
    /// `subscriber`, `connection`, `transaction`, `other_non_content`, separated by `;` or `,`.
    pub data_types: String,
    /// How many identifiers or accounts were specified, a whole number.
    pub identifiers: String,
    /// The approver's role.
    pub approver_role: String,
    /// `YYYY-MM-DD`.
    pub approved_on: String,
    /// `all`, `some` or `none`.
    pub outcome: String,
    /// A GIPA Art. 18 ground (`GIDA-18-1` … `GIDA-18-9`) for a confidential request; empty
    /// otherwise.
    pub confidential_ground: String,
    /// `YYYY-MM-DD` until which it stays confidential; may be empty.
    pub confidential_until: String,
}

impl ProviderRequestSubmission {
    /// The value of a column by its name.
    #[must_use]
    pub fn column_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "reference" => &mut self.reference,
            "requested_on" => &mut self.requested_on,
            "provider" => &mut self.provider,
            "sector" => &mut self.sector,
            "statute" => &mut self.statute,
            "article" => &mut self.article,
            "purpose" => &mut self.purpose,
            "data_types" => &mut self.data_types,
            "identifiers" => &mut self.identifiers,
            "approver_role" => &mut self.approver_role,
            "approved_on" => &mut self.approved_on,
            "outcome" => &mut self.outcome,
            "confidential_ground" => &mut self.confidential_ground,
            "confidential_until" => &mut self.confidential_until,
            _ => return None,
        })
    }

    /// Validates the row as a request of `agency`, registered on `today`.
    ///
    /// # Errors
    /// Every broken rule, each naming its column.
    pub fn validate(
        &self,
        agency: &AgencyCode,
        today: Date,
    ) -> Result<ProviderRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut text = |field: &str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                errors.push(field, Rule::Required, "required");
            } else if value.chars().count() > MAX_REQUEST_TEXT {
                errors.push(
                    field,
                    Rule::TooLong,
                    format!("at most {MAX_REQUEST_TEXT} characters"),
                );
            }
            value.to_owned()
        };
        let reference = text("reference", &self.reference);
        let provider = text("provider", &self.provider);
        let statute = text("statute", &self.statute);
        let article = text("article", &self.article);
        let approver_role = text("approver_role", &self.approver_role);

        let requested_on = date("requested_on", &self.requested_on, today, &mut errors);
        let approved_on = date("approved_on", &self.approved_on, today, &mut errors);
        if let (Some(requested), Some(approved)) = (requested_on, approved_on)
            && approved > requested
        {
            errors.push(
                "approved_on",
                Rule::OutOfRange,
                "the internal approval must come before the request is sent (on or before requested_on)",
            );
        }
        let sector = choice("sector", &self.sector, ProviderSector::parse, &mut errors);
        let purpose = choice("purpose", &self.purpose, RequestPurpose::parse, &mut errors);
        let outcome = choice("outcome", &self.outcome, Outcome::parse, &mut errors);
        let mut data_types = Vec::new();
        for (i, raw) in self
            .data_types
            .split([';', ',', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            match DataType::parse(raw) {
                Ok(kind) if data_types.contains(&kind) => errors.push(
                    "data_types",
                    Rule::Duplicate,
                    format!("{kind} is listed twice"),
                ),
                Ok(kind) => data_types.push(kind),
                Err(rule) => errors.push(
                    "data_types",
                    Rule::UnknownCode,
                    format!("item {}: {rule}", i + 1),
                ),
            }
        }
        if data_types.is_empty() && !errors.0.iter().any(|e| e.field == "data_types") {
            errors.push(
                "data_types",
                Rule::Required,
                "name at least one: subscriber, connection, transaction, other_non_content",
            );
        }
        data_types.sort();
        let identifiers = match self.identifiers.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(
                    "identifiers",
                    Rule::Format,
                    "a whole number: how many identifiers or accounts the request named",
                );
                None
            }
        };
        let confidential = self.confidentiality(requested_on, &mut errors);

        match (
            errors.is_empty(),
            requested_on,
            approved_on,
            sector,
            purpose,
            outcome,
            identifiers,
        ) {
            (
                true,
                Some(requested_on),
                Some(approved_on),
                Some(sector),
                Some(purpose),
                Some(outcome),
                Some(identifiers),
            ) => Ok(ProviderRequest {
                agency: agency.clone(),
                reference,
                requested_on,
                provider,
                sector,
                statute,
                article,
                purpose,
                data_types,
                identifiers,
                approver_role,
                approved_on,
                outcome,
                confidential,
            }),
            _ => Err(errors),
        }
    }

    fn confidentiality(
        &self,
        requested_on: Option<Date>,
        errors: &mut ValidationErrors,
    ) -> Option<Confidentiality> {
        let ground = self.confidential_ground.trim();
        let until_text = self.confidential_until.trim();
        if ground.is_empty() {
            if !until_text.is_empty() {
                errors.push(
                    "confidential_ground",
                    Rule::Required,
                    "a confidential request needs its GIPA Art. 18 ground, e.g. GIDA-18-2",
                );
            }
            return None;
        }
        let ground = match RestrictionGroundCode::parse(ground) {
            Ok(ground) => ground,
            Err(e) => {
                errors.push("confidential_ground", Rule::UnknownCode, e.to_string());
                return None;
            }
        };
        let until = if until_text.is_empty() {
            None
        } else {
            match Date::parse(until_text, format_description!("[year]-[month]-[day]")) {
                Ok(until) if requested_on.is_some_and(|r| until <= r) => {
                    errors.push(
                        "confidential_until",
                        Rule::OutOfRange,
                        "the embargo ends after the request was sent",
                    );
                    None
                }
                Ok(until) => Some(until),
                Err(_) => {
                    errors.push("confidential_until", Rule::Format, "a date YYYY-MM-DD");
                    None
                }
            }
        };
        Some(Confidentiality { ground, until })
    }
}

fn date(field: &str, raw: &str, today: Date, errors: &mut ValidationErrors) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        errors.push(field, Rule::Required, "a date YYYY-MM-DD");
        return None;
    }
    match Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        Ok(day) if day > today => {
            errors.push(field, Rule::InFuture, "the date lies in the future");
            None
        }
        Ok(day) => Some(day),
        Err(_) => {
            errors.push(field, Rule::Format, "a date YYYY-MM-DD, e.g. 2025-03-14");
            None
        }
    }
}

fn choice<T>(
    field: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, &'static str>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    if raw.trim().is_empty() {
        errors.push(field, Rule::Required, "required");
        return None;
    }
    match parse(raw) {
        Ok(value) => Some(value),
        Err(rule) => {
            errors.push(field, Rule::UnknownCode, rule);
            None
        }
    }
}

/// Dates as `YYYY-MM-DD` in JSON.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    pub(crate) fn serialize<S: Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
        let text = day
            .format(format_description!("[year]-[month]-[day]"))
            .map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text, format_description!("[year]-[month]-[day]"))
            .map_err(serde::de::Error::custom)
    }

    /// An optional date, `null` when absent.
    pub(crate) mod optional {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub(crate) fn serialize<S: Serializer>(
            day: &Option<Date>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match day {
                Some(day) => super::serialize(day, s),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Date>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(deserialize_with = "super::deserialize")] Date);
            Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(day)| day))
        }
    }
}

pub mod import;
#[cfg(test)]
mod tests;
