//! Personal-data files (個人資料檔案), the register entries of PDPA Art. 17, and the extra
//! disclosures that Open Government commitment (2) asks of large databases.
//!
//! A [`FileSubmission`] is what an agency sends: codes as plain strings, so that every mistake
//! can be reported at once. [`FileSubmission::validate`] turns it into a [`PersonalDataFile`],
//! which cannot hold an invalid code or miss a required disclosure.

use std::fmt;

use crate::agency::{AgencyCode, Contact};
use crate::codes::{DataCategoryCode, LegalBasisCode, PurposeCode};
use crate::validation::{Rule, ValidationErrors};

/// Longest free-text value accepted in a register field, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// A file's identifier: 2-64 characters of lowercase letters, digits and `-`, starting with a
/// letter or digit, e.g. `nhi-claims`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(String);

impl FileId {
    /// Parses a file id.
    ///
    /// # Errors
    /// A message naming the rule when the id has the wrong shape.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if is_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a file id is 2-64 lowercase letters, digits or '-', e.g. nhi-claims")
        }
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// True for 2-64 characters of lowercase letters, digits and `-`, starting with a letter or
/// digit: the shape of file and service ids.
pub(crate) fn is_slug(raw: &str) -> bool {
    (2..=64).contains(&raw.len())
        && raw
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({})", self.0)
    }
}

impl serde::Serialize for FileId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for FileId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A specific purpose of a file: a code from the list or, where no code fits, words (the
/// official guidance allows describing a purpose that the list does not name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Purpose {
    /// A listed (or well-formed unlisted) code.
    Code {
        /// `001`-`182`.
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "031"))]
        code: PurposeCode,
    },
    /// A purpose in words.
    Described {
        /// The purpose in plain words.
        description: String,
    },
}

/// A data category of a file: a code or, where no code fits, words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DataCategory {
    /// A listed (or well-formed unlisted) code.
    Code {
        /// `C001`-`C199`.
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "C001"))]
        code: DataCategoryCode,
    },
    /// A category in words.
    Described {
        /// The category in plain words.
        description: String,
    },
}

/// The six special categories of PDPA Art. 6 (特種個人資料).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SensitiveKind {
    /// 病歷.
    MedicalRecords,
    /// 醫療.
    MedicalCare,
    /// 基因.
    Genetic,
    /// 性生活.
    SexLife,
    /// 健康檢查.
    HealthCheckup,
    /// 犯罪前科.
    CriminalRecord,
}

/// The legal basis on which a file is held: PDPA codes plus the statutes that give the duty.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileLegalBasis {
    /// PDPA bases (e.g. `PDPA-15-1`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["PDPA-15-1"])))]
    pub pdpa: Vec<LegalBasisCode>,
    /// Statute articles that give the agency its duty, e.g. 全民健康保險法第79條.
    pub statutes: Vec<String>,
}

/// Sensitive data held in a file and the Art. 6 exception that permits it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitiveData {
    /// Which special categories.
    pub kinds: Vec<SensitiveKind>,
    /// Art. 6 proviso items (`PDPA-6-P1`..`PDPA-6-P6`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["PDPA-6-P1"])))]
    pub legal_bases: Vec<LegalBasisCode>,
}

/// A linkage (串接) of this file with another file or system.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Linkage {
    /// The other file (an id in this register) or system, in words.
    pub target: String,
    /// Why the two are linked.
    pub purpose: String,
}

/// Someone who regularly receives data from the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recipient {
    /// Who receives it.
    pub name: String,
    /// What for.
    pub purpose: String,
}

/// Whether and how the file is used outside its specific purposes (特定目的外利用, Art. 16).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutOfPurposeUse {
    /// Whether out-of-purpose use happens at all.
    pub occurs: bool,
    /// The Art. 16 (or Art. 6) proviso items relied on.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["PDPA-16-P5"])))]
    pub legal_bases: Vec<LegalBasisCode>,
    /// What such uses are, in words.
    pub description: String,
    /// How consent is obtained where a basis is consent (說明如何取得當事人同意); empty otherwise.
    pub consent_method: String,
}

