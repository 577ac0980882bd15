//! Transparency reports: gathered from the store for one period and scope (the nation or one
//! agency), every figure through the disclosure rules in force, and shown as JSON and CSV with
//! a documented shape (docs/open-data.md).
//!
//! The usage tables come from the usage statistics, which are rolled up from the very entries
//! of the public log: `lantern report recompute` tallies the same tables from the entries alone
//! and compares.

pub mod catalogue;
mod view;

use lantern_domain::disclosure::DisclosureRules;
use lantern_domain::report::{self, Context, NamedFile, Period, Table, UsageCount};
use lantern_domain::{Agency, AgencyCode};
use lantern_log::PurposeScope;
use lantern_store::{
    FileQuery, MAX_PAGE, ProviderRequestQuery, RequestFilter, RequestParty, StatsDimension,
    StatsQuery, StoreError,
};
use time::Date;

pub use view::{
    FigureView, ReasonView, ReportView, RowView, TableView, figure as figure_view, iso, table_csv,
};

use crate::AppState;

/// The setting that holds the disclosure rules as JSON.
pub const RULES_SETTING: &str = "disclosure.rules";

/// The first day reports reach back to: periods are listed from the earliest provider request
/// or usage event on, but never before this.
pub const EARLIEST: Date = time::macros::date!(2020 - 01 - 01);

/// A built report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// `None` for the nation, or the agency.
    pub agency: Option<Agency>,
    /// The rules applied.
    pub rules: DisclosureRules,
    /// The tables, in the order of [`report::TABLE_IDS`].
    pub tables: Vec<Table>,
    /// The day it was read.
    pub today: Date,
}

impl Report {
    /// The table with `id`.
    #[must_use]
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// The disclosure rules in force: the stored ones, or the defaults.
///
/// # Errors
/// When the store fails or the stored rules are not readable (a defect: they are checked when
/// set).
pub async fn rules(state: &AppState) -> Result<DisclosureRules, StoreError> {
    match state.store.setting(RULES_SETTING).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("stored disclosure rules: {e}"))),
        None => Ok(DisclosureRules::default()),
    }
}

/// Builds the report of `period` for the nation (`agency` is `None`) or one agency, as read on
/// `today`.
///
/// # Errors
/// When the store fails.
pub async fn build(
    state: &AppState,
    period: Period,
    agency: Option<&AgencyCode>,
    today: Date,
) -> Result<Report, StoreError> {
    let rules = rules(state).await?;
    let agencies = state.store.agencies().await?;
    let large = state
        .store
        .search_files(&FileQuery {
            large_database: Some(true),
            agency: agency.cloned(),
            limit: MAX_PAGE,
            ..FileQuery::default()
        })
        .await?;
    let files: Vec<NamedFile> = large
        .items
        .into_iter()
        .map(|f| NamedFile {
            id: f.value.id,
            zh: f.value.name_zh,
            en: f.value.name_en,
        })
        .collect();
    let mut counts = Vec::new();
    for file in &files {
        let rows = state
            .store
            .usage_stats(&StatsQuery {
                from: Some(period.first_day()),
                to: Some(period.last_day()),
                file: Some(file.id.clone()),
                group_by: vec![StatsDimension::Scope, StatsDimension::LegalBasis],
                ..StatsQuery::default()
            })
            .await?;
        counts.extend(rows.into_iter().filter_map(|row| {
            Some(UsageCount {
                file: file.id.clone(),
                out_of_purpose: row.scope? == PurposeScope::OutOfPurpose,
                legal_basis: row.legal_basis?,
                events: row.events,
            })
        }));
    }
    let requests = state
        .store
        .provider_requests(&ProviderRequestQuery {
            agency: agency.cloned(),
            from: Some(period.first_day()),
            to: Some(period.last_day()),
        })
        .await?;
    let names: Vec<(AgencyCode, String, String)> = agencies
        .iter()
        .map(|a| (a.code.clone(), a.name_zh.clone(), a.name_en.clone()))
        .collect();
    let ctx = Context {
        rules: &rules,
        period,
        today,
    };
    let mut tables: Vec<Table> = report::usage_tables(ctx, &files, &counts).into();
    tables.extend(report::provider_tables(ctx, agency, &names, &requests));
    let received = state
        .store
        .data_requests(&RequestFilter {
            party: agency.map(|code| RequestParty::Holder(code.clone())),
            state: None,
        })
        .await?;
    tables.push(report::data_request_table(ctx, &files, &received));
    Ok(Report {
        period,
        agency: agency.and_then(|code| agencies.into_iter().find(|a| &a.code == code)),
        rules,
        tables,
        today,
    })
}

/// The periods with a report, newest first: every half-year and year that has ended since the
/// earliest provider request (or [`EARLIEST`]).
///
/// # Errors
/// When the store fails.
pub async fn periods(state: &AppState, today: Date) -> Result<Vec<Period>, StoreError> {
    let first = state
        .store
        .provider_requests(&ProviderRequestQuery::default())
        .await?
        .first()
        .map_or(today, |r| r.requested_on)
        .max(EARLIEST);
    let since = state
        .store
        .usage_stats(&StatsQuery {
            group_by: vec![StatsDimension::Month],
            ..StatsQuery::default()
        })
        .await?
        .iter()
        .filter_map(|row| row.month)
        .min()
        .map_or(first, |month| month.min(first))
        .max(EARLIEST);
    Ok(Period::ended(since, today))
}
