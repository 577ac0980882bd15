//! Agencies (機關) and their supervision tree (上級機關 / 監督機關, PDPA Art. 21-1).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::validation::{Rule, ValidationErrors};

/// An agency's code: 2-32 characters of capital letters, digits and `-`, starting with a letter,
/// e.g. `MOHW` or `MOHW-NHIA`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Parses an agency code.
    ///
    /// # Errors
    /// A message naming the rule when the code has the wrong shape.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let ok_len = (2..=32).contains(&raw.len());
        let ok_start = raw.bytes().next().is_some_and(|b| b.is_ascii_uppercase());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok_len && ok_start && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err(
                "an agency code is 2-32 capital letters, digits or '-', starting with a letter, e.g. MOHW-NHIA",
            )
        }
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({})", self.0)
    }
}

impl serde::Serialize for AgencyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for AgencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// What kind of public body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgencyKind {
    /// 中央機關: a central government agency.
    Central,
    /// 地方機關: a local government agency.
    Local,
    /// 其他公法人或行政法人: another public body.
    OtherPublicBody,
}

/// How the public reaches an agency or a file's contact window (聯絡窗口).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// The unit or window, e.g. 資訊室個資窗口.
    pub unit: String,
    /// Telephone number as dialled.
    #[serde(default)]
    pub phone: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// Postal address or web form.
    #[serde(default)]
    pub address: String,
}

impl Contact {
    /// Records errors for a contact that gives no way to reach anyone.
    pub fn check(&self, field: &str, errors: &mut ValidationErrors) {
        if self.unit.trim().is_empty() {
            errors.push(
                format!("{field}.unit"),
                Rule::Required,
                "name the unit or window people should contact",
            );
        }
        if [&self.phone, &self.email, &self.address]
            .iter()
            .all(|v| v.trim().is_empty())
        {
            errors.push(
                format!("{field}.phone"),
                Rule::Required,
                "give at least one of phone, email or address so people can reach the contact",
            );
        }
        if !self.email.trim().is_empty() && !looks_like_email(&self.email) {
            errors.push(
                format!("{field}.email"),
                Rule::Format,
                "an e-mail address looks like name@example.gov.tw",
            );
        }
    }
}

fn looks_like_email(raw: &str) -> bool {
    let raw = raw.trim();
    raw.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !raw.contains(' ')
    })
}

/// A government agency (機關) that holds personal-data files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agency {
    /// Stable code.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "MOHW-NHIA"))]
    pub code: AgencyCode,
    /// Name in Traditional Chinese, e.g. 衛生福利部中央健康保險署.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Central, local or other public body.
    pub kind: AgencyKind,
    /// The supervising (superior) agency, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub supervisor: Option<AgencyCode>,
    /// Where the public can reach the agency about personal data.
    pub contact: Contact,
    /// Intelligence agencies (情報機關) are excluded from PDPA Arts. 21-1 to 21-4 (Art. 21-5).
    pub intelligence_agency: bool,
}

impl Agency {
    /// Checks the parts of an agency that do not depend on other agencies.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.name_zh.trim().is_empty() {
            errors.push(
                "name_zh",
                Rule::Required,
                "the agency's Chinese name is required",
            );
        }
        if self.supervisor.as_ref() == Some(&self.code) {
            errors.push(
                "supervisor",
                Rule::UnknownReference,
                "an agency cannot supervise itself",
            );
        }
        self.contact.check("contact", &mut errors);
        errors.into_result(())
    }

    /// The top-level fields whose values differ from `earlier`, in declaration order, for a
    /// version's change summary (the agency counterpart of
    /// [`PersonalDataFile::changed_fields`](crate::PersonalDataFile::changed_fields)).
    #[must_use]
    pub fn changed_fields(&self, earlier: &Self) -> Vec<&'static str> {
        // Destructuring without `..` makes a new field of `Agency` a compile error here until it
        // is compared too.
        let Self {
            code,
            name_zh,
            name_en,
            kind,
            supervisor,
            contact,
            intelligence_agency,
        } = self;
        let pairs = [
            ("code", *code != earlier.code),
            ("name_zh", *name_zh != earlier.name_zh),
            ("name_en", *name_en != earlier.name_en),
            ("kind", *kind != earlier.kind),
            ("supervisor", *supervisor != earlier.supervisor),
            ("contact", *contact != earlier.contact),
            (
                "intelligence_agency",
                *intelligence_agency != earlier.intelligence_agency,
            ),
        ];
        pairs
            .into_iter()
            .filter_map(|(name, changed)| changed.then_some(name))
            .collect()
    }
}

/// The supervision tree over a set of agencies.
#[derive(Debug, Clone, Default)]
pub struct AgencyTree {
    supervisor_of: BTreeMap<AgencyCode, AgencyCode>,
}

