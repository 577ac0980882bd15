//! `GET /files/{id}[?version=N]`: one personal-data file, written for the people whose data it
//! holds, with its version history.

mod view;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use lantern_domain::FileId;
use lantern_store::VersionInfo;

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx, href};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row;
use crate::pages::labels;
use view::{FileView, LinkedFile};

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    t: Tr,
    chrome: Chrome,
    file: FileView,
    /// The version shown, in words.
    version_label: String,
    /// When the shown version was recorded.
    updated: String,
    updated_machine: String,
    history: Vec<HistoryEntry>,
    /// Set when the shown version is not the current one.
    old: Option<OldVersion>,
}

/// One version in the history list.
struct HistoryEntry {
    title: String,
    /// Link to this version; `None` for the one shown.
    href: Option<String>,
    when: String,
    when_machine: String,
    who: String,
    changed: String,
}

/// The notice on an old version.
struct OldVersion {
    text: String,
    current_href: String,
    current_label: String,
}

/// A file's page.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    ctx.respond(build(&ctx, &state, id).await)
}

async fn build(
    ctx: &PageCtx,
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Ok(Path(raw_id)) = id else {
        return Err(PageError::NotFound);
    };
    // An id of the wrong shape cannot name a file: not found, like any unknown id.
    let id = FileId::parse(&raw_id).map_err(|_| PageError::NotFound)?;
    let asked = requested_version(t, &ctx.query())?;
    let Some(shown) = state.store.file(&id, asked).await? else {
        return Err(PageError::NotFound);
    };
    let history = state.store.file_history(&id).await?;
    let current = history.last().map_or(shown.info.version, |v| v.version);
    let agency = state
        .store
        .agency(&shown.value.agency)
        .await?
        .map(|v| v.value);

    let mut linked = Vec::new();
    for link in shown
        .value
        .large_database
        .iter()
        .flat_map(|db| &db.linkages)
    {
        let found = match FileId::parse(link.target.trim()) {
            Ok(target) => state.store.file(&target, None).await?.map(|f| LinkedFile {
                name: file_row::file_name(t.lang(), &f.value).to_owned(),
                href: format!("/files/{target}"),
            }),
            Err(_) => None,
        };
        linked.push(found);
    }

    let reference = state.reference();
    let file = FileView::new(t, &reference, &shown.value, agency.as_ref(), &linked);
    let base = format!("/files/{id}");
    let version = shown.info.version;
    let old = (version != current).then(|| OldVersion {
        text: t.with(
            "file-old-version",
            &[("shown", version.into()), ("current", current.into())],
        ),
        current_href: base.clone(),
        current_label: t.with("file-old-version-link", &[("current", current.into())]),
    });
    let history = history
        .iter()
        .rev()
        .map(|info| history_entry(t, &base, info, version, current))
        .collect();
    render(&FilePage {
        chrome: ctx.chrome(Nav::Files, &file.name),
        updated: labels::time(shown.info.changed_at),
        updated_machine: labels::machine_time(shown.info.changed_at),
        file,
        version_label: t.with("history-version", &[("version", version.into())]),
        history,
        old,
        t,
    })
}

/// `?version=N`: absent for the current version, otherwise a positive whole number.
fn requested_version(t: Tr, query: &[(String, String)]) -> Result<Option<u32>, PageError> {
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

fn history_entry(t: Tr, base: &str, info: &VersionInfo, shown: u32, current: u32) -> HistoryEntry {
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
