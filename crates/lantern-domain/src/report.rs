//! Transparency reports: the periods they cover and their tables, every figure passed through
//! the [`DisclosureRules`].
//!
//! Tables are built from plain counts, so the server (from its statistics) and an outside
//! auditor (from the public log's entries) build the same usage tables. Nationwide tables of
//! provider requests are the interval sums of the agencies' published figures, row by row:
//! subtracting one agency's figure from the nation's reveals nothing.

use std::collections::BTreeMap;
use std::fmt;

use time::{Date, Month};

use crate::agency::AgencyCode;
use crate::codes::{LegalBasisCode, RestrictionGroundCode};
use crate::data_request::TrackedRequest;
use crate::disclosure::{Count, DisclosureRules, Figure};
use crate::file::FileId;
use crate::provider_request::{DataType, Outcome, ProviderRequest, ProviderSector, RequestPurpose};

/// A report's period: a calendar year or one of its halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// The year.
    pub year: i32,
    /// `Some(1)` for January-June, `Some(2)` for July-December, `None` for the whole year.
    pub half: Option<u8>,
}

impl Period {
    /// Parses `2025`, `2025-H1` or `2025-H2`.
    ///
    /// # Errors
    /// A message naming the forms.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const RULE: &str = "a year (2025) or a half-year (2025-H1, 2025-H2)";
        let (year, half) = match raw.split_once("-H") {
            Some((year, "1")) => (year, Some(1)),
            Some((year, "2")) => (year, Some(2)),
            Some(_) => return Err(RULE),
            None => (raw, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RULE);
        }
        let year = year.parse().map_err(|_| RULE)?;
        Ok(Self { year, half })
    }

    /// The first day.
    #[must_use]
    pub fn first_day(self) -> Date {
        let month = if self.half == Some(2) {
            Month::July
        } else {
            Month::January
        };
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The last day.
    #[must_use]
    pub fn last_day(self) -> Date {
        let (month, day) = if self.half == Some(1) {
            (Month::June, 30)
        } else {
            (Month::December, 31)
        };
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MAX)
    }

    /// Whether `day` lies in the period.
    #[must_use]
    pub fn contains(self, day: Date) -> bool {
        (self.first_day()..=self.last_day()).contains(&day)
    }

    /// The period's name in Traditional Chinese, e.g. `2025 年上半年`.
    #[must_use]
    pub fn name_zh(self) -> String {
        match self.half {
            Some(1) => format!("{} 年上半年", self.year),
            Some(_) => format!("{} 年下半年", self.year),
            None => format!("{} 年", self.year),
        }
    }

    /// The period's name in English, e.g. `first half of 2025`.
    #[must_use]
    pub fn name_en(self) -> String {
        match self.half {
            Some(1) => format!("first half of {}", self.year),
            Some(_) => format!("second half of {}", self.year),
            None => self.year.to_string(),
        }
    }

    /// Every period that has ended by `today` and ends on or after `since`, newest first:
    /// each half-year, and each whole year.
    #[must_use]
    pub fn ended(since: Date, today: Date) -> Vec<Self> {
        let mut periods = Vec::new();
        for year in since.year()..=today.year() {
            for half in [Some(1), Some(2), None] {
                let period = Self { year, half };
                if period.last_day() < today && period.last_day() >= since {
                    periods.push(period);
                }
            }
        }
        periods.sort_by_key(|p| std::cmp::Reverse((p.last_day(), p.half.is_none())));
        periods
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.half {
            Some(half) => write!(f, "{}-H{half}", self.year),
            None => write!(f, "{}", self.year),
        }
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The stable key used in CSV and JSON.
    pub key: &'static str,
    /// Heading in Traditional Chinese.
    pub zh: &'static str,
    /// Heading in English.
    pub en: &'static str,
}

/// A row of a table: what it counts (a stable key and names) and one figure per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The stable key, e.g. a file id, an agency code, `telecom`, or `confidential`.
    pub key: String,
    /// Name in Traditional Chinese.
    pub zh: String,
    /// Name in English.
    pub en: String,
    /// One figure per column.
    pub cells: Vec<Figure>,
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The stable id, the file name of its CSV and JSON downloads.
    pub id: &'static str,
    /// Title in Traditional Chinese.
    pub zh: &'static str,
    /// Title in English.
    pub en: &'static str,
    /// The columns after the row's key and names.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
    /// The interval sum of every row, per column.
    pub total: Vec<Figure>,
}