/// How data subjects exercise their rights (查詢、停止利用、刪除) and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectRights {
    /// How to see or get a copy of one's data.
    pub access: String,
    /// How to stop its use.
    pub stop_use: String,
    /// How to have it deleted (or why it cannot be).
    pub deletion: String,
    /// The contact window that handles requests.
    pub contact: Contact,
}

/// Whether the file, or statistics from it, are published as open data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OpenDataState {
    /// Published (de-identified data or statistics).
    Published,
    /// Some derived data is published.
    Partial,
    /// Not published.
    NotPublished,
}

/// Open-data status with where to find it or why not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenData {
    /// The state.
    pub state: OpenDataState,
    /// Where it is published (required unless not published).
    #[serde(default)]
    pub url: String,
    /// What is published, or why not.
    #[serde(default)]
    pub note: String,
}

/// What a large database (大型資料庫) must disclose under commitment (2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LargeDatabase {
    /// Who is in it, in words (e.g. 全體健保投保對象).
    pub population: String,
    /// About how many people it covers.
    pub people_covered: Option<u64>,
    /// About how many records it holds.
    pub record_count: u64,
    /// Links to other files and systems.
    pub linkages: Vec<Linkage>,
    /// Regular recipients.
    pub recipients: Vec<Recipient>,
    /// How long data is kept, and what happens then.
    pub retention: String,
    /// Out-of-purpose use.
    pub out_of_purpose: OutOfPurposeUse,
    /// How subjects exercise their rights.
    pub subject_rights: SubjectRights,
    /// Internal controls (內部控管機制): access control, audit, review.
    pub internal_controls: String,
    /// Open-data status.
    pub open_data: OpenData,
}

/// A registered personal-data file (個人資料檔案).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalDataFile {
    /// Identifier.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "nhi-claims"))]
    pub id: FileId,
    /// The holding agency (保有機關).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "MOHW-NHIA"))]
    pub agency: AgencyCode,
    /// Name in Traditional Chinese (個人資料檔案名稱).
    pub name_zh: String,
    /// Name in English (optional).
    pub name_en: String,
    /// What the file is, in plain words.
    pub description: String,
    /// The file's contact (保有機關名稱及聯絡方式).
    pub contact: Contact,
    /// Legal basis (保有之依據).
    pub legal_basis: FileLegalBasis,
    /// Specific purposes (特定目的).
    pub purposes: Vec<Purpose>,
    /// Data categories (個人資料之類別).
    pub categories: Vec<DataCategory>,
    /// Sensitive data (Art. 6), if any.
    pub sensitive: Option<SensitiveData>,
    /// Large-database disclosures; present exactly when the file is a large database.
    pub large_database: Option<LargeDatabase>,
}

impl PersonalDataFile {
    /// Purpose codes registered for the file (described purposes have none).
    pub fn purpose_codes(&self) -> impl Iterator<Item = &PurposeCode> {
        self.purposes.iter().filter_map(|p| match p {
            Purpose::Code { code } => Some(code),
            Purpose::Described { .. } => None,
        })
    }

    /// Category codes registered for the file.
    pub fn category_codes(&self) -> impl Iterator<Item = &DataCategoryCode> {
        self.categories.iter().filter_map(|c| match c {
            DataCategory::Code { code } => Some(code),
            DataCategory::Described { .. } => None,
        })
    }

    /// True when the file holds Art. 6 sensitive data.
    #[must_use]
    pub fn has_sensitive_data(&self) -> bool {
        self.sensitive.as_ref().is_some_and(|s| !s.kinds.is_empty())
    }

    /// The top-level fields whose values differ from `earlier`, for a version's change summary.
    #[must_use]
    pub fn changed_fields(&self, earlier: &Self) -> Vec<&'static str> {
        let pairs = [
            ("agency", self.agency != earlier.agency),
            ("name_zh", self.name_zh != earlier.name_zh),
            ("name_en", self.name_en != earlier.name_en),
            ("description", self.description != earlier.description),
            ("contact", self.contact != earlier.contact),
            ("legal_basis", self.legal_basis != earlier.legal_basis),
            ("purposes", self.purposes != earlier.purposes),
            ("categories", self.categories != earlier.categories),
            ("sensitive", self.sensitive != earlier.sensitive),
            (
                "large_database",
                self.large_database != earlier.large_database,
            ),
        ];
        pairs
            .into_iter()
            .filter_map(|(name, changed)| changed.then_some(name))
            .collect()
    }
}

