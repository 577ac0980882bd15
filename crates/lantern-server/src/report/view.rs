//! Reports as open data: the JSON shape (documented in docs/open-data.md, described by the
//! schema at `/open-data/schema/report-table.json`) and CSV for spreadsheets.

use lantern_domain::ReferenceData;
use lantern_domain::disclosure::{Figure, Reason};
use lantern_domain::report::Table;
use serde::Serialize;
use time::Date;

use super::Report;

/// Why a value is withheld or banded, with the reason in both languages.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonView {
    /// `ground`, `small_count` or `embargo`.
    pub kind: &'static str,
    /// The GIPA Art. 18 ground, for `ground`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Until when, `YYYY-MM-DD`, where set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The band's bound, for `small_count`: counts below it (from 1) are banded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<u64>,
    /// The reason in Traditional Chinese.
    pub text_zh: String,
    /// The reason in English.
    pub text_en: String,
}

/// One published figure.
#[derive(Debug, Clone, Serialize)]
pub struct FigureView {
    /// As shown: `42`, `1-9`, `≥ 100` or `—`.
    pub display: String,
    /// The exact count, when published exactly.
    pub value: Option<u64>,
    /// The least the count may be.
    pub low: u64,
    /// The most it may be; `null` when unbounded.
    pub high: Option<u64>,
    /// Why it is not exact; empty when it is.
    pub reasons: Vec<ReasonView>,
}

/// One row.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// The stable key (file id, agency code, sector, …).
    pub key: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// One figure per column, in the order of `columns`.
    pub figures: Vec<FigureView>,
}

/// A column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    /// Its key.
    pub key: &'static str,
    /// Heading in Traditional Chinese.
    pub name_zh: &'static str,
    /// Heading in English.
    pub name_en: &'static str,
}

/// One table, as its JSON download.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// The table's id.
    pub id: &'static str,
    /// The period, e.g. `2025-H1`.
    pub period: String,
    /// `national` or an agency code.
    pub scope: String,
    /// Title in Traditional Chinese.
    pub title_zh: &'static str,
    /// Title in English.
    pub title_en: &'static str,
    /// The columns.
    pub columns: Vec<ColumnView>,
    /// The rows.
    pub rows: Vec<RowView>,
    /// The interval sum of every row, per column: computed from the published figures only.
    pub total: Vec<FigureView>,
}

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// The period, e.g. `2025-H1`.
    pub period: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// `national` or an agency code.
    pub scope: String,
    /// The day the figures were read.
    pub generated_on: String,
    /// Small counts from 1 below this are banded.
    pub band_below: u64,
    /// Whether criminal-investigation requests are included.
    pub includes_criminal_investigations: bool,
    /// The tables.
    pub tables: Vec<TableView>,
    /// Where the catalogue is.
    pub catalogue: &'static str,
    /// Where the tables' schema is.
    pub schema: &'static str,
}

impl ReportView {
    /// The view of `report`.
    #[must_use]
    pub fn new(report: &Report, reference: &ReferenceData) -> Self {
        let scope = scope(report);
        Self {
            period: report.period.to_string(),
            from: iso(report.period.first_day()),
            to: iso(report.period.last_day()),
            generated_on: iso(report.today),
            band_below: report.rules.band_below,
            includes_criminal_investigations: report.rules.include_criminal,
            tables: report
                .tables
                .iter()
                .map(|t| TableView::new(t, report, reference))
                .collect(),
            scope,
            catalogue: super::catalogue::CATALOGUE_PATH,
            schema: super::catalogue::SCHEMA_PATH,
        }
    }
}