impl Table {
    fn new(
        id: &'static str,
        (zh, en): (&'static str, &'static str),
        columns: Vec<Column>,
        rows: Vec<Row>,
    ) -> Self {
        let total = (0..columns.len())
            .map(|i| Figure::sum(rows.iter().map(|r| &r.cells[i])))
            .collect();
        Self {
            id,
            zh,
            en,
            columns,
            rows,
            total,
        }
    }
}

/// The ids of every table a report may hold, for the catalogue and schemas.
pub const TABLE_IDS: [&str; 7] = [
    "large-database-usage",
    "out-of-purpose-by-basis",
    "provider-requests-by-agency",
    "provider-requests-by-sector",
    "provider-requests-by-data-type",
    "provider-requests-by-statute",
    "data-requests-by-file",
];

/// How many times a file's data was used in a period, split by scope and basis. The server
/// reads these from its statistics; an auditor tallies them from the log's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCount {
    /// The file.
    pub file: FileId,
    /// Whether the use was outside the file's purposes.
    pub out_of_purpose: bool,
    /// The legal basis.
    pub legal_basis: LegalBasisCode,
    /// How many events.
    pub events: u64,
}

/// The files a usage table names, with their names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    /// The file.
    pub id: FileId,
    /// Its name in Traditional Chinese.
    pub zh: String,
    /// Its name in English.
    pub en: String,
}

/// What every report table is built with.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The rules.
    pub rules: &'a DisclosureRules,
    /// The period.
    pub period: Period,
    /// The day the report is read.
    pub today: Date,
}

impl Context<'_> {
    fn figure(&self, count: &Count) -> Figure {
        self.rules.figure(count, self.period.last_day(), self.today)
    }
}

/// The usage of each large database: uses, and uses outside its purposes; then the
/// out-of-purpose uses by legal basis.
#[must_use]
pub fn usage_tables(ctx: Context<'_>, files: &[NamedFile], counts: &[UsageCount]) -> [Table; 2] {
    let rows = files
        .iter()
        .map(|file| {
            let of_file = counts.iter().filter(|c| c.file == file.id);
            let (mut uses, mut oop) = (0, 0);
            for count in of_file {
                uses += count.events;
                if count.out_of_purpose {
                    oop += count.events;
                }
            }
            Row {
                key: file.id.to_string(),
                zh: file.zh.clone(),
                en: file.en.clone(),
                cells: vec![
                    ctx.figure(&Count::plain(uses)),
                    ctx.figure(&Count::plain(oop)),
                ],
            }
        })
        .collect();
    let usage = Table::new(
        TABLE_IDS[0],
        ("大型資料庫利用次數", "Uses of the large databases"),
        vec![
            column("uses", "利用次數", "Uses"),
            column(
                "out_of_purpose",
                "特定目的外利用",
                "Uses outside the purposes",
            ),
        ],
        rows,
    );
    let mut by_basis: BTreeMap<(usize, LegalBasisCode), u64> = BTreeMap::new();
    for count in counts.iter().filter(|c| c.out_of_purpose) {
        if let Some(i) = files.iter().position(|f| f.id == count.file) {
            *by_basis.entry((i, count.legal_basis.clone())).or_default() += count.events;
        }
    }
    let rows = by_basis
        .into_iter()
        .map(|((i, basis), n)| Row {
            key: format!("{}/{basis}", files[i].id),
            zh: format!("{}：{basis}", files[i].zh),
            en: format!("{}: {basis}", files[i].en),
            cells: vec![ctx.figure(&Count::plain(n))],
        })
        .collect();
    let oop = Table::new(
        TABLE_IDS[1],
        (
            "特定目的外利用之法律依據",
            "Uses outside the purposes, by legal basis",
        ),
        vec![column("uses", "利用次數", "Uses")],
        rows,
    );
    [usage, oop]
}