/// A purpose as submitted: `{"code": "031"}` or `{"description": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeOrDescription {
    /// A code from the list.
    #[serde(default)]
    pub code: Option<String>,
    /// Words, where no code fits.
    #[serde(default)]
    pub description: Option<String>,
}

/// Sensitive data as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitiveDataSubmission {
    /// Which special categories.
    #[serde(default)]
    pub kinds: Vec<SensitiveKind>,
    /// Art. 6 proviso codes.
    #[serde(default)]
    pub legal_bases: Vec<String>,
}

/// The legal basis as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileLegalBasisSubmission {
    /// PDPA codes.
    #[serde(default)]
    pub pdpa: Vec<String>,
    /// Statute articles.
    #[serde(default)]
    pub statutes: Vec<String>,
}

/// Out-of-purpose use as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutOfPurposeSubmission {
    /// Whether it happens; must be stated.
    pub occurs: Option<bool>,
    /// Proviso codes relied on.
    #[serde(default)]
    pub legal_bases: Vec<String>,
    /// What such uses are.
    #[serde(default)]
    pub description: String,
    /// How consent is obtained.
    #[serde(default)]
    pub consent_method: String,
}

/// Large-database disclosures as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LargeDatabaseSubmission {
    /// Who is in it.
    #[serde(default)]
    pub population: String,
    /// About how many people.
    #[serde(default)]
    pub people_covered: Option<u64>,
    /// About how many records.
    #[serde(default)]
    pub record_count: Option<u64>,
    /// Links to other files.
    #[serde(default)]
    pub linkages: Vec<Linkage>,
    /// Regular recipients.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Retention.
    #[serde(default)]
    pub retention: String,
    /// Out-of-purpose use.
    #[serde(default)]
    pub out_of_purpose: Option<OutOfPurposeSubmission>,
    /// Subject rights.
    #[serde(default)]
    pub subject_rights: Option<SubjectRights>,
    /// Internal controls.
    #[serde(default)]
    pub internal_controls: String,
    /// Open-data status.
    #[serde(default)]
    pub open_data: Option<OpenData>,
}

/// A file as an agency submits it, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileSubmission {
    /// Identifier; chosen by the server when absent on creation.
    #[serde(default)]
    pub id: Option<String>,
    /// Holding agency; defaults to the submitter's agency.
    #[serde(default)]
    pub agency: Option<String>,
    /// Name in Traditional Chinese.
    #[serde(default)]
    pub name_zh: String,
    /// Name in English.
    #[serde(default)]
    pub name_en: String,
    /// Plain-language description.
    #[serde(default)]
    pub description: String,
    /// Contact.
    #[serde(default)]
    pub contact: Option<Contact>,
    /// Legal basis.
    #[serde(default)]
    pub legal_basis: FileLegalBasisSubmission,
    /// Specific purposes.
    #[serde(default)]
    pub purposes: Vec<CodeOrDescription>,
    /// Data categories.
    #[serde(default)]
    pub categories: Vec<CodeOrDescription>,
    /// Sensitive data.
    #[serde(default)]
    pub sensitive: Option<SensitiveDataSubmission>,
    /// Large-database disclosures; give them exactly when the file is a large database.
    #[serde(default)]
    pub large_database: Option<LargeDatabaseSubmission>,
}

/// Checks text fields for presence and length.
struct Text<'e> {
    errors: &'e mut ValidationErrors,
}

impl Text<'_> {
    fn required(&mut self, field: &str, value: &str, what: &str) -> String {
        if value.trim().is_empty() {
            self.errors.push(
                field,
                Rule::DisclosureRequired,
                format!("{what} is required"),
            );
        }
        self.optional(field, value)
    }

    fn optional(&mut self, field: &str, value: &str) -> String {
        if value.chars().count() > MAX_TEXT_CHARS {
            self.errors.push(
                field,
                Rule::TooLong,
                format!("at most {MAX_TEXT_CHARS} characters"),
            );
        }
        value.trim().to_owned()
    }
}

