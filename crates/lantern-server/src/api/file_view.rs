//! Personal-data files as the API shows them: every disclosure, with codes resolved against the
//! reference lists in force, and the version they are.

use lantern_domain::agency::Contact as DomainContact;
use lantern_domain::file as domain;
use lantern_domain::reference::Listing;
use lantern_domain::{LegalBasisCode, ReferenceData};
use lantern_store::{VersionInfo, Versioned};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::agency_view::{AgencyDirectory, AgencyRef};

/// A registered personal-data file (個人資料檔案) with every disclosure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonalDataFile {
    /// Identifier, e.g. `nhi-claims`.
    #[schema(example = "nhi-claims")]
    pub id: String,
    /// The holding agency (保有機關).
    pub agency: AgencyRef,
    /// Name in Traditional Chinese (個人資料檔案名稱).
    pub name_zh: String,
    /// Name in English (may be empty).
    pub name_en: String,
    /// What the file is, in plain words.
    pub description: String,
    /// How to reach the file's holder (保有機關名稱及聯絡方式).
    pub contact: Contact,
    /// Legal basis (保有之依據).
    pub legal_basis: FileLegalBasis,
    /// Specific purposes (特定目的).
    pub purposes: Vec<Purpose>,
    /// Data categories (個人資料之類別).
    pub categories: Vec<DataCategory>,
    /// Sensitive data (PDPA Art. 6), or null when the file holds none.
    pub sensitive: Option<SensitiveData>,
    /// The disclosures of a large database (大型資料庫), or null when the file is not one.
    pub large_database: Option<LargeDatabase>,
    /// Which version this is: 1 for the first, +1 per change.
    pub version: u32,
    /// When this version was recorded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Who recorded it: `user:NAME`, `token:ID` or `system:WHAT`.
    pub updated_by: String,
}

/// A contact window (聯絡窗口).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    /// The unit or window.
    pub unit: String,
    /// Telephone number (may be empty).
    pub phone: String,
    /// E-mail address (may be empty).
    pub email: String,
    /// Postal address or web form (may be empty).
    pub address: String,
}

/// A file's legal basis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileLegalBasis {
    /// PDPA bases with their summaries.
    pub pdpa: Vec<LegalBasis>,
    /// Statute articles that give the agency its duty, e.g. 全民健康保險法第79條.
    pub statutes: Vec<String>,
}

/// One item of PDPA Arts. 6, 15, 16, 19 or 20.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalBasis {
    /// Code, e.g. `PDPA-16-P5`.
    #[schema(example = "PDPA-16-P5")]
    pub code: String,
    /// Article number.
    pub article: u16,
    /// Paragraph and item, in English.
    pub clause: String,
    /// Plain-language summary in Traditional Chinese.
    pub summary_zh: String,
    /// Plain-language summary in English.
    pub summary_en: String,
}

/// A specific purpose: a code with its official name, or words where no code fits.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Purpose {
    /// A code. Names are null when the code is well formed but not in the lists in force.
    Code {
        /// `001`-`182`.
        #[schema(example = "031")]
        code: String,
        /// Official name in Traditional Chinese.
        name_zh: Option<String>,
        /// English name.
        name_en: Option<String>,
        /// Whether the code is in the lists in force.
        listed: bool,
    },
    /// A purpose described in words.
    Described {
        /// The purpose in plain words.
        description: String,
    },
}

/// A data category: a code with its official name, or words where no code fits.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DataCategory {
    /// A code. Names are null when the code is well formed but not in the lists in force.
    Code {
        /// `C001`-`C199`.
        #[schema(example = "C001")]
        code: String,
        /// The group heading, e.g. 識別類.
        group_zh: Option<String>,
        /// Official name in Traditional Chinese.
        name_zh: Option<String>,
        /// English name.
        name_en: Option<String>,
        /// Whether the code is in the lists in force.
        listed: bool,
    },
    /// A category described in words.
    Described {
        /// The category in plain words.
        description: String,
    },
}

/// Sensitive data (特種個人資料) held in a file and the Art. 6 exceptions that permit it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SensitiveData {
    /// Which special categories.
    pub kinds: Vec<SensitiveKind>,
    /// The Art. 6 proviso items relied on.
    pub legal_bases: Vec<LegalBasis>,
}

/// One of the six special categories of PDPA Art. 6.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SensitiveKind {
    /// Stable code: `medical_records`, `medical_care`, `genetic`, `sex_life`,
    /// `health_checkup` or `criminal_record`.
    #[schema(example = "medical_records")]
    pub code: &'static str,
    /// Name in Traditional Chinese, as in the Act.
    pub name_zh: &'static str,
    /// Name in English.
    pub name_en: &'static str,
}