/// The provider-request tables of one agency (`agency` set) or of the nation, from the
/// requests of the period. Criminal investigations are left out unless the rules include
/// them; confidential requests are one withheld row per table, with their ground.
#[must_use]
pub fn provider_tables(
    ctx: Context<'_>,
    agency: Option<&AgencyCode>,
    agency_names: &[(AgencyCode, String, String)],
    requests: &[ProviderRequest],
) -> [Table; 4] {
    let in_scope = |r: &&ProviderRequest| {
        ctx.period.contains(r.requested_on)
            && (ctx.rules.include_criminal || r.purpose != RequestPurpose::CriminalInvestigation)
    };
    let agencies: Vec<&AgencyCode> = match agency {
        Some(agency) => vec![agency],
        None => {
            let mut codes: Vec<&AgencyCode> = requests.iter().map(|r| &r.agency).collect();
            codes.sort();
            codes.dedup();
            codes
        }
    };
    // Each agency's tables, from which the nation's are summed.
    let per_agency: Vec<(&AgencyCode, [Table; 3], Row)> = agencies
        .iter()
        .map(|code| {
            let mine: Vec<&ProviderRequest> = requests
                .iter()
                .filter(in_scope)
                .filter(|r| &r.agency == *code)
                .collect();
            let (name_zh, name_en) = agency_names
                .iter()
                .find(|(c, _, _)| c == *code)
                .map_or_else(
                    || (code.to_string(), code.to_string()),
                    |(_, zh, en)| (zh.clone(), en.clone()),
                );
            (
                *code,
                breakdowns(ctx, &mine),
                agency_row(ctx, code, name_zh, name_en, &mine),
            )
        })
        .collect();
    let by_agency = Table::new(
        TABLE_IDS[2],
        (
            "各機關向網路業者調取資料",
            "Requests to online providers, by agency",
        ),
        agency_columns(),
        per_agency.iter().map(|(_, _, row)| row.clone()).collect(),
    );
    let [sector, data_type, statute] = std::array::from_fn(|i| {
        let tables: Vec<&Table> = per_agency.iter().map(|(_, t, _)| &t[i]).collect();
        merged(&tables)
    });
    [by_agency, sector, data_type, statute]
}

/// Requests between agencies to use a file outside its purposes (PDPA Art. 16 proviso), per
/// file: received in the period, decided, approved (whole or in part), refused, the people
/// the approvals of the period cover, and how many agencies they went to (the recipients). `files` are listed even without requests (the large
/// databases); other files appear when they received one.
#[must_use]
pub fn data_request_table(
    ctx: Context<'_>,
    files: &[NamedFile],
    requests: &[TrackedRequest],
) -> Table {
    let mut keys: Vec<(String, String, String)> = files
        .iter()
        .map(|f| (f.id.to_string(), f.zh.clone(), f.en.clone()))
        .collect();
    for tracked in requests {
        let file = tracked.request().file.to_string();
        if !keys.iter().any(|(k, _, _)| *k == file) {
            keys.push((file.clone(), file.clone(), file));
        }
    }
    let rows = keys
        .into_iter()
        .map(|(key, zh, en)| {
            let of_file: Vec<&TrackedRequest> = requests
                .iter()
                .filter(|t| t.request().file.as_str() == key)
                .collect();
            let received = of_file
                .iter()
                .filter(|t| ctx.period.contains(t.request().filed_on))
                .count() as u64;
            let decided: Vec<&&TrackedRequest> = of_file
                .iter()
                .filter(|t| {
                    t.decision()
                        .is_some_and(|d| ctx.period.contains(d.decided_on))
                })
                .collect();
            let approved: Vec<&&TrackedRequest> = decided
                .iter()
                .copied()
                .filter(|t| t.is_approved())
                .collect();
            let people: u64 = approved.iter().filter_map(|t| t.people()).sum();
            let mut recipients: Vec<&AgencyCode> =
                approved.iter().map(|t| &t.request().requester).collect();
            recipients.sort();
            recipients.dedup();
            let n = |n: usize| ctx.figure(&Count::plain(n as u64));
            Row {
                key,
                zh,
                en,
                cells: vec![
                    ctx.figure(&Count::plain(received)),
                    n(decided.len()),
                    n(approved.len()),
                    n(decided.len() - approved.len()),
                    ctx.figure(&Count::plain(people)),
                    n(recipients.len()),
                ],
            }
        })
        .collect();
    Table::new(
        TABLE_IDS[6],
        (
            "機關間特定目的外利用之申請",
            "Requests between agencies for use outside the purposes",
        ),
        vec![
            column("received", "收到申請", "Received"),
            column("decided", "已決定", "Decided"),
            column(
                "approved",
                "核准（含部分核准）",
                "Approved (wholly or in part)",
            ),
            column("refused", "駁回", "Refused"),
            column("people", "核准涉及人數", "People covered by approvals"),
            column("recipients", "取得資料之機關數", "Recipient agencies"),
        ],
        rows,
    )
}