impl FileSubmission {
    /// Validates the submission as file `id` of `agency`.
    ///
    /// # Errors
    /// Every broken rule, each naming its field.
    pub fn validate(
        self,
        id: FileId,
        agency: AgencyCode,
    ) -> Result<PersonalDataFile, ValidationErrors> {
        // Codes are checked for shape and range only: the shipped lists are partial, so whether
        // a code is listed is shown to readers, not enforced here.
        let mut errors = ValidationErrors::default();
        if let Some(given) = &self.agency
            && given != agency.as_str()
        {
            errors.push(
                "agency",
                Rule::UnknownReference,
                format!("this file belongs to {agency}; agency must be {agency} or left out"),
            );
        }
        let mut text = Text {
            errors: &mut errors,
        };
        let name_zh = text.required(
            "name_zh",
            &self.name_zh,
            "the file's Chinese name (個人資料檔案名稱)",
        );
        let name_en = text.optional("name_en", &self.name_en);
        let description = text.optional("description", &self.description);

        let contact = self.contact.unwrap_or_default();
        contact.check("contact", &mut errors);

        let legal_basis = FileLegalBasis {
            pdpa: legal_bases(
                "legal_basis.pdpa",
                &self.legal_basis.pdpa,
                &mut errors,
                |code| {
                    if code.article() == 19 || code.article() == 20 {
                        Some(
                            "Arts. 19 and 20 apply to non-public bodies; a government agency relies on Art. 15 (collection, processing) or 16 (use), or Art. 6 for sensitive data",
                        )
                    } else {
                        None
                    }
                },
            ),
            statutes: self
                .legal_basis
                .statutes
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        };
        if self.legal_basis.pdpa.is_empty() {
            errors.push(
                "legal_basis.pdpa",
                Rule::Required,
                "give at least one PDPA legal basis, e.g. PDPA-15-1",
            );
        }

        let purposes = code_list(
            "purposes",
            &self.purposes,
            &mut errors,
            "specific purpose",
            |raw| {
                PurposeCode::parse(raw)
                    .map(|code| Purpose::Code { code })
                    .map_err(|e| e.to_string())
            },
            |description| Purpose::Described { description },
        );
        let categories = code_list(
            "categories",
            &self.categories,
            &mut errors,
            "data category",
            |raw| {
                DataCategoryCode::parse(raw)
                    .map(|code| DataCategory::Code { code })
                    .map_err(|e| e.to_string())
            },
            |description| DataCategory::Described { description },
        );

        let sensitive = self.sensitive.map(|s| {
            let bases = legal_bases("sensitive.legal_bases", &s.legal_bases, &mut errors, |code| {
                (!code.is_art6_exception()).then_some("sensitive data needs an Art. 6 proviso item, PDPA-6-P1 to PDPA-6-P6")
            });
            if !s.kinds.is_empty() && s.legal_bases.is_empty() {
                errors.push(
                    "sensitive.legal_bases",
                    Rule::SensitiveDataNeedsArt6Basis,
                    "this file holds sensitive data (PDPA Art. 6); name the Art. 6 exception that permits it, PDPA-6-P1 to PDPA-6-P6",
                );
            }
            SensitiveData { kinds: dedup(s.kinds), legal_bases: bases }
        }).filter(|s| !s.kinds.is_empty() || !s.legal_bases.is_empty());
        let has_sensitive = sensitive.as_ref().is_some_and(|s| !s.kinds.is_empty());

        let large_database = self
            .large_database
            .map(|db| validate_large_database(db, has_sensitive, &mut errors));

        errors.into_result(PersonalDataFile {
            id,
            agency,
            name_zh,
            name_en,
            description,
            contact,
            legal_basis,
            purposes,
            categories,
            sensitive,
            large_database,
        })
    }
}

fn dedup<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items.dedup();
    items
}

