//! A personal-data file as a citizen reads it: every code with its name, every legal basis with
//! what it allows, numbers the way people say them.

use lantern_domain::file::{LargeDatabase, OutOfPurposeUse, SubjectRights};
use lantern_domain::reference::ReferenceData;
use lantern_domain::{Agency, LegalBasisCode, PersonalDataFile};

use crate::i18n::{Lang, Tr};
use crate::pages::contact::ContactView;
use crate::pages::file_row;
use crate::pages::labels::{self, BasisLabel, CodeLabel};

/// The file.
pub(crate) struct FileView {
    /// Name in the reader's language.
    pub(crate) name: String,
    /// The name in the other language, when it differs.
    pub(crate) other_name: Option<OtherName>,
    /// What the file is.
    pub(crate) description: String,
    /// The holding agency.
    pub(crate) agency: AgencyLink,
    /// The file's contact window.
    pub(crate) contact: ContactView,
    /// PDPA legal bases.
    pub(crate) legal_bases: Vec<BasisLabel>,
    /// Statutes that give the duty.
    pub(crate) statutes: Vec<String>,
    /// Specific purposes.
    pub(crate) purposes: Vec<CodeLabel>,
    /// Data categories.
    pub(crate) categories: Vec<CodeLabel>,
    /// Sensitive data, if any.
    pub(crate) sensitive: Option<SensitiveView>,
    /// Large-database disclosures, if it is one.
    pub(crate) large: Option<LargeView>,
}

/// A name in the other language, tagged with its language.
pub(crate) struct OtherName {
    pub(crate) text: String,
    pub(crate) html_lang: &'static str,
}

/// A link to an agency.
pub(crate) struct AgencyLink {
    pub(crate) name: String,
    pub(crate) href: String,
}

/// Sensitive data held.
pub(crate) struct SensitiveView {
    pub(crate) kinds: Vec<String>,
    pub(crate) legal_bases: Vec<BasisLabel>,
}

/// What a large database discloses.
pub(crate) struct LargeView {
    pub(crate) population: String,
    /// 「約 2,340 萬人」 with the exact figure.
    pub(crate) people: Option<Figure>,
    pub(crate) records: Figure,
    pub(crate) linkages: Vec<LinkView>,
    pub(crate) recipients: Vec<RecipientView>,
    pub(crate) retention: String,
    pub(crate) out_of_purpose: OutOfPurposeView,
    pub(crate) rights: RightsView,
    pub(crate) internal_controls: String,
    pub(crate) open_data: OpenDataView,
}

/// A large number said roughly, with the exact value beside it.
pub(crate) struct Figure {
    pub(crate) approx: String,
    pub(crate) exact: String,
}

/// A linkage; the target links to its file when it is one in this register.
pub(crate) struct LinkView {
    pub(crate) target: String,
    pub(crate) href: Option<String>,
    pub(crate) purpose: String,
}

/// A regular recipient.
pub(crate) struct RecipientView {
    pub(crate) name: String,
    pub(crate) purpose: String,
}

/// Use outside the specific purposes.
pub(crate) struct OutOfPurposeView {
    pub(crate) occurs: bool,
    pub(crate) legal_bases: Vec<BasisLabel>,
    pub(crate) description: String,
    pub(crate) consent_method: String,
}

/// How subjects exercise their rights.
pub(crate) struct RightsView {
    pub(crate) access: String,
    pub(crate) stop_use: String,
    pub(crate) deletion: String,
    pub(crate) contact: ContactView,
}

/// Open-data status.
pub(crate) struct OpenDataView {
    pub(crate) state: String,
    /// Only `http(s)` addresses become links.
    pub(crate) url: Option<String>,
    /// The link's host, shown instead of a long address.
    pub(crate) host: String,
    pub(crate) note: String,
}

/// A linkage target that is a file of this register, looked up by the caller.
pub(crate) struct LinkedFile {
    pub(crate) name: String,
    pub(crate) href: String,
}

