//! Agencies (機關) as the API shows them.

use std::collections::BTreeMap;

use lantern_domain::{Agency, AgencyCode};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::file_view::{Contact, VersionEntry};

/// An agency named by code, with its names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyRef {
    /// Code, e.g. `MOHW-NHIA`.
    #[schema(example = "MOHW-NHIA")]
    pub code: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
}

/// What kind of public body an agency is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// 中央機關: a central government agency.
    Central,
    /// 地方機關: a local government agency.
    Local,
    /// 其他公法人或行政法人: another public body.
    OtherPublicBody,
}

impl From<lantern_domain::AgencyKind> for AgencyKind {
    fn from(kind: lantern_domain::AgencyKind) -> Self {
        match kind {
            lantern_domain::AgencyKind::Central => Self::Central,
            lantern_domain::AgencyKind::Local => Self::Local,
            lantern_domain::AgencyKind::OtherPublicBody => Self::OtherPublicBody,
        }
    }
}

/// An agency in the list of agencies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencySummary {
    /// Code.
    #[schema(example = "MOHW-NHIA")]
    pub code: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Central, local or other public body.
    pub kind: AgencyKind,
    /// The supervising agency (上級機關), or null at the top of the tree.
    pub supervisor: Option<AgencyRef>,
    /// How many personal-data files the agency has registered.
    pub file_count: u64,
}

/// Every agency, ordered by code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyList {
    /// The agencies.
    pub items: Vec<AgencySummary>,
}

/// A file named by id, with its names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileRef {
    /// Identifier.
    #[schema(example = "nhi-claims")]
    pub id: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
}

/// One agency, as of its current or a requested version, with its place in the tree, its files
/// and its version history. The tree and the files are always the current ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyDetail {
    /// Code.
    #[schema(example = "MOHW-NHIA")]
    pub code: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Central, local or other public body.
    pub kind: AgencyKind,
    /// The supervising agency, or null at the top of the tree.
    pub supervisor: Option<AgencyRef>,
    /// Where the public can reach the agency about personal data.
    pub contact: Contact,
    /// An intelligence agency (情報機關), excluded from PDPA Arts. 21-1 to 21-4 (Art. 21-5).
    pub intelligence_agency: bool,
    /// Agencies it directly supervises, by code.
    pub subordinates: Vec<AgencyRef>,
    /// Its registered personal-data files, by id.
    pub files: Vec<FileRef>,
    /// The version of the agency record shown: the current one, or the one requested.
    pub version: u32,
    /// When that version was recorded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Who recorded it.
    pub updated_by: String,
    /// Every version of the agency record, oldest first.
    pub versions: Vec<VersionEntry>,
}

/// Every agency by code, to name agencies that records refer to.
#[derive(Debug, Clone, Default)]
pub struct AgencyDirectory {
    by_code: BTreeMap<AgencyCode, Agency>,
}

impl AgencyDirectory {
    /// Indexes `agencies` by code.
    #[must_use]
    pub fn new(agencies: Vec<Agency>) -> Self {
        Self {
            by_code: agencies
                .into_iter()
                .map(|agency| (agency.code.clone(), agency))
                .collect(),
        }
    }

    /// Every agency, ordered by code.
    pub fn agencies(&self) -> impl Iterator<Item = &Agency> {
        self.by_code.values()
    }

    /// The agency named `code`, with empty names if it is unknown (a record never refers to an
    /// agency that does not exist; the store's references forbid it).
    #[must_use]
    pub fn reference(&self, code: &AgencyCode) -> AgencyRef {
        let (name_zh, name_en) = self
            .by_code
            .get(code)
            .map(|a| (a.name_zh.clone(), a.name_en.clone()))
            .unwrap_or_default();
        AgencyRef {
            code: code.to_string(),
            name_zh,
            name_en,
        }
    }

    /// The agencies that `code` directly supervises, ordered by code.
    #[must_use]
    pub fn subordinates(&self, code: &AgencyCode) -> Vec<AgencyRef> {
        self.by_code
            .values()
            .filter(|a| a.supervisor.as_ref() == Some(code))
            .map(|a| self.reference(&a.code))
            .collect()
    }
}