fn legal_bases(
    field: &str,
    raw: &[String],
    errors: &mut ValidationErrors,
    not_applicable: impl Fn(&LegalBasisCode) -> Option<&'static str>,
) -> Vec<LegalBasisCode> {
    let mut out = Vec::new();
    for (i, code) in raw.iter().enumerate() {
        match LegalBasisCode::parse(code.trim()) {
            Ok(code) => {
                if let Some(why) = not_applicable(&code) {
                    errors.push(
                        format!("{field}[{i}]"),
                        Rule::BasisNotApplicable,
                        format!("{code}: {why}"),
                    );
                } else if out.contains(&code) {
                    errors.push(
                        format!("{field}[{i}]"),
                        Rule::Duplicate,
                        format!("{code} is listed twice"),
                    );
                } else {
                    out.push(code);
                }
            }
            Err(e) => errors.push(
                format!("{field}[{i}]"),
                Rule::UnknownCode,
                format!("{code:?}: {e}"),
            ),
        }
    }
    out
}

fn code_list<T: PartialEq>(
    field: &str,
    raw: &[CodeOrDescription],
    errors: &mut ValidationErrors,
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    described: impl Fn(String) -> T,
) -> Vec<T> {
    if raw.is_empty() {
        errors.push(
            field,
            Rule::Required,
            format!("give at least one {what}: a code, or a description where no code fits"),
        );
    }
    let mut out = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        let code = item
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let description = item
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let value = match (code, description) {
            (Some(code), None) => match parse(code) {
                Ok(value) => value,
                Err(e) => {
                    errors.push(
                        format!("{field}[{i}].code"),
                        Rule::UnknownCode,
                        format!("{code:?}: {e}"),
                    );
                    continue;
                }
            },
            (None, Some(description)) if description.chars().count() <= 200 => {
                described(description.to_owned())
            }
            (None, Some(_)) => {
                errors.push(
                    format!("{field}[{i}].description"),
                    Rule::TooLong,
                    "a description is at most 200 characters",
                );
                continue;
            }
            (Some(_), Some(_)) => {
                errors.push(
                    format!("{field}[{i}]"),
                    Rule::Format,
                    format!("give a {what} code or a description, not both"),
                );
                continue;
            }
            (None, None) => {
                errors.push(
                    format!("{field}[{i}]"),
                    Rule::Required,
                    format!("give a {what} code or a description"),
                );
                continue;
            }
        };
        if out.contains(&value) {
            errors.push(
                format!("{field}[{i}]"),
                Rule::Duplicate,
                format!("this {what} is listed twice"),
            );
        } else {
            out.push(value);
        }
    }
    out
}

fn validate_large_database(
    db: LargeDatabaseSubmission,
    has_sensitive: bool,
    errors: &mut ValidationErrors,
) -> LargeDatabase {
    const F: &str = "large_database";
    let mut text = Text { errors };
    let population = text.required(
        &format!("{F}.population"),
        &db.population,
        "who the database covers (population coverage)",
    );
    let retention = text.required(
        &format!("{F}.retention"),
        &db.retention,
        "the retention period",
    );
    let internal_controls = text.required(
        &format!("{F}.internal_controls"),
        &db.internal_controls,
        "a description of internal controls (內部控管機制)",
    );
    for (i, link) in db.linkages.iter().enumerate() {
        text.required(
            &format!("{F}.linkages[{i}].target"),
            &link.target,
            "the linked file or system",
        );
        text.required(
            &format!("{F}.linkages[{i}].purpose"),
            &link.purpose,
            "why the files are linked",
        );
    }
    for (i, recipient) in db.recipients.iter().enumerate() {
        text.required(
            &format!("{F}.recipients[{i}].name"),
            &recipient.name,
            "the recipient",
        );
        text.required(
            &format!("{F}.recipients[{i}].purpose"),
            &recipient.purpose,
            "what the recipient uses the data for",
        );
    }
    let record_count = db.record_count.unwrap_or_else(|| {
        errors.push(
            format!("{F}.record_count"),
            Rule::DisclosureRequired,
            "the approximate number of records is required",
        );
        0
    });

    let out_of_purpose = match db.out_of_purpose {
        None => {
            errors.push(
                format!("{F}.out_of_purpose"),
                Rule::DisclosureRequired,
                "state whether the database is used outside its specific purposes",
            );
            OutOfPurposeUse {
                occurs: false,
                legal_bases: Vec::new(),
                description: String::new(),
                consent_method: String::new(),
            }
        }
        Some(oop) => validate_out_of_purpose(&oop, has_sensitive, errors),
    };

    let subject_rights = match db.subject_rights {
        None => {
            errors.push(
                format!("{F}.subject_rights"),
                Rule::DisclosureRequired,
                "say how people can see, stop the use of, and delete their data, and where to ask",
            );
            SubjectRights {
                access: String::new(),
                stop_use: String::new(),
                deletion: String::new(),
                contact: Contact::default(),
            }
        }
        Some(rights) => {
            let mut text = Text { errors };
            text.required(
                &format!("{F}.subject_rights.access"),
                &rights.access,
                "how people can access their data (查詢或請求閱覽)",
            );
            text.required(
                &format!("{F}.subject_rights.stop_use"),
                &rights.stop_use,
                "how people can ask to stop the use of their data (停止利用)",
            );
            text.required(
                &format!("{F}.subject_rights.deletion"),
                &rights.deletion,
                "how people can ask for deletion (刪除)",
            );
            rights
                .contact
                .check(&format!("{F}.subject_rights.contact"), errors);
            rights
        }
    };

    let open_data = match db.open_data {
        None => {
            errors.push(
                format!("{F}.open_data"),
                Rule::DisclosureRequired,
                "state whether the data or statistics from it are open data",
            );
            OpenData {
                state: OpenDataState::NotPublished,
                url: String::new(),
                note: String::new(),
            }
        }
        Some(open) => {
            if open.state != OpenDataState::NotPublished && open.url.trim().is_empty() {
                errors.push(
                    format!("{F}.open_data.url"),
                    Rule::DisclosureRequired,
                    "give the address where the open data is published",
                );
            }
            if open.state == OpenDataState::NotPublished && open.note.trim().is_empty() {
                errors.push(
                    format!("{F}.open_data.note"),
                    Rule::DisclosureRequired,
                    "say why the data is not published",
                );
            }
            open
        }
    };

    LargeDatabase {
        population,
        people_covered: db.people_covered,
        record_count,
        linkages: db.linkages,
        recipients: db.recipients,
        retention,
        out_of_purpose,
        subject_rights,
        internal_controls,
        open_data,
    }
}

