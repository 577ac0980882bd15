//! `GET /me`: the last 12 months in numbers and charts, uses outside the original purposes
//! called out, withheld records counted with their ground and date.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use lantern_domain::reference::ReferenceData;
use lantern_store::WithheldCount;
use lantern_store::footprint::{FootprintEntries, FootprintSummary};
use time::{Date, Month};

use super::chart::{self, Bar, Caption, Chart};
use super::names::Names;
use super::{citizen, private, today};
use crate::AppState;
use crate::auth::CitizenSession;
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::labels;

/// How many purposes the chart shows; the table lists them all.
const CHART_PURPOSES: usize = 8;

#[derive(Template)]
#[template(path = "footprint_summary.html")]
struct SummaryPage {
    t: Tr,
    chrome: Chrome,
    csrf_token: String,
    period: String,
    totals: Option<String>,
    out_of_purpose: Option<OutOfPurpose>,
    withheld: Vec<String>,
    charts: Vec<Chart>,
}

/// The uses outside the original purposes, by legal basis.
struct OutOfPurpose {
    text: String,
    bases: Vec<(String, String, u64)>,
}

/// `GET /me`.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let csrf = match &session {
        Ok(Some(s)) => s.csrf_token.clone(),
        _ => String::new(),
    };
    let result = match citizen(session) {
        Ok(subject) => build(&ctx, &state, &subject, csrf).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn build(
    ctx: &PageCtx,
    state: &AppState,
    subject: &lantern_log::SubjectPseudonym,
    csrf_token: String,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let today = today();
    let from = twelve_months_back(today);
    let entries = state.store.footprint_entries(subject, today).await?;
    let summary = FootprintSummary::tally(&entries, from, today);
    let names = Names::load(state.store.as_ref(), Vec::new()).await?;
    let reference = state.reference();
    let page = SummaryPage {
        chrome: ctx.chrome(Nav::Me, &t.get("fp-title")),
        csrf_token,
        period: t.with(
            "fp-period",
            &[
                ("from", from.to_string().into()),
                ("to", today.to_string().into()),
            ],
        ),
        totals: (summary.events > 0).then(|| {
            t.with(
                "fp-summary-totals",
                &[
                    ("events", labels::grouped(summary.events).into()),
                    ("records", labels::grouped(summary.records).into()),
                    ("agencies", summary.by_agency.len().into()),
                ],
            )
        }),
        out_of_purpose: out_of_purpose(t, &reference, &summary),
        withheld: withheld(t, &reference, &entries),
        charts: if summary.events > 0 {
            charts(t, &reference, &names, &summary)
        } else {
            Vec::new()
        },
        t,
    };
    render(&page)
}

/// The first day of the month eleven months before `today`'s: the period is this month and
/// the eleven before it.
fn twelve_months_back(today: Date) -> Date {
    let months = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - 11;
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let month = Month::try_from(u8::try_from(month).unwrap_or(1)).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1).unwrap_or(today)
}

fn out_of_purpose(
    t: Tr,
    reference: &ReferenceData,
    summary: &FootprintSummary,
) -> Option<OutOfPurpose> {
    (summary.out_of_purpose > 0).then(|| OutOfPurpose {
        text: t.with(
            "fp-oop-text",
            &[("count", labels::grouped(summary.out_of_purpose).into())],
        ),
        bases: summary
            .out_of_purpose_by_basis
            .iter()
            .map(|(code, n)| {
                let label = labels::basis(t, reference, code);
                (label.clause, label.summary, *n)
            })
            .collect(),
    })
}

/// One sentence per ground and date.
pub(super) fn withheld(
    t: Tr,
    reference: &ReferenceData,
    entries: &FootprintEntries,
) -> Vec<String> {
    entries
        .withheld
        .iter()
        .map(|w: &WithheldCount| {
            let ground = reference
                .restriction_ground(w.ground.as_str())
                .map(|g| {
                    if t.lang() == Lang::En {
                        g.summary_en.clone()
                    } else {
                        g.summary_zh.clone()
                    }
                })
                .unwrap_or_default();
            t.with(
                "fp-withheld-item",
                &[
                    ("count", labels::grouped(w.events).into()),
                    ("ground", ground.into()),
                    ("code", w.ground.to_string().into()),
                    ("until", w.until.to_string().into()),
                ],
            )
        })
        .collect()
}

fn charts(
    t: Tr,
    reference: &ReferenceData,
    names: &Names,
    summary: &FootprintSummary,
) -> Vec<Chart> {
    let count = t.get("fp-col-count");
    let max = summary.by_month.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let months: Vec<Bar> = summary
        .by_month
        .iter()
        .map(|((year, month), n)| Bar {
            label: t.with(
                "fp-month-short",
                &[("month", (*month).into()), ("year", (*year).into())],
            ),
            value: *n,
            shown: labels::grouped(*n),
            highlight: false,
        })
        .collect();
    let month_rows: Vec<Bar> = summary
        .by_month
        .iter()
        .zip(&months)
        .map(|(((year, month), _), bar)| Bar {
            label: t.with(
                "fp-month-long",
                &[("month", (*month).into()), ("year", (*year).into())],
            ),
            ..bar.clone()
        })
        .collect();
    let mut by_month = chart::columns(
        Caption {
            id: "chart-month",
            title: t.get("fp-chart-month"),
            description: t.with(
                "fp-chart-month-desc",
                &[("max", labels::grouped(max).into())],
            ),
            label_header: t.get("fp-col-month"),
            value_header: count.clone(),
        },
        &months,
    );
    by_month.rows = month_rows
        .iter()
        .map(|b| (b.label.clone(), b.shown.clone()))
        .collect();
    let agencies: Vec<Bar> = summary
        .by_agency
        .iter()
        .map(|(code, n)| Bar {
            label: names.agency(t, code),
            value: *n,
            shown: labels::grouped(*n),
            highlight: false,
        })
        .collect();
    let purposes: Vec<Bar> = summary
        .by_purpose
        .iter()
        .map(|(code, n)| Bar {
            label: labels::purpose_code_short(t, reference, code).name,
            value: *n,
            shown: labels::grouped(*n),
            highlight: false,
        })
        .collect();
    let mut by_purpose = chart::horizontal(
        Caption {
            id: "chart-purpose",
            title: t.get("fp-chart-purpose"),
            description: t.get("fp-chart-purpose-desc"),
            label_header: t.get("fp-col-purpose"),
            value_header: count.clone(),
        },
        &purposes[..purposes.len().min(CHART_PURPOSES)],
    );
    by_purpose.rows = purposes
        .iter()
        .map(|b| (b.label.clone(), b.shown.clone()))
        .collect();
    vec![
        by_month,
        chart::horizontal(
            Caption {
                id: "chart-agency",
                title: t.get("fp-chart-agency"),
                description: t.get("fp-chart-agency-desc"),
                label_header: t.get("fp-col-agency"),
                value_header: count,
            },
            &agencies,
        ),
        by_purpose,
    ]
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_period_is_twelve_calendar_months() {
        assert_eq!(
            twelve_months_back(date!(2026 - 11 - 22)),
            date!(2025 - 12 - 01)
        );
        assert_eq!(
            twelve_months_back(date!(2026 - 01 - 31)),
            date!(2025 - 02 - 01)
        );
        assert_eq!(
            twelve_months_back(date!(2026 - 12 - 01)),
            date!(2026 - 01 - 01)
        );
    }
}
