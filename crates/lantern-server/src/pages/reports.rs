//! Transparency reports (透明報告): the list of periods (`/reports`), a period's report for the
//! nation or one agency (`/reports/{period}`, `/reports/{period}/{agency}`) with charts, tables,
//! every withheld value's reason and a plain-language summary; each table as CSV and JSON at
//! a stable address (`…/{table}.csv`, `…/{table}.json`, the whole report as `…/report.json`);
//! the open-data catalogue and the tables' schema under `/open-data/`.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lantern_domain::disclosure::Figure;
use lantern_domain::report::{Period, Table};
use lantern_domain::{AgencyCode, ReferenceData};
use time::OffsetDateTime;

use super::context::{Chrome, Nav, PageCtx};
use super::error_page::{PageError, render};
use super::footprint::chart::{Bar, Caption, Chart, horizontal};
use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::report::catalogue::{CATALOGUE_PATH, SCHEMA_PATH, catalogue, table_schema};
use crate::report::{self, Report, ReportView, TableView, table_csv};

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    t: Tr,
    chrome: Chrome,
    periods: Vec<(String, String)>,
    catalogue: &'static str,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    t: Tr,
    chrome: Chrome,
    heading: String,
    summary: Vec<String>,
    base: String,
    scopes: Vec<(String, String, bool)>,
    tables: Vec<TableSection>,
    trend: Option<Chart>,
    catalogue: &'static str,
    schema: &'static str,
}

/// One table on the page.
struct TableSection {
    id: &'static str,
    title: String,
    chart: Option<Chart>,
    columns: Vec<String>,
    rows: Vec<(String, Vec<Cell>)>,
    total: Vec<Cell>,
    notes: Vec<(usize, String)>,
    csv: String,
    json: String,
}

/// One figure with the numbers of its notes.
struct Cell {
    shown: String,
    notes: Vec<usize>,
}

fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

/// `GET /reports`.
pub(crate) async fn index(ctx: PageCtx, State(state): State<AppState>) -> Response {
    ctx.respond(build_index(&ctx, &state).await)
}

async fn build_index(ctx: &PageCtx, state: &AppState) -> Result<Response, PageError> {
    let t = ctx.tr();
    let periods = report::periods(state, today())
        .await?
        .into_iter()
        .map(|p| (p.to_string(), period_name(ctx.lang, p)))
        .collect();
    let page = IndexPage {
        chrome: ctx.chrome(Nav::Reports, &t.get("rpt-title")),
        periods,
        catalogue: CATALOGUE_PATH,
        t,
    };
    render(&page)
}

/// `GET /reports/{period}`: the nation's report.
pub(crate) async fn national(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(period): Path<String>,
) -> Response {
    ctx.respond(page(&ctx, &state, &period, None).await)
}

/// `GET /reports/{period}/{name}`: an agency's report, or a download of the nation's.
pub(crate) async fn national_item(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((period, name)): Path<(String, String)>,
) -> Response {
    let result = if name.contains('.') {
        download(&state, &period, None, &name).await
    } else {
        page(&ctx, &state, &period, Some(&name)).await
    };
    ctx.respond(result)
}

/// `GET /reports/{period}/{agency}/{name}`: a download of an agency's report.
pub(crate) async fn agency_item(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((period, agency, name)): Path<(String, String, String)>,
) -> Response {
    ctx.respond(download(&state, &period, Some(&agency), &name).await)
}

/// The report asked for: 404 for a period that has not ended, or an unknown agency.
async fn load(state: &AppState, period: &str, agency: Option<&str>) -> Result<Report, PageError> {
    let period = Period::parse(period).map_err(|_| PageError::NotFound)?;
    if period.last_day() >= today() {
        return Err(PageError::NotFound);
    }
    let agency = match agency {
        Some(raw) => {
            let code = AgencyCode::parse(raw).map_err(|_| PageError::NotFound)?;
            state
                .store
                .agency(&code)
                .await?
                .ok_or(PageError::NotFound)?;
            Some(code)
        }
        None => None,
    };
    Ok(report::build(state, period, agency.as_ref(), today()).await?)
}

async fn download(
    state: &AppState,
    period: &str,
    agency: Option<&str>,
    name: &str,
) -> Result<Response, PageError> {
    let report = load(state, period, agency).await?;
    let reference = state.reference();
    if name == "report.json" {
        return Ok(Json(ReportView::new(&report, &reference)).into_response());
    }
    let (id, ext) = name.rsplit_once('.').ok_or(PageError::NotFound)?;
    let table = report.table(id).ok_or(PageError::NotFound)?;
    let view = TableView::new(table, &report, &reference);
    match ext {
        "json" => Ok(Json(view).into_response()),
        "csv" => {
            let mut response = table_csv(&view).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            Ok(response)
        }
        _ => Err(PageError::NotFound),
    }
}