impl FileView {
    /// Maps a file. `agency` is its holder when known; `linked` names each linkage target that
    /// is a file of this register, in order.
    pub(crate) fn new(
        t: Tr,
        reference: &ReferenceData,
        file: &PersonalDataFile,
        agency: Option<&Agency>,
        linked: &[Option<LinkedFile>],
    ) -> Self {
        let lang = t.lang();
        let other = match lang {
            Lang::ZhTw => file.name_en.trim(),
            Lang::En => file.name_zh.trim(),
        };
        let name = file_row::file_name(lang, file).to_owned();
        let bases = |codes: &[LegalBasisCode]| {
            codes
                .iter()
                .map(|c| labels::basis(t, reference, c))
                .collect::<Vec<_>>()
        };
        Self {
            other_name: (!other.is_empty() && other != name).then(|| OtherName {
                text: other.to_owned(),
                html_lang: lang.other().html_lang(),
            }),
            name,
            description: file.description.clone(),
            agency: AgencyLink {
                name: agency.map_or_else(
                    || file.agency.to_string(),
                    |a| file_row::agency_name(lang, a).to_owned(),
                ),
                href: format!("/agencies/{}", file.agency),
            },
            contact: ContactView::new(&file.contact),
            legal_bases: bases(&file.legal_basis.pdpa),
            statutes: file.legal_basis.statutes.clone(),
            purposes: file
                .purposes
                .iter()
                .map(|p| labels::purpose(t, reference, p))
                .collect(),
            categories: file
                .categories
                .iter()
                .map(|c| labels::category(t, reference, c))
                .collect(),
            sensitive: file
                .sensitive
                .as_ref()
                .filter(|s| !s.kinds.is_empty())
                .map(|s| SensitiveView {
                    kinds: s
                        .kinds
                        .iter()
                        .map(|k| labels::sensitive_kind(t, *k))
                        .collect(),
                    legal_bases: bases(&s.legal_bases),
                }),
            large: file
                .large_database
                .as_ref()
                .map(|db| LargeView::new(t, reference, db, linked)),
        }
    }
}

impl LargeView {
    fn new(
        t: Tr,
        reference: &ReferenceData,
        db: &LargeDatabase,
        linked: &[Option<LinkedFile>],
    ) -> Self {
        let figure = |n: u64| Figure {
            approx: labels::approx(t, n),
            exact: labels::grouped(n),
        };
        Self {
            population: db.population.clone(),
            people: db.people_covered.map(figure),
            records: figure(db.record_count),
            linkages: db
                .linkages
                .iter()
                .enumerate()
                .map(|(i, link)| match linked.get(i) {
                    Some(Some(file)) => LinkView {
                        target: file.name.clone(),
                        href: Some(file.href.clone()),
                        purpose: link.purpose.clone(),
                    },
                    _ => LinkView {
                        target: link.target.clone(),
                        href: None,
                        purpose: link.purpose.clone(),
                    },
                })
                .collect(),
            recipients: db
                .recipients
                .iter()
                .map(|r| RecipientView {
                    name: r.name.clone(),
                    purpose: r.purpose.clone(),
                })
                .collect(),
            retention: db.retention.clone(),
            out_of_purpose: OutOfPurposeView::new(t, reference, &db.out_of_purpose),
            rights: RightsView::new(&db.subject_rights),
            internal_controls: db.internal_controls.clone(),
            open_data: {
                let url = safe_url(&db.open_data.url);
                OpenDataView {
                    state: labels::open_data_state(t, db.open_data.state),
                    host: url.as_deref().map(host).unwrap_or_default().to_owned(),
                    url,
                    note: db.open_data.note.clone(),
                }
            },
        }
    }
}

impl OutOfPurposeView {
    fn new(t: Tr, reference: &ReferenceData, oop: &OutOfPurposeUse) -> Self {
        Self {
            occurs: oop.occurs,
            legal_bases: oop
                .legal_bases
                .iter()
                .map(|c| labels::basis(t, reference, c))
                .collect(),
            description: oop.description.clone(),
            consent_method: oop.consent_method.clone(),
        }
    }
}

impl RightsView {
    fn new(rights: &SubjectRights) -> Self {
        Self {
            access: rights.access.clone(),
            stop_use: rights.stop_use.clone(),
            deletion: rights.deletion.clone(),
            contact: ContactView::new(&rights.contact),
        }
    }
}

/// An address that may be a link: `https://` or `http://` only, never `javascript:` or `data:`.
fn safe_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://"))
        && !raw.chars().any(char::is_whitespace))
    .then(|| raw.to_owned())
}

/// The host of an `http(s)` address: what is between `//` and the next `/`, `?` or `#`.
fn host(url: &str) -> &str {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            safe_url(" https://data.gov.tw/ "),
            Some("https://data.gov.tw/".to_owned())
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url(""), None);
        assert_eq!(
            host("https://data.gov.tw/datasets/search?p=1"),
            "data.gov.tw"
        );
        assert_eq!(host("http://example.gov.tw"), "example.gov.tw");
    }
}
