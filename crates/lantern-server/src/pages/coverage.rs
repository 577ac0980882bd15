//! `GET /coverage`: which registered files have gone silent in the usage log, and how much
//! every file reports.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use fluent_bundle::FluentValue;
use time::OffsetDateTime;

use crate::AppState;
use crate::coverage::{self, DEFAULT_SILENT_DAYS, FileCoverage, VOLUME_WINDOW_DAYS};
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row::{agency_name, by_code, file_name};

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    t: Tr,
    chrome: Chrome,
    intro: String,
    silent: Vec<Row>,
    reporting: Vec<Row>,
    window_heading: String,
}

/// One file in a table.
struct Row {
    name: String,
    href: String,
    agency: String,
    /// The last event's date, or "never".
    last_event: String,
    /// "N days ago", or empty when never.
    silent_for: String,
    window_events: String,
    daily_average: String,
}

/// The coverage page.
pub(crate) async fn page(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build(&ctx, &state).await)
}

async fn build(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    let now = OffsetDateTime::now_utc();
    let files = coverage::coverage(state.store.as_ref(), now, DEFAULT_SILENT_DAYS).await?;
    let agencies = by_code(state.store.agencies().await?);
    let row = |c: &FileCoverage| Row {
        name: file_name(t.lang(), &c.file).to_owned(),
        href: format!("/files/{}", c.file.id),
        agency: agencies.get(&c.file.agency).map_or_else(
            || c.file.agency.to_string(),
            |a| agency_name(t.lang(), a).to_owned(),
        ),
        last_event: c.activity.as_ref().map_or_else(
            || t.get("coverage-never"),
            |a| a.last_event.date().to_string(),
        ),
        silent_for: c.days_since_last_event.map_or_else(String::new, |days| {
            t.with("coverage-days-ago", &[("days", FluentValue::from(days))])
        }),
        window_events: c.window_events().to_string(),
        daily_average: format!("{:.1}", c.daily_average()),
    };
    let (silent, reporting): (Vec<_>, Vec<_>) = files.iter().partition(|c| c.silent);
    render(&CoveragePage {
        chrome: ctx.chrome(Nav::Coverage, &t.get("coverage-title")),
        intro: t.with(
            "coverage-intro",
            &[("days", FluentValue::from(DEFAULT_SILENT_DAYS))],
        ),
        window_heading: t.with(
            "coverage-window-events",
            &[("days", FluentValue::from(VOLUME_WINDOW_DAYS))],
        ),
        silent: silent.into_iter().map(row).collect(),
        reporting: reporting.into_iter().map(row).collect(),
        t,
    })
}