async fn page(
    ctx: &PageCtx,
    state: &AppState,
    period: &str,
    agency: Option<&str>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let report = load(state, period, agency).await?;
    let reference = state.reference();
    let scope_name = report.agency.as_ref().map_or_else(
        || t.get("rpt-national"),
        |a| super::file_row::agency_name(ctx.lang, a).to_owned(),
    );
    let heading = t.with(
        "rpt-heading",
        &[
            ("period", period_name(ctx.lang, report.period).into()),
            ("scope", scope_name.into()),
        ],
    );
    let base = match &report.agency {
        Some(a) => format!("/reports/{}/{}", report.period, a.code),
        None => format!("/reports/{}", report.period),
    };
    let by_agency = report.table("provider-requests-by-agency");
    let mut scopes = vec![(
        format!("/reports/{}", report.period),
        t.get("rpt-national"),
        report.agency.is_none(),
    )];
    let agencies = state.store.agencies().await?;
    let national = if report.agency.is_some() {
        report::build(state, report.period, None, report.today).await?
    } else {
        report.clone()
    };
    let mut codes: Vec<String> = national
        .table("provider-requests-by-agency")
        .map(|t| t.rows.iter().map(|r| r.key.clone()).collect())
        .unwrap_or_default();
    let large = state
        .store
        .search_files(&lantern_store::FileQuery {
            large_database: Some(true),
            limit: lantern_store::MAX_PAGE,
            ..lantern_store::FileQuery::default()
        })
        .await?;
    codes.extend(large.items.into_iter().map(|f| f.value.agency.to_string()));
    codes.sort();
    codes.dedup();
    for code in codes {
        if let Some(agency) = agencies.iter().find(|a| a.code.as_str() == code) {
            scopes.push((
                format!("/reports/{}/{code}", report.period),
                super::file_row::agency_name(ctx.lang, agency).to_owned(),
                report
                    .agency
                    .as_ref()
                    .is_some_and(|a| a.code == agency.code),
            ));
        }
    }
    let summary = summary(t, &report, by_agency);
    let tables = report
        .tables
        .iter()
        .map(|table| section(t, ctx.lang, &reference, table, &base))
        .collect();
    let trend = trend(state, t, ctx.lang, &report).await?;
    let page = ReportPage {
        chrome: ctx.chrome(Nav::Reports, &heading),
        heading,
        summary,
        base,
        scopes,
        tables,
        trend,
        catalogue: CATALOGUE_PATH,
        schema: SCHEMA_PATH,
        t,
    };
    render(&page)
}

/// The plain-language summary: what the tables say, in two or three sentences.
fn summary(t: Tr, report: &Report, by_agency: Option<&Table>) -> Vec<String> {
    let mut sentences = Vec::new();
    if let Some(usage) = report.table("large-database-usage")
        && !usage.rows.is_empty()
    {
        sentences.push(t.with(
            "rpt-summary-usage",
            &[
                ("files", (usage.rows.len() as u64).into()),
                ("uses", usage.total[0].to_string().into()),
                ("oop", usage.total[1].to_string().into()),
            ],
        ));
    }
    if let Some(table) = by_agency {
        if table.rows.is_empty() {
            sentences.push(t.get("rpt-summary-no-requests"));
        } else {
            sentences.push(t.with(
                "rpt-summary-requests",
                &[
                    ("requests", table.total[0].to_string().into()),
                    ("identifiers", table.total[1].to_string().into()),
                    ("all", table.total[2].to_string().into()),
                    ("some", table.total[3].to_string().into()),
                    ("none", table.total[4].to_string().into()),
                ],
            ));
            if table.total[5] != Figure::exact(0) {
                sentences.push(t.get("rpt-summary-confidential"));
            }
        }
    }
    if let Some(table) = report.table("data-requests-by-file")
        && table.total.first().is_some_and(|f| f.high != Some(0))
    {
        sentences.push(t.with(
            "rpt-summary-data-requests",
            &[
                ("received", table.total[0].to_string().into()),
                ("approved", table.total[2].to_string().into()),
                ("refused", table.total[3].to_string().into()),
                ("people", table.total[4].to_string().into()),
            ],
        ));
    }
    if !report.rules.include_criminal {
        sentences.push(t.get("rpt-summary-criminal"));
    }
    sentences.push(t.with(
        "rpt-summary-banding",
        &[("below", report.rules.band_below.into())],
    ));
    sentences
}

