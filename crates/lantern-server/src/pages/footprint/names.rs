//! The names of the agencies and files a citizen's events mention, looked up once per page.

use std::collections::BTreeMap;

use lantern_domain::{AgencyCode, FileId};
use lantern_store::{Store, StoreError};

use crate::i18n::{Lang, Tr};

/// Agency and file names in both languages, by code.
#[derive(Debug, Default)]
pub(super) struct Names {
    agencies: BTreeMap<AgencyCode, (String, String)>,
    files: BTreeMap<FileId, (String, String)>,
}

impl Names {
    /// Loads every agency's names and the names of `files`.
    ///
    /// # Errors
    /// When the store fails.
    pub(super) async fn load(store: &dyn Store, files: Vec<FileId>) -> Result<Self, StoreError> {
        let mut names = Self::default();
        for agency in store.agencies().await? {
            names
                .agencies
                .insert(agency.code.clone(), (agency.name_zh, agency.name_en));
        }
        for id in files {
            if names.files.contains_key(&id) {
                continue;
            }
            if let Some(file) = store.file(&id, None).await? {
                names
                    .files
                    .insert(id, (file.value.name_zh.clone(), file.value.name_en.clone()));
            }
        }
        Ok(names)
    }

    /// The agency's name in the reader's language (Chinese where it has no English), or its
    /// code when the register does not know it.
    pub(super) fn agency(&self, t: Tr, code: &AgencyCode) -> String {
        self.agencies
            .get(code)
            .map_or_else(|| code.to_string(), |(zh, en)| pick(t, zh, en))
    }

    /// The file's name in the reader's language, or its id when the register does not know it.
    pub(super) fn file(&self, t: Tr, id: &FileId) -> String {
        self.files
            .get(id)
            .map_or_else(|| id.to_string(), |(zh, en)| pick(t, zh, en))
    }
}

/// The distinct files of `files`, in id order.
pub(super) fn distinct_files<'a>(files: impl Iterator<Item = &'a FileId>) -> Vec<FileId> {
    files
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .cloned()
        .collect()
}

fn pick(t: Tr, zh: &str, en: &str) -> String {
    if t.lang() == Lang::En && !en.trim().is_empty() {
        en.to_owned()
    } else {
        zh.to_owned()
    }
}
