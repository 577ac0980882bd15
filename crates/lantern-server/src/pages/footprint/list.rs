//! `GET /me/events`: the citizen's events newest first, filtered and paged, each as one
//! sentence linking to its page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use lantern_log::SubjectPseudonym;

use super::filter::{self, Asked, FilterError, FilterForm};
use super::names::{Names, distinct_files};
use super::sentence::{long_date, sentence};
use super::summary::withheld;
use super::{citizen, private, today};
use crate::AppState;
use crate::auth::CitizenSession;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::labels;

/// Events per page.
pub(super) const PER_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "footprint_list.html")]
struct ListPage {
    t: Tr,
    chrome: Chrome,
    form: FilterForm,
    errors: Vec<FilterError>,
    count: String,
    range: Option<String>,
    start: usize,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    withheld: Vec<String>,
}

/// One event in the list.
struct Row {
    href: String,
    sentence: String,
    date: String,
    machine_date: String,
    out_of_purpose: bool,
}

/// `GET /me/events`.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let result = match citizen(session) {
        Ok(subject) => build(&ctx, &state, &subject).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn build(
    ctx: &PageCtx,
    state: &AppState,
    subject: &SubjectPseudonym,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let asked = Asked::from_query(&ctx.query());
    let (filter, errors) = filter::parse(t, &asked);
    let today = today();
    let entries = state.store.footprint_entries(subject, today).await?;
    let matching: Vec<u64> = entries
        .visible
        .iter()
        .filter(|seen| filter.matches(&seen.entry))
        .map(|seen| seen.index)
        .collect();
    let pages = matching.len().div_ceil(PER_PAGE).max(1);
    let page = usize::try_from(asked.page).unwrap_or(usize::MAX).min(pages);
    let skip = (page - 1) * PER_PAGE;
    let shown: Vec<u64> = matching.iter().skip(skip).take(PER_PAGE).copied().collect();
    let events = state.store.subject_events(subject, today, &shown).await?;
    let files = distinct_files(entries.visible.iter().map(|e| &e.entry.parts().file));
    let names = Names::load(state.store.as_ref(), files).await?;
    let reference = state.reference();
    let rows = events
        .iter()
        .map(|stored| Row {
            href: format!("/me/events/{}", stored.index),
            sentence: sentence(
                t,
                &reference,
                &names,
                &stored.event,
                stored.entry.is_out_of_purpose(),
            ),
            date: long_date(t, stored.event.parts().occurred_at),
            machine_date: labels::machine_time(stored.event.parts().occurred_at),
            out_of_purpose: stored.entry.is_out_of_purpose(),
        })
        .collect();
    let query = asked.query();
    let link = |page: usize| {
        let mut href = format!("/me/events?page={page}");
        if !query.is_empty() {
            href.push('&');
            href.push_str(&query);
        }
        href
    };
    let list = ListPage {
        chrome: ctx.chrome(Nav::Me, &t.get("fp-list-title")),
        form: filter::form(t, &reference, &names, &entries, &asked, &errors),
        errors,
        count: t.with(
            "fp-list-count",
            &[("total", labels::grouped(matching.len() as u64).into())],
        ),
        range: (!shown.is_empty()).then(|| {
            t.with(
                "fp-list-range",
                &[
                    ("first", (skip + 1).into()),
                    ("last", (skip + shown.len()).into()),
                ],
            )
        }),
        start: skip + 1,
        rows,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        withheld: withheld(t, &reference, &entries),
        t,
    };
    render(&list)
}