/// What a large database discloses under Open Government commitment (2).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LargeDatabase {
    /// Who is in it, in words.
    pub population: String,
    /// About how many people it covers, if stated.
    pub people_covered: Option<u64>,
    /// About how many records it holds.
    pub record_count: u64,
    /// Links to other files and systems (串接).
    pub linkages: Vec<Linkage>,
    /// Regular recipients.
    pub recipients: Vec<Recipient>,
    /// How long data is kept, and what happens then.
    pub retention: String,
    /// Use outside the specific purposes (特定目的外利用).
    pub out_of_purpose: OutOfPurposeUse,
    /// How people see, stop the use of and delete their data, and where to ask.
    pub subject_rights: SubjectRights,
    /// Internal controls (內部控管機制).
    pub internal_controls: String,
    /// Open-data status.
    pub open_data: OpenData,
}

/// A linkage of the file with another file or system.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Linkage {
    /// The other file or system.
    pub target: String,
    /// Why they are linked.
    pub purpose: String,
}

/// Someone who regularly receives data from the file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recipient {
    /// Who.
    pub name: String,
    /// What for.
    pub purpose: String,
}

/// Whether and how the file is used outside its specific purposes (PDPA Art. 16).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutOfPurposeUse {
    /// Whether such use happens.
    pub occurs: bool,
    /// The proviso items relied on.
    pub legal_bases: Vec<LegalBasis>,
    /// What the uses are.
    pub description: String,
    /// How consent is obtained where a basis is consent (may be empty).
    pub consent_method: String,
}

/// How data subjects exercise their rights.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectRights {
    /// How to see or copy one's data.
    pub access: String,
    /// How to stop its use.
    pub stop_use: String,
    /// How to have it deleted, or why it cannot be.
    pub deletion: String,
    /// The window that handles requests.
    pub contact: Contact,
}

/// Whether the file, or statistics from it, are open data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenData {
    /// The state.
    pub state: OpenDataState,
    /// Where it is published.
    pub url: String,
    /// What is published, or why not.
    pub note: String,
}

/// Open-data state.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenDataState {
    /// Published.
    Published,
    /// Some derived data is published.
    Partial,
    /// Not published.
    NotPublished,
}

/// One version in a register entry's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionEntry {
    /// The version number.
    pub version: u32,
    /// Who made the change.
    pub changed_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: OffsetDateTime,
    /// Top-level fields that differ from the previous version (empty for version 1).
    pub changed_fields: Vec<String>,
}

/// A file with its version history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileDetail {
    /// The file as of the requested (or current) version.
    #[serde(flatten)]
    pub file: PersonalDataFile,
    /// Every version, oldest first.
    pub versions: Vec<VersionEntry>,
}

/// One page of a file search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilePage {
    /// The files, ordered by agency code then id.
    pub items: Vec<PersonalDataFile>,
    /// How many files match in all.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// How many matches were skipped.
    pub offset: u32,
}

impl From<VersionInfo> for VersionEntry {
    fn from(info: VersionInfo) -> Self {
        Self {
            version: info.version,
            changed_by: info.changed_by,
            changed_at: info.changed_at,
            changed_fields: info.changed_fields,
        }
    }
}

/// Maps domain files to their API form against one snapshot of the reference lists and agencies.
pub struct FileViews<'a> {
    /// The reference lists in force.
    pub reference: &'a ReferenceData,
    /// Names of agencies.
    pub agencies: &'a AgencyDirectory,
}

