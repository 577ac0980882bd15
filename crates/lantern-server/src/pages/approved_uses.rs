//! `GET /files/{id}/approved-uses`: the public register of a file's approved requests from
//! other agencies to use it outside its specific purposes (PDPA Art. 16 proviso): who asked,
//! for what, on which basis, which data, how many people, and when it was decided.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use fluent_bundle::FluentValue;
use lantern_domain::{Agency, AgencyCode, FileId, Outcome, ReferenceData, TrackedRequest};

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::file_row::{agency_name, by_code, file_name};
use crate::pages::labels::{self, BasisLabel, CodeLabel};

#[derive(Template)]
#[template(path = "approved_uses.html")]
struct ApprovedUsesPage {
    t: Tr,
    chrome: Chrome,
    /// The page's heading: the file's name and what the page lists.
    title: String,
    file_name: String,
    file_href: String,
    /// The table's caption, with the number of uses.
    caption: String,
    rows: Vec<UseRow>,
    api_href: String,
}

/// One approved request in the table.
struct UseRow {
    requester: String,
    requester_href: String,
    purpose: CodeLabel,
    basis: BasisLabel,
    citation: String,
    categories: Vec<CodeLabel>,
    /// 「1,200 人」, or that the request described the people in words only.
    people: String,
    /// Delivered (and when) or approved and not yet delivered.
    status: String,
    decided_on: String,
    /// `data-request:{id}`, the reference the delivery's usage events carry.
    reference: String,
}

/// The page.
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
    let id = FileId::parse(&raw_id).map_err(|_| PageError::NotFound)?;
    let Some(file) = state.store.file(&id, None).await? else {
        return Err(PageError::NotFound);
    };
    let uses = state.store.approved_uses(&id).await?;
    let agencies = by_code(state.store.agencies().await?);
    let reference = state.reference();
    let rows = uses
        .iter()
        .filter_map(|tracked| row(t, &reference, &agencies, tracked))
        .collect::<Vec<_>>();
    let name = file_name(t.lang(), &file.value).to_owned();
    let title = t.with("requests-title", &[("file", name.clone().into())]);
    let count = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    render(&ApprovedUsesPage {
        chrome: ctx.chrome(Nav::Files, &title),
        caption: t.with("requests-caption", &[("count", FluentValue::from(count))]),
        title,
        file_name: name,
        file_href: format!("/files/{id}"),
        rows,
        api_href: format!("/api/v1/files/{id}/approved-uses"),
        t,
    })
}

fn row(
    t: Tr,
    reference: &ReferenceData,
    agencies: &BTreeMap<AgencyCode, Agency>,
    tracked: &TrackedRequest,
) -> Option<UseRow> {
    let request = tracked.request();
    let decision = tracked.decision()?;
    let requester = agencies.get(&request.requester).map_or_else(
        || request.requester.to_string(),
        |a| agency_name(t.lang(), a).to_owned(),
    );
    let people = tracked.people().map_or_else(
        || t.get("requests-people-described"),
        |n| t.with("requests-people", &[("n", labels::grouped(n).into())]),
    );
    let status = match tracked.delivery() {
        Some(delivery) => t.with(
            if delivery.release {
                "requests-released"
            } else {
                "requests-delivered"
            },
            &[("date", delivery.delivered_on.to_string().into())],
        ),
        None if decision.outcome == Outcome::ApproveInPart => t.get("requests-approved-in-part"),
        None => t.get("requests-approved"),
    };
    Some(UseRow {
        requester,
        requester_href: format!("/agencies/{}", request.requester),
        purpose: labels::purpose_code(t, reference, &request.purpose),
        basis: labels::basis(t, reference, &request.legal_basis),
        citation: request.legal_citation.clone(),
        categories: request
            .categories
            .iter()
            .map(|code| labels::category_code(t, reference, code))
            .collect(),
        people,
        status,
        decided_on: decision.decided_on.to_string(),
        reference: format!("data-request:{}", request.id),
    })
}
