//! One file as a line of a list (the register, an agency's page): name, holder, badges and
//! purposes by name.

use std::collections::BTreeMap;

use lantern_domain::reference::ReferenceData;
use lantern_domain::{Agency, AgencyCode, PersonalDataFile};

use crate::i18n::{Lang, Tr};
use crate::pages::labels::{self, CodeLabel};

/// A file in a list.
#[derive(Debug, Clone)]
pub(crate) struct FileRow {
    /// Link to the file's page.
    pub(crate) href: String,
    /// Name in the reader's language.
    pub(crate) name: String,
    /// The holding agency's name.
    pub(crate) agency_name: String,
    /// Link to the holding agency.
    pub(crate) agency_href: String,
    /// A large database (大型資料庫).
    pub(crate) large_database: bool,
    /// Holds Art. 6 sensitive data; names the kinds.
    pub(crate) sensitive: Option<String>,
    /// Purposes, short names.
    pub(crate) purposes: Vec<CodeLabel>,
}

impl FileRow {
    /// Maps a file for a list.
    pub(crate) fn new(
        t: Tr,
        reference: &ReferenceData,
        agencies: &BTreeMap<AgencyCode, Agency>,
        file: &PersonalDataFile,
    ) -> Self {
        let sensitive = file
            .sensitive
            .as_ref()
            .filter(|s| !s.kinds.is_empty())
            .map(|s| {
                let kinds: Vec<String> = s
                    .kinds
                    .iter()
                    .map(|k| labels::sensitive_kind(t, *k))
                    .collect();
                kinds.join(&t.get("list-separator"))
            });
        Self {
            href: format!("/files/{}", file.id),
            name: file_name(t.lang(), file).to_owned(),
            agency_name: agencies.get(&file.agency).map_or_else(
                || file.agency.to_string(),
                |a| agency_name(t.lang(), a).to_owned(),
            ),
            agency_href: format!("/agencies/{}", file.agency),
            large_database: file.large_database.is_some(),
            sensitive,
            purposes: file
                .purposes
                .iter()
                .map(|p| labels::purpose_short(t, reference, p))
                .collect(),
        }
    }
}

/// A file's name in `lang`; English falls back to the Chinese name.
pub(crate) fn file_name(lang: Lang, file: &PersonalDataFile) -> &str {
    if lang == Lang::En && !file.name_en.trim().is_empty() {
        &file.name_en
    } else {
        &file.name_zh
    }
}

/// An agency's name in `lang`; English falls back to the Chinese name.
pub(crate) fn agency_name(lang: Lang, agency: &Agency) -> &str {
    if lang == Lang::En && !agency.name_en.trim().is_empty() {
        &agency.name_en
    } else {
        &agency.name_zh
    }
}

/// Agencies by code, for naming holders in lists.
pub(crate) fn by_code(agencies: Vec<Agency>) -> BTreeMap<AgencyCode, Agency> {
    agencies.into_iter().map(|a| (a.code.clone(), a)).collect()
}