fn agency_columns() -> Vec<Column> {
    vec![
        column("requests", "調取次數", "Requests"),
        column("identifiers", "指定之帳號或識別碼", "Identifiers specified"),
        column("disclosed_all", "全部提供", "Disclosed in full"),
        column("disclosed_some", "部分提供", "Disclosed in part"),
        column("disclosed_none", "未提供", "Not disclosed"),
        column(
            "confidential",
            "密件（依法不公開）",
            "Confidential (withheld by law)",
        ),
    ]
}

/// One agency's row of the by-agency table.
fn agency_row(
    ctx: Context<'_>,
    code: &AgencyCode,
    zh: String,
    en: String,
    requests: &[&ProviderRequest],
) -> Row {
    let (open, confidential): (Vec<&ProviderRequest>, Vec<&ProviderRequest>) =
        requests.iter().partition(|r| !is_withheld(ctx, r));
    let count = |n: u64| ctx.figure(&Count::plain(n));
    let outcome = |o: Outcome| count(open.iter().filter(|r| r.outcome == o).count() as u64);
    let withheld = if confidential.is_empty() {
        Figure::exact(0)
    } else {
        ctx.figure(&Count {
            n: confidential.len() as u64,
            withheld: grounds(ctx, &confidential),
        })
    };
    Row {
        key: code.to_string(),
        zh,
        en,
        cells: vec![
            count(open.len() as u64),
            count(open.iter().map(|r| u64::from(r.identifiers)).sum()),
            outcome(Outcome::All),
            outcome(Outcome::Some),
            outcome(Outcome::None),
            withheld,
        ],
    }
}

/// An agency's tables by sector, data type and statute; confidential requests as one
/// withheld row each.
fn breakdowns(ctx: Context<'_>, requests: &[&ProviderRequest]) -> [Table; 3] {
    let (open, confidential): (Vec<&ProviderRequest>, Vec<&ProviderRequest>) =
        requests.iter().partition(|r| !is_withheld(ctx, r));
    let withheld_row = (!confidential.is_empty()).then(|| Row {
        key: "confidential".into(),
        zh: "密件（依法不公開）".into(),
        en: "Confidential (withheld by law)".into(),
        cells: vec![ctx.figure(&Count {
            n: confidential.len() as u64,
            withheld: grounds(ctx, &confidential),
        })],
    });
    let tally = |keys: &mut dyn Iterator<Item = (String, String, String)>| {
        let mut counts: BTreeMap<String, (String, String, u64)> = BTreeMap::new();
        for (key, zh, en) in keys {
            counts.entry(key).or_insert((zh, en, 0)).2 += 1;
        }
        let mut rows: Vec<Row> = counts
            .into_iter()
            .map(|(key, (zh, en, n))| Row {
                key,
                zh,
                en,
                cells: vec![ctx.figure(&Count::plain(n))],
            })
            .collect();
        rows.extend(withheld_row.clone());
        rows
    };
    let requests_column = || vec![column("requests", "調取次數", "Requests")];
    let sector = tally(&mut open.iter().map(|r| {
        let (zh, en) = sector_names(r.sector);
        let shown = ctx.rules.provider_label(&r.provider, r.sector.as_str());
        if shown == r.sector.as_str() {
            (r.sector.as_str().to_owned(), zh.to_owned(), en.to_owned())
        } else {
            (
                format!("{}/{}", r.sector, r.provider),
                format!("{zh}：{}", r.provider),
                format!("{en}: {}", r.provider),
            )
        }
    }));
    let data_type = tally(&mut open.iter().flat_map(|r| {
        r.data_types.iter().map(|t| {
            let (zh, en) = data_type_names(*t);
            (t.as_str().to_owned(), zh.to_owned(), en.to_owned())
        })
    }));
    let statute = tally(&mut open.iter().map(|r| {
        let text = format!("{} {}", r.statute, r.article);
        (text.clone(), text.clone(), text)
    }));
    [
        Table::new(
            TABLE_IDS[3],
            ("依業者類別", "By provider sector"),
            requests_column(),
            sector,
        ),
        Table::new(
            TABLE_IDS[4],
            (
                "依資料類型（一次調取可含多類）",
                "By data type (a request may ask for several)",
            ),
            requests_column(),
            data_type,
        ),
        Table::new(
            TABLE_IDS[5],
            ("依法律依據", "By legal basis"),
            requests_column(),
            statute,
        ),
    ]
}

