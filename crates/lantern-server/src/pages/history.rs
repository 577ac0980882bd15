//! What a register entry's page shows about versions: `?version=N`, the notice on an old
//! version and the version history, shared by the file and agency pages.

use lantern_store::VersionInfo;

use crate::i18n::Tr;
use crate::pages::context::href;
use crate::pages::error_page::PageError;
use crate::pages::labels;

/// One version in the history list.
pub(crate) struct HistoryEntry {
    pub(crate) title: String,
    /// Link to this version; `None` for the one shown.
    pub(crate) href: Option<String>,
    pub(crate) when: String,
    pub(crate) when_machine: String,
    pub(crate) who: String,
    pub(crate) changed: String,
}

/// The notice on an old version.
pub(crate) struct OldVersion {
    pub(crate) text: String,
    pub(crate) current_href: String,
    pub(crate) current_label: String,
}

/// `?version=N`: absent for the current version, otherwise a positive whole number.
///
/// # Errors
/// [`PageError::BadRequest`] explaining the rule when the value is anything else.
pub(crate) fn requested_version(
    t: Tr,
    query: &[(String, String)],
) -> Result<Option<u32>, PageError> {
    let Some((_, raw)) = query.iter().find(|(name, _)| name == "version") else {
        return Ok(None);
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(PageError::BadRequest(vec![t.with(
            "file-error-version",
            &[("given", raw.to_owned().into())],
        )])),
    }
}

/// The notice for version `shown` of the entry at `base`, when it is not `current`.
pub(crate) fn old_version(t: Tr, base: &str, shown: u32, current: u32) -> Option<OldVersion> {
    (shown != current).then(|| OldVersion {
        text: t.with(
            "file-old-version",
            &[("shown", shown.into()), ("current", current.into())],
        ),
        current_href: base.to_owned(),
        current_label: t.with("file-old-version-link", &[("current", current.into())]),
    })
}

/// The history of the entry at `base`, newest first, with links to every version but the one
/// `shown`.
pub(crate) fn entries(t: Tr, base: &str, history: &[VersionInfo], shown: u32) -> Vec<HistoryEntry> {
    let current = history.last().map_or(shown, |v| v.version);
    history
        .iter()
        .rev()
        .map(|info| entry(t, base, info, shown, current))
        .collect()
}

fn entry(t: Tr, base: &str, info: &VersionInfo, shown: u32, current: u32) -> HistoryEntry {
    let title = if info.version == current {
        t.with(
            "history-version-current",
            &[("version", info.version.into())],
        )
    } else {
        t.with("history-version", &[("version", info.version.into())])
    };
    let changed = if info.version == 1 {
        t.get("history-first")
    } else if info.changed_fields.is_empty() {
        t.get("history-no-fields")
    } else {
        let fields: Vec<String> = info
            .changed_fields
            .iter()
            .map(|f| labels::changed_field(t, f))
            .collect();
        t.with(
            "history-changed",
            &[("fields", fields.join(&t.get("list-separator")).into())],
        )
    };
    let href = (info.version != shown).then(|| {
        if info.version == current {
            base.to_owned()
        } else {
            href(base, &[("version", &info.version.to_string())])
        }
    });
    HistoryEntry {
        title,
        href,
        when: labels::time(info.changed_at),
        when_machine: labels::machine_time(info.changed_at),
        who: labels::actor(t, &info.changed_by),
        changed,
    }
}