fn validate_out_of_purpose(
    oop: &OutOfPurposeSubmission,
    has_sensitive: bool,
    errors: &mut ValidationErrors,
) -> OutOfPurposeUse {
    const F: &str = "large_database.out_of_purpose";
    let occurs = oop.occurs.unwrap_or_else(|| {
        errors.push(
            format!("{F}.occurs"),
            Rule::DisclosureRequired,
            "state whether out-of-purpose use happens (true or false)",
        );
        false
    });
    let legal_bases = legal_bases(
        &format!("{F}.legal_bases"),
        &oop.legal_bases,
        errors,
        |code| {
            let fits = code.is_out_of_purpose_exception() && code.article() == 16
                || has_sensitive && code.is_art6_exception();
            (!fits).then_some("out-of-purpose use by an agency needs an Art. 16 proviso item, PDPA-16-P1 to PDPA-16-P7 (or an Art. 6 item for sensitive data)")
        },
    );
    let mut text = Text { errors };
    let description = text.optional(&format!("{F}.description"), &oop.description);
    let consent_method = text.optional(&format!("{F}.consent_method"), &oop.consent_method);
    if occurs {
        if oop.legal_bases.is_empty() {
            errors.push(
                format!("{F}.legal_bases"),
                Rule::DisclosureRequired,
                "name the Art. 16 proviso items that permit the out-of-purpose use",
            );
        }
        if description.is_empty() {
            errors.push(
                format!("{F}.description"),
                Rule::DisclosureRequired,
                "describe the out-of-purpose uses",
            );
        }
        if legal_bases.iter().any(LegalBasisCode::is_consent) && consent_method.is_empty() {
            errors.push(
                format!("{F}.consent_method"),
                Rule::DisclosureRequired,
                "a basis is the subject's consent: say how that consent is obtained",
            );
        }
    } else if !oop.legal_bases.is_empty() {
        errors.push(
            format!("{F}.legal_bases"),
            Rule::BasisNotApplicable,
            "occurs is false, so no out-of-purpose basis should be given",
        );
    }
    OutOfPurposeUse {
        occurs,
        legal_bases,
        description,
        consent_method,
    }
}

#[cfg(test)]
mod tests;