/// The nation's table: each row the interval sum of the agencies' published figures.
fn merged(tables: &[&Table]) -> Table {
    let first = tables.first();
    let (id, zh, en) = first.map_or((TABLE_IDS[3], "", ""), |t| (t.id, t.zh, t.en));
    let columns = first.map_or_else(Vec::new, |t| t.columns.clone());
    let mut rows: BTreeMap<String, (String, String, Vec<Figure>)> = BTreeMap::new();
    for table in tables {
        for row in &table.rows {
            let entry = rows
                .entry(row.key.clone())
                .or_insert_with(|| (row.zh.clone(), row.en.clone(), Vec::new()));
            entry.2.push(row.cells[0].clone());
        }
    }
    let rows = rows
        .into_iter()
        .map(|(key, (zh, en, parts))| Row {
            key,
            zh,
            en,
            cells: vec![Figure::sum(&parts)],
        })
        .collect();
    Table::new(id, (zh, en), columns, rows)
}

/// Whether a request is still confidential on the report's day.
fn is_withheld(ctx: Context<'_>, request: &ProviderRequest) -> bool {
    request
        .confidential
        .as_ref()
        .is_some_and(|c| c.until.is_none_or(|until| ctx.today < until))
}

fn grounds(
    ctx: Context<'_>,
    requests: &[&ProviderRequest],
) -> Vec<(RestrictionGroundCode, Option<Date>)> {
    let mut grounds: Vec<(RestrictionGroundCode, Option<Date>)> = requests
        .iter()
        .filter(|r| is_withheld(ctx, r))
        .filter_map(|r| r.confidential.as_ref().map(|c| (c.ground.clone(), c.until)))
        .collect();
    grounds.sort();
    grounds.dedup();
    grounds
}

const fn column(key: &'static str, zh: &'static str, en: &'static str) -> Column {
    Column { key, zh, en }
}

/// A sector's names.
#[must_use]
pub const fn sector_names(sector: ProviderSector) -> (&'static str, &'static str) {
    match sector {
        ProviderSector::Telecom => ("電信業者", "Telecoms"),
        ProviderSector::Platform => ("網路平臺", "Online platforms"),
        ProviderSector::Ecommerce => ("電子商務", "E-commerce"),
        ProviderSector::Payment => ("支付業者", "Payment providers"),
        ProviderSector::Other => ("其他業者", "Other providers"),
    }
}

/// A data type's names.
#[must_use]
pub const fn data_type_names(kind: DataType) -> (&'static str, &'static str) {
    match kind {
        DataType::Subscriber => ("用戶基本資料", "Subscriber data"),
        DataType::Connection => ("連線紀錄、IP", "Connection records, IP"),
        DataType::Transaction => ("交易紀錄", "Transaction records"),
        DataType::OtherNonContent => ("其他非內容資料", "Other non-content data"),
    }
}

#[cfg(test)]
mod tests;