fn section(
    t: Tr,
    lang: Lang,
    reference: &ReferenceData,
    table: &Table,
    base: &str,
) -> TableSection {
    let mut notes: Vec<String> = Vec::new();
    let mut cell = |figure: &Figure| {
        let view = crate::report::figure_view(figure, reference);
        let numbers = view
            .reasons
            .iter()
            .map(|r| {
                let text = match lang {
                    Lang::ZhTw => r.text_zh.clone(),
                    Lang::En => r.text_en.clone(),
                };
                match notes.iter().position(|n| *n == text) {
                    Some(i) => i + 1,
                    None => {
                        notes.push(text);
                        notes.len()
                    }
                }
            })
            .collect();
        Cell {
            shown: view.display,
            notes: numbers,
        }
    };
    let rows: Vec<(String, Vec<Cell>)> = table
        .rows
        .iter()
        .map(|r| {
            (
                pick(lang, &r.zh, &r.en),
                r.cells.iter().map(&mut cell).collect(),
            )
        })
        .collect();
    let total = table.total.iter().map(&mut cell).collect();
    let title = pick(lang, table.zh, table.en);
    let value_header = table
        .columns
        .first()
        .map_or_else(String::new, |c| pick(lang, c.zh, c.en));
    let bars: Vec<Bar> = table
        .rows
        .iter()
        .map(|r| Bar {
            label: pick(lang, &r.zh, &r.en),
            value: r.cells[0].low,
            shown: r.cells[0].to_string(),
            highlight: r.cells[0].value().is_none(),
        })
        .collect();
    let chart = (!bars.is_empty()).then(|| {
        let mut chart = horizontal(
            Caption {
                id: table.id,
                title: title.clone(),
                description: t.with("rpt-chart-description", &[("title", title.clone().into())]),
                label_header: t.get("rpt-row"),
                value_header,
            },
            &bars,
        );
        chart.title.clone_from(&title);
        chart
    });
    TableSection {
        id: table.id,
        title,
        chart,
        columns: table
            .columns
            .iter()
            .map(|c| pick(lang, c.zh, c.en))
            .collect(),
        rows,
        total,
        notes: notes
            .into_iter()
            .enumerate()
            .map(|(i, n)| (i + 1, n))
            .collect(),
        csv: format!("{base}/{}.csv", table.id),
        json: format!("{base}/{}.json", table.id),
    }
}

/// Requests to providers per half-year up to the report's period: the trend.
async fn trend(
    state: &AppState,
    t: Tr,
    lang: Lang,
    report: &Report,
) -> Result<Option<Chart>, PageError> {
    let halves: Vec<Period> = report::periods(state, report.today)
        .await?
        .into_iter()
        .filter(|p| p.half.is_some() && p.last_day() <= report.period.last_day())
        .take(6)
        .collect();
    let code = report.agency.as_ref().map(|a| a.code.clone());
    let mut bars = Vec::new();
    for period in halves.into_iter().rev() {
        let built = report::build(state, period, code.as_ref(), report.today).await?;
        if let Some(table) = built.table("provider-requests-by-agency") {
            let total = &table.total[0];
            bars.push(Bar {
                label: period_name(lang, period),
                value: total.low,
                shown: total.to_string(),
                highlight: false,
            });
        }
    }
    if bars.len() < 2 {
        return Ok(None);
    }
    Ok(Some(horizontal(
        Caption {
            id: "trend",
            title: t.get("rpt-trend-title"),
            description: t.get("rpt-trend-description"),
            label_header: t.get("rpt-period"),
            value_header: t.get("rpt-requests"),
        },
        &bars,
    )))
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::En if !en.is_empty() => en.to_owned(),
        _ => zh.to_owned(),
    }
}

fn period_name(lang: Lang, period: Period) -> String {
    match lang {
        Lang::ZhTw => period.name_zh(),
        Lang::En => period.name_en(),
    }
}

/// `GET /open-data/catalog.jsonld`: the DCAT catalogue of every table and period.
pub(crate) async fn catalogue_jsonld(ctx: PageCtx, State(state): State<AppState>) -> Response {
    let result = async {
        let periods = report::periods(&state, today()).await?;
        let body = catalogue("", &periods, "Lantern");
        let mut response = Json(body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/ld+json"),
        );
        Ok::<_, PageError>(response)
    }
    .await;
    ctx.respond(result)
}

/// `GET /open-data/schema/report-table.json`.
pub(crate) async fn schema() -> Response {
    let mut response = Json(table_schema()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    response
}