impl AgencyTree {
    /// Builds the tree from every agency's supervisor.
    pub fn new<'a>(agencies: impl IntoIterator<Item = &'a Agency>) -> Self {
        let supervisor_of = agencies
            .into_iter()
            .filter_map(|a| a.supervisor.clone().map(|s| (a.code.clone(), s)))
            .collect();
        Self { supervisor_of }
    }

    /// The chain of supervisors above `agency`, nearest first. Stops at a cycle.
    #[must_use]
    pub fn supervisors(&self, agency: &AgencyCode) -> Vec<AgencyCode> {
        let mut chain = Vec::new();
        let mut seen = BTreeSet::from([agency.clone()]);
        let mut current = agency;
        while let Some(next) = self.supervisor_of.get(current) {
            if !seen.insert(next.clone()) {
                break;
            }
            chain.push(next.clone());
            current = next;
        }
        chain
    }

    /// True when `reader` may see `owner`'s records: it is the owner or supervises it,
    /// directly or through intermediate agencies.
    #[must_use]
    pub fn may_read(&self, reader: &AgencyCode, owner: &AgencyCode) -> bool {
        reader == owner || self.supervisors(owner).contains(reader)
    }

    /// True when setting `supervisor` as `agency`'s supervisor would make a cycle.
    #[must_use]
    pub fn would_cycle(&self, agency: &AgencyCode, supervisor: &AgencyCode) -> bool {
        supervisor == agency || self.supervisors(supervisor).contains(agency)
    }

    /// True when following supervisors up from `agency` leads back to it.
    #[must_use]
    pub fn in_cycle(&self, agency: &AgencyCode) -> bool {
        self.supervisor_of
            .get(agency)
            .is_some_and(|supervisor| self.would_cycle(agency, supervisor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, supervisor: Option<&str>) -> Agency {
        Agency {
            code: AgencyCode::parse(code).unwrap(),
            name_zh: "機關".into(),
            name_en: String::new(),
            kind: AgencyKind::Central,
            supervisor: supervisor.map(|s| AgencyCode::parse(s).unwrap()),
            contact: Contact {
                unit: "窗口".into(),
                phone: "02-1234".into(),
                ..Contact::default()
            },
            intelligence_agency: false,
        }
    }

    #[test]
    fn codes() {
        assert!(AgencyCode::parse("MOHW-NHIA").is_ok());
        for bad in ["", "m", "mohw", "1ABC", "AB C", "ＡＢ"] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn supervision_is_transitive() {
        let agencies = [
            agency("EY", None),
            agency("MOHW", Some("EY")),
            agency("MOHW-NHIA", Some("MOHW")),
            agency("MOF", Some("EY")),
        ];
        let tree = AgencyTree::new(&agencies);
        let code = |c: &str| AgencyCode::parse(c).unwrap();
        assert!(tree.may_read(&code("MOHW"), &code("MOHW-NHIA")));
        assert!(tree.may_read(&code("EY"), &code("MOHW-NHIA")));
        assert!(!tree.may_read(&code("MOHW-NHIA"), &code("MOHW")));
        assert!(!tree.may_read(&code("MOF"), &code("MOHW-NHIA")));
        assert!(tree.would_cycle(&code("EY"), &code("MOHW-NHIA")));
        assert!(!tree.would_cycle(&code("MOF"), &code("MOHW")));
        assert!(!tree.in_cycle(&code("MOHW-NHIA")));
        let cyclic = AgencyTree::new(&[
            agency("A1", Some("B1")),
            agency("B1", Some("A1")),
            agency("C1", Some("A1")),
        ]);
        assert!(cyclic.in_cycle(&code("A1")));
        assert!(!cyclic.in_cycle(&code("C1")));
    }

    #[test]
    fn changed_fields_are_named_in_field_order() {
        let before = agency("EY", None);
        assert!(before.changed_fields(&before).is_empty());
        let after = Agency {
            intelligence_agency: true,
            name_en: "Executive Yuan".into(),
            supervisor: Some(AgencyCode::parse("PRES").unwrap()),
            ..before.clone()
        };
        assert_eq!(
            after.changed_fields(&before),
            ["name_en", "supervisor", "intelligence_agency"]
        );
        assert_eq!(
            before.changed_fields(&after),
            ["name_en", "supervisor", "intelligence_agency"]
        );
    }

    #[test]
    fn contact_needs_a_channel() {
        let mut bad = agency("MOHW", None);
        bad.contact = Contact {
            unit: "窗口".into(),
            email: "not-an-email".into(),
            ..Contact::default()
        };
        let errors = bad.check().unwrap_err();
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.field == "contact.email" && e.rule == Rule::Format)
        );
        bad.contact.email = String::new();
        let errors = bad.check().unwrap_err();
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.field == "contact.phone" && e.rule == Rule::Required)
        );
    }
}