impl TableView {
    /// The view of one table of `report`.
    #[must_use]
    pub fn new(table: &Table, report: &Report, reference: &ReferenceData) -> Self {
        Self {
            id: table.id,
            period: report.period.to_string(),
            scope: scope(report),
            title_zh: table.zh,
            title_en: table.en,
            columns: table
                .columns
                .iter()
                .map(|c| ColumnView {
                    key: c.key,
                    name_zh: c.zh,
                    name_en: c.en,
                })
                .collect(),
            rows: table
                .rows
                .iter()
                .map(|r| RowView {
                    key: r.key.clone(),
                    name_zh: r.zh.clone(),
                    name_en: r.en.clone(),
                    figures: r.cells.iter().map(|f| figure(f, reference)).collect(),
                })
                .collect(),
            total: table.total.iter().map(|f| figure(f, reference)).collect(),
        }
    }
}

fn scope(report: &Report) -> String {
    report
        .agency
        .as_ref()
        .map_or_else(|| "national".to_owned(), |a| a.code.to_string())
}

/// The view of a figure, reasons spelled out.
#[must_use]
pub fn figure(figure: &Figure, reference: &ReferenceData) -> FigureView {
    FigureView {
        display: figure.to_string(),
        value: figure.value(),
        low: figure.low,
        high: figure.high,
        reasons: figure
            .reasons
            .iter()
            .map(|r| reason(r, reference))
            .collect(),
    }
}

fn reason(reason: &Reason, reference: &ReferenceData) -> ReasonView {
    match reason {
        Reason::Ground { ground, until } => {
            let entry = reference.restriction_ground(ground.as_str());
            let (zh, en) =
                entry.map_or(("", ""), |e| (e.summary_zh.as_str(), e.summary_en.as_str()));
            let until_zh = until.map_or_else(String::new, |d| format!("，至 {} 止", iso(d)));
            let until_en = until.map_or_else(String::new, |d| format!(", until {}", iso(d)));
            ReasonView {
                kind: "ground",
                code: Some(ground.to_string()),
                until: until.map(iso),
                below: None,
                text_zh: format!("依政府資訊公開法第 18 條（{ground}）不公開{until_zh}：{zh}"),
                text_en: format!(
                    "Withheld under the Freedom of Government Information Law Art. 18 ({ground}){until_en}: {en}"
                ),
            }
        }
        Reason::SmallCount { below } => ReasonView {
            kind: "small_count",
            code: None,
            until: None,
            below: Some(*below),
            text_zh: format!("數量少於 {below}，以區間呈現，避免識別個人或個案"),
            text_en: format!(
                "Fewer than {below}: shown as a band so that no person or case can be singled out"
            ),
        },
        Reason::Embargo { until } => ReasonView {
            kind: "embargo",
            code: None,
            until: Some(iso(*until)),
            below: None,
            text_zh: format!("暫不公開，至 {} 公布", iso(*until)),
            text_en: format!("Embargoed until {}", iso(*until)),
        },
    }
}

/// A table as CSV: UTF-8 with a byte-order mark (spreadsheet programs then read the Chinese
/// right), a header of `key`, `name_zh`, `name_en`, then for each column its figure as shown,
/// its low and high bounds and its reasons.
#[must_use]
pub fn table_csv(view: &TableView) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header = vec!["key".to_owned(), "name_zh".to_owned(), "name_en".to_owned()];
    for column in &view.columns {
        for suffix in ["", "_low", "_high", "_reason"] {
            header.push(format!("{}{suffix}", column.key));
        }
    }
    let mut records = vec![header];
    let total = RowView {
        key: "total".into(),
        name_zh: "合計".into(),
        name_en: "Total".into(),
        figures: view.total.clone(),
    };
    for row in view.rows.iter().chain(std::iter::once(&total)) {
        let mut record = vec![row.key.clone(), row.name_zh.clone(), row.name_en.clone()];
        for figure in &row.figures {
            record.push(figure.display.clone());
            record.push(figure.low.to_string());
            record.push(figure.high.map_or_else(String::new, |h| h.to_string()));
            record.push(
                figure
                    .reasons
                    .iter()
                    .map(|r| r.text_zh.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            );
        }
        records.push(record);
    }
    for record in records {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// `YYYY-MM-DD`.
#[must_use]
pub fn iso(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}
