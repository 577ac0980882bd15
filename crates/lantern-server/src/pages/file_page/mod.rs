//! `GET /files/{id}[?version=N]`: one personal-data file, written for the people whose data it
//! holds, with its version history.

mod view;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use lantern_domain::FileId;

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row;
use crate::pages::history::{self, HistoryEntry, OldVersion};
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
    /// The register of approved out-of-purpose requests for the file (linked for large
    /// databases, whose out-of-purpose use is disclosed).
    approved_uses_href: String,
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
    let asked = history::requested_version(t, &ctx.query())?;
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
    let old = history::old_version(t, &base, version, current);
    let history = history::entries(t, &base, &history, version);
    render(&FilePage {
        chrome: ctx.chrome(Nav::Files, &file.name),
        updated: labels::time(shown.info.changed_at),
        updated_machine: labels::machine_time(shown.info.changed_at),
        file,
        version_label: t.with("history-version", &[("version", version.into())]),
        history,
        old,
        approved_uses_href: format!("{base}/approved-uses"),
        t,
    })
}