impl FileViews<'_> {
    /// The API form of one version of a file.
    #[must_use]
    pub fn file(&self, versioned: Versioned<domain::PersonalDataFile>) -> PersonalDataFile {
        let Versioned { value: file, info } = versioned;
        PersonalDataFile {
            id: file.id.to_string(),
            agency: self.agencies.reference(&file.agency),
            name_zh: file.name_zh,
            name_en: file.name_en,
            description: file.description,
            contact: contact(file.contact),
            legal_basis: FileLegalBasis {
                pdpa: self.legal_bases(&file.legal_basis.pdpa),
                statutes: file.legal_basis.statutes,
            },
            purposes: file.purposes.into_iter().map(|p| self.purpose(p)).collect(),
            categories: file
                .categories
                .into_iter()
                .map(|c| self.category(c))
                .collect(),
            sensitive: file.sensitive.map(|s| SensitiveData {
                kinds: s.kinds.into_iter().map(sensitive_kind).collect(),
                legal_bases: self.legal_bases(&s.legal_bases),
            }),
            large_database: file.large_database.map(|db| self.large_database(db)),
            version: info.version,
            updated_at: info.changed_at,
            updated_by: info.changed_by,
        }
    }

    fn legal_bases(&self, codes: &[LegalBasisCode]) -> Vec<LegalBasis> {
        codes
            .iter()
            .map(|code| match self.reference.legal_basis(code.as_str()) {
                Some(entry) => LegalBasis {
                    code: entry.code.clone(),
                    article: entry.article,
                    clause: entry.clause.clone(),
                    summary_zh: entry.summary_zh.clone(),
                    summary_en: entry.summary_en.clone(),
                },
                // Legal-basis codes are checked against the complete list when parsed, so this
                // only happens if the list shrinks; show the code rather than fail.
                None => LegalBasis {
                    code: code.to_string(),
                    article: code.article(),
                    clause: String::new(),
                    summary_zh: String::new(),
                    summary_en: String::new(),
                },
            })
            .collect()
    }

    fn purpose(&self, purpose: domain::Purpose) -> Purpose {
        match purpose {
            domain::Purpose::Code { code } => match self.reference.purpose(&code) {
                Listing::Listed(entry) => Purpose::Code {
                    code: code.to_string(),
                    name_zh: Some(entry.name_zh.clone()),
                    name_en: Some(entry.name_en.clone()),
                    listed: true,
                },
                Listing::Unlisted => Purpose::Code {
                    code: code.to_string(),
                    name_zh: None,
                    name_en: None,
                    listed: false,
                },
            },
            domain::Purpose::Described { description } => Purpose::Described { description },
        }
    }

    fn category(&self, category: domain::DataCategory) -> DataCategory {
        match category {
            domain::DataCategory::Code { code } => match self.reference.category(&code) {
                Listing::Listed(entry) => DataCategory::Code {
                    code: code.to_string(),
                    group_zh: Some(entry.group_zh.clone()),
                    name_zh: Some(entry.name_zh.clone()),
                    name_en: Some(entry.name_en.clone()),
                    listed: true,
                },
                Listing::Unlisted => DataCategory::Code {
                    code: code.to_string(),
                    group_zh: None,
                    name_zh: None,
                    name_en: None,
                    listed: false,
                },
            },
            domain::DataCategory::Described { description } => {
                DataCategory::Described { description }
            }
        }
    }

    fn large_database(&self, db: domain::LargeDatabase) -> LargeDatabase {
        LargeDatabase {
            population: db.population,
            people_covered: db.people_covered,
            record_count: db.record_count,
            linkages: db
                .linkages
                .into_iter()
                .map(|l| Linkage {
                    target: l.target,
                    purpose: l.purpose,
                })
                .collect(),
            recipients: db
                .recipients
                .into_iter()
                .map(|r| Recipient {
                    name: r.name,
                    purpose: r.purpose,
                })
                .collect(),
            retention: db.retention,
            out_of_purpose: OutOfPurposeUse {
                occurs: db.out_of_purpose.occurs,
                legal_bases: self.legal_bases(&db.out_of_purpose.legal_bases),
                description: db.out_of_purpose.description,
                consent_method: db.out_of_purpose.consent_method,
            },
            subject_rights: SubjectRights {
                access: db.subject_rights.access,
                stop_use: db.subject_rights.stop_use,
                deletion: db.subject_rights.deletion,
                contact: contact(db.subject_rights.contact),
            },
            internal_controls: db.internal_controls,
            open_data: OpenData {
                state: match db.open_data.state {
                    domain::OpenDataState::Published => OpenDataState::Published,
                    domain::OpenDataState::Partial => OpenDataState::Partial,
                    domain::OpenDataState::NotPublished => OpenDataState::NotPublished,
                },
                url: db.open_data.url,
                note: db.open_data.note,
            },
        }
    }
}

/// The API form of a contact.
pub fn contact(contact: DomainContact) -> Contact {
    Contact {
        unit: contact.unit,
        phone: contact.phone,
        email: contact.email,
        address: contact.address,
    }
}

fn sensitive_kind(kind: domain::SensitiveKind) -> SensitiveKind {
    let (code, name_zh, name_en) = match kind {
        domain::SensitiveKind::MedicalRecords => ("medical_records", "病歷", "Medical records"),
        domain::SensitiveKind::MedicalCare => ("medical_care", "醫療", "Medical care"),
        domain::SensitiveKind::Genetic => ("genetic", "基因", "Genetic data"),
        domain::SensitiveKind::SexLife => ("sex_life", "性生活", "Sex life"),
        domain::SensitiveKind::HealthCheckup => ("health_checkup", "健康檢查", "Health check-ups"),
        domain::SensitiveKind::CriminalRecord => {
            ("criminal_record", "犯罪前科", "Criminal records")
        }
    };
    SensitiveKind {
        code,
        name_zh,
        name_en,
    }
}
