//! `GET /`: what Lantern is, a search box, and how much the register holds.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use lantern_domain::AgencyCode;
use lantern_store::FileQuery;

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::{file_row, labels};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    chrome: Chrome,
    stats: Vec<Stat>,
    /// Demo mode only: the staff logins anyone may try.
    demo_logins: Vec<DemoLogin>,
    demo_password: &'static str,
}

/// A demo staff login as the start page lists it.
struct DemoLogin {
    username: &'static str,
    agency: String,
    role: String,
}

/// One figure of the register, linking to what it counts.
struct Stat {
    number: String,
    label: String,
    href: &'static str,
}

/// The start page.
pub(crate) async fn page(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build(&ctx, &state).await)
}

async fn build(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    // One row is asked for because only the totals matter.
    let count = FileQuery {
        limit: 1,
        ..FileQuery::default()
    };
    let files = state.store.search_files(&count).await?.total;
    let large = state
        .store
        .search_files(&FileQuery {
            large_database: Some(true),
            ..count
        })
        .await?
        .total;
    let agencies = state.store.agencies().await?;
    let demo_logins = if state.config.demo {
        let names = file_row::by_code(agencies.clone());
        lantern_demo::staff_accounts()
            .into_iter()
            .map(|account| DemoLogin {
                username: account.username,
                agency: AgencyCode::parse(account.agency)
                    .ok()
                    .and_then(|code| names.get(&code))
                    .map_or_else(
                        || account.agency.to_owned(),
                        |a| file_row::agency_name(t.lang(), a).to_owned(),
                    ),
                role: labels::role(t, account.role),
            })
            .collect()
    } else {
        Vec::new()
    };
    let agencies = u64::try_from(agencies.len()).unwrap_or(u64::MAX);
    let stat = |id: &str, n: u64, href| Stat {
        number: labels::grouped(n),
        label: t.with(id, &[("count", n.into())]),
        href,
    };
    render(&HomePage {
        chrome: ctx.chrome(Nav::Home, &t.get("home-title")),
        stats: vec![
            stat("home-stat-files", files, "/files"),
            stat("home-stat-large", large, "/files?large=yes"),
            stat("home-stat-agencies", agencies, "/agencies"),
        ],
        demo_logins,
        demo_password: lantern_demo::DEMO_PASSWORD,
        t,
    })
}
