//! `GET /files`: the register of personal-data files, searchable and filterable with a plain
//! GET form, twenty to a page. Filters travel in the address, so every result page can be
//! linked, bookmarked and paged without losing them.

mod filters;
mod form;

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lantern_domain::reference::ReferenceData;
use lantern_domain::{Agency, AgencyCode, DataCategoryCode, PurposeCode};

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx, href};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row::{self, FileRow};
use crate::pages::labels;
use filters::{FieldError, FilterValues, PAGE_SIZE};
use form::{SearchForm, search_form};

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    t: Tr,
    chrome: Chrome,
    form: SearchForm,
    errors: Vec<ErrorLink>,
    results: Option<Results>,
}

/// An entry of the error summary, linking to its field when there is one.
struct ErrorLink {
    href: Option<String>,
    message: String,
}

/// One page of results.
struct Results {
    /// How many files match.
    summary: String,
    /// Which of them this page shows, or that this page is past the end.
    range: String,
    /// The filters in force, each with a link that drops it.
    applied: Vec<Applied>,
    rows: Vec<FileRow>,
    /// The number of the first row, for `<ol start>`.
    start: u64,
    prev: Option<String>,
    next: Option<String>,
    /// Link back to the first page when the offset is past the end.
    first: Option<String>,
}

/// A filter in force.
struct Applied {
    label: String,
    remove_href: String,
}

/// The register.
pub(crate) async fn page(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build(&ctx, &state).await)
}

async fn build(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    let reference = state.reference();
    let agencies = file_row::by_code(state.store.agencies().await?);
    let parsed = filters::parse(t, &ctx.query(), &agencies, &reference);
    let values = &parsed.values;

    let (results, problems) = match parsed.query {
        Ok(query) => {
            let page = state.store.search_files(&query).await?;
            let rows = page
                .items
                .iter()
                .map(|v| FileRow::new(t, &reference, &agencies, &v.value))
                .collect();
            let applied = applied(t, values, &agencies, &reference);
            (
                Some(results(t, values, applied, rows, page.total)),
                Vec::new(),
            )
        }
        Err(problems) => (None, problems),
    };

    let form = search_form(t, values, &problems, &agencies, &reference);
    let errors: Vec<ErrorLink> = problems.iter().map(error_link).collect();
    let (title, status) = if errors.is_empty() {
        (t.get("register-title"), StatusCode::OK)
    } else {
        (
            t.with(
                "title-with-errors",
                &[("title", t.get("register-title").into())],
            ),
            StatusCode::BAD_REQUEST,
        )
    };
    let page = RegisterPage {
        chrome: ctx.chrome(Nav::Files, &title),
        form,
        errors,
        results,
        t,
    };
    Ok((status, render(&page)?).into_response())
}

fn error_link(problem: &FieldError) -> ErrorLink {
    // The offset comes from paging links, not from a field the reader can correct.
    let href = (problem.field != "offset").then(|| format!("#f-{}", problem.field));
    ErrorLink {
        href,
        message: problem.message.clone(),
    }
}

/// A register link for `values` at `offset`.
fn link(values: &FilterValues, offset: u32) -> String {
    let params = values.params(offset);
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    href("/files", &borrowed)
}

/// The filters in force, named as the reader knows them, each with a link that drops it and
/// goes back to the first page.
fn applied(
    t: Tr,
    values: &FilterValues,
    agencies: &BTreeMap<AgencyCode, Agency>,
    reference: &ReferenceData,
) -> Vec<Applied> {
    let mut out = Vec::new();
    let mut add = |name: &str, value: String, clear: fn(&mut FilterValues)| {
        let mut without = values.clone();
        clear(&mut without);
        out.push(Applied {
            label: t.with(
                "register-applied-filter",
                &[("name", t.get(name).into()), ("value", value.into())],
            ),
            remove_href: link(&without, 0),
        });
    };
    let yes_no = |v: &str| {
        t.get(if v == "yes" {
            "filter-yes"
        } else {
            "filter-no"
        })
    };
    let code_text = |label: labels::CodeLabel| {
        if label.code.is_empty() {
            label.name
        } else {
            format!("{} {}", label.code, label.name)
        }
    };

    if !values.q.is_empty() {
        add("filter-q", values.q.clone(), |v| v.q.clear());
    }
    if !values.agency.is_empty() {
        let name = AgencyCode::parse(&values.agency)
            .ok()
            .and_then(|code| agencies.get(&code))
            .map_or_else(
                || values.agency.clone(),
                |a| file_row::agency_name(t.lang(), a).to_owned(),
            );
        add("filter-agency", name, |v| v.agency.clear());
    }
    let purpose = if values.purpose.is_empty() {
        &values.purpose_code
    } else {
        &values.purpose
    };
    if let Ok(code) = PurposeCode::parse(purpose) {
        add(
            "filter-purpose-legend",
            code_text(labels::purpose_code(t, reference, &code)),
            |v| {
                v.purpose.clear();
                v.purpose_code.clear();
            },
        );
    }
    let category = if values.category.is_empty() {
        &values.category_code
    } else {
        &values.category
    };
    if let Ok(code) = DataCategoryCode::parse(category) {
        add(
            "filter-category-legend",
            code_text(labels::category_code(t, reference, &code)),
            |v| {
                v.category.clear();
                v.category_code.clear();
            },
        );
    }
    if !values.sensitive.is_empty() {
        add("filter-sensitive", yes_no(&values.sensitive), |v| {
            v.sensitive.clear();
        });
    }
    if !values.large.is_empty() {
        add("filter-large", yes_no(&values.large), |v| v.large.clear());
    }
    out
}

fn results(
    t: Tr,
    values: &FilterValues,
    applied: Vec<Applied>,
    rows: Vec<FileRow>,
    total: u64,
) -> Results {
    let offset = u64::from(values.offset);
    let shown = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    let summary = t.with(
        "register-total",
        &[
            ("count", total.into()),
            ("shown", labels::grouped(total).into()),
        ],
    );
    let (range, first) = if shown == 0 && total > 0 {
        (t.get("register-past-end"), Some(link(values, 0)))
    } else if shown == 0 {
        (t.get("register-none"), None)
    } else {
        let from = labels::grouped(offset + 1);
        let to = labels::grouped(offset + shown);
        (
            t.with(
                "register-range",
                &[("from", from.into()), ("to", to.into())],
            ),
            None,
        )
    };
    let prev = (values.offset > 0 && shown > 0)
        .then(|| link(values, values.offset.saturating_sub(PAGE_SIZE)));
    let next = (offset + shown < total && shown > 0)
        .then(|| link(values, values.offset.saturating_add(PAGE_SIZE)));
    Results {
        summary,
        range,
        applied,
        rows,
        start: offset + 1,
        prev,
        next,
        first,
    }
}
