//! The PDPA reference lists, embedded in the binary from `data/` (see `data/PROVENANCE.md`).
//!
//! The legal-bases and restriction-ground lists are complete. The specific-purpose (75 of 182)
//! and data-category lists are partial, so a well-formed code missing from them is reported as
//! [`Listing::Unlisted`] rather than refused, and an administrator can load the complete
//! official lists at run time ([`ReferenceData::with_imported`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::codes::{DataCategoryCode, PurposeCode};
use crate::validation::{Rule, ValidationErrors};

const PURPOSES_CSV: &str = include_str!("../data/pdpa-purposes.csv");
const CATEGORIES_CSV: &str = include_str!("../data/pdpa-data-categories.csv");
const LEGAL_BASES_CSV: &str = include_str!("../data/legal-bases.csv");
const RESTRICTIONS_CSV: &str = include_str!("../data/gida-art18-restrictions.csv");

/// A specific purpose (特定目的).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeEntry {
    /// Code, `001`-`182`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "031"))]
    pub code: PurposeCode,
    /// Official short name in Traditional Chinese.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// A personal-data category (個人資料之類別).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryEntry {
    /// Code such as `C001`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "C001"))]
    pub code: DataCategoryCode,
    /// The group heading, e.g. 識別類.
    pub group_zh: String,
    /// Official short name in Traditional Chinese.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Examples of what the category covers.
    pub examples_zh: String,
}

/// A legal basis: one item of PDPA Arts. 6, 15, 16, 19 or 20.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasisEntry {
    /// Code such as `PDPA-16-P5`.
    pub code: String,
    /// Article number.
    pub article: u16,
    /// Paragraph and item, in English.
    pub clause: String,
    /// `public`, `non-public` or `both`.
    pub applies_to: String,
    /// Plain-language summary in Traditional Chinese.
    pub summary_zh: String,
    /// Plain-language summary in English.
    pub summary_en: String,
}

/// A ground for restricting disclosure (政府資訊公開法第18條第1項各款).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictionGroundEntry {
    /// Code such as `GIDA-18-2`.
    pub code: String,
    /// Item number 1-9.
    pub item: u8,
    /// Summary in Traditional Chinese.
    pub summary_zh: String,
    /// Summary in English.
    pub summary_en: String,
}

/// Whether a well-formed code appears in the lists in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing<'a, T> {
    /// The code is listed; here is its entry.
    Listed(&'a T),
    /// The code is well formed but missing from the (partial) list: shown as unlisted.
    Unlisted,
}

/// All reference lists, indexed by code.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    purposes: BTreeMap<String, PurposeEntry>,
    categories: BTreeMap<String, CategoryEntry>,
    legal_bases: BTreeMap<String, LegalBasisEntry>,
    restriction_grounds: BTreeMap<String, RestrictionGroundEntry>,
}

static BUILTIN: LazyLock<ReferenceData> = LazyLock::new(|| {
    // The embedded files are part of the source tree and covered by tests; a failure here is a
    // build defect, not a run-time condition.
    ReferenceData {
        purposes: index(
            parse_purposes(PURPOSES_CSV).expect("embedded purposes parse"),
            |p| p.code.to_string(),
        ),
        categories: index(
            parse_categories(CATEGORIES_CSV).expect("embedded categories parse"),
            |c| c.code.to_string(),
        ),
        legal_bases: index(parse_legal_bases(LEGAL_BASES_CSV), |b| b.code.clone()),
        restriction_grounds: index(parse_restrictions(RESTRICTIONS_CSV), |r| r.code.clone()),
    }
});

/// The lists shipped in the binary.
#[must_use]
pub fn builtin() -> &'static ReferenceData {
    &BUILTIN
}

fn index<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> BTreeMap<String, T> {
    items.into_iter().map(|item| (key(&item), item)).collect()
}

impl ReferenceData {
    /// The shipped lists with imported purposes and categories laid over them: an imported code
    /// replaces the shipped entry of the same code and adds the missing ones.
    #[must_use]
    pub fn with_imported(purposes: Vec<PurposeEntry>, categories: Vec<CategoryEntry>) -> Self {
        let mut data = builtin().clone();
        data.purposes
            .extend(purposes.into_iter().map(|p| (p.code.to_string(), p)));
        data.categories
            .extend(categories.into_iter().map(|c| (c.code.to_string(), c)));
        data
    }

    /// Looks a purpose up by code.
    #[must_use]
    pub fn purpose(&self, code: &PurposeCode) -> Listing<'_, PurposeEntry> {
        self.purposes
            .get(code.as_str())
            .map_or(Listing::Unlisted, Listing::Listed)
    }

    /// Looks a data category up by code.
    #[must_use]
    pub fn category(&self, code: &DataCategoryCode) -> Listing<'_, CategoryEntry> {
        self.categories
            .get(code.as_str())
            .map_or(Listing::Unlisted, Listing::Listed)
    }

    /// Looks a legal basis up by code.
    #[must_use]
    pub fn legal_basis(&self, code: &str) -> Option<&LegalBasisEntry> {
        self.legal_bases.get(code)
    }

    /// Looks a restriction ground up by code.
    #[must_use]
    pub fn restriction_ground(&self, code: &str) -> Option<&RestrictionGroundEntry> {
        self.restriction_grounds.get(code)
    }

    /// Listed purposes in code order.
    pub fn purposes(&self) -> impl Iterator<Item = &PurposeEntry> {
        self.purposes.values()
    }

    /// Listed data categories in code order.
    pub fn categories(&self) -> impl Iterator<Item = &CategoryEntry> {
        self.categories.values()
    }

    /// All legal bases in code order.
    pub fn legal_bases(&self) -> impl Iterator<Item = &LegalBasisEntry> {
        self.legal_bases.values()
    }

    /// All restriction grounds in item order.
    pub fn restriction_grounds(&self) -> impl Iterator<Item = &RestrictionGroundEntry> {
        self.restriction_grounds.values()
    }

    /// Purposes whose code equals `query` or whose zh-TW or English name contains it
    /// (case-insensitive for English).
    pub fn find_purposes<'a>(&'a self, query: &'a str) -> impl Iterator<Item = &'a PurposeEntry> {
        self.purposes
            .values()
            .filter(move |p| matches_name(query, p.code.as_str(), &p.name_zh, &p.name_en))
    }

    /// Categories whose code equals `query` or whose zh-TW or English name contains it.
    pub fn find_categories<'a>(
        &'a self,
        query: &'a str,
    ) -> impl Iterator<Item = &'a CategoryEntry> {
        self.categories
            .values()
            .filter(move |c| matches_name(query, c.code.as_str(), &c.name_zh, &c.name_en))
    }

    /// Legal bases whose code equals `query` or whose summaries contain it.
    pub fn find_legal_bases<'a>(
        &'a self,
        query: &'a str,
    ) -> impl Iterator<Item = &'a LegalBasisEntry> {
        self.legal_bases
            .values()
            .filter(move |b| matches_name(query, &b.code, &b.summary_zh, &b.summary_en))
    }
}

fn matches_name(query: &str, code: &str, name_zh: &str, name_en: &str) -> bool {
    let query = query.trim();
    !query.is_empty()
        && (code.eq_ignore_ascii_case(query)
            || name_zh.contains(query)
            || name_en.to_lowercase().contains(&query.to_lowercase()))
}

/// One CSV row, by column name.
type Row = BTreeMap<String, String>;

/// Reads a CSV whose first row names the columns: the column names and each row by column.
fn rows(text: &str) -> Result<(Vec<String>, Vec<Row>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        out.push(
            headers
                .iter()
                .cloned()
                .zip(record.iter().map(|v| v.trim().to_owned()))
                .collect(),
        );
    }
    Ok((headers, out))
}

fn require_columns(headers: &[String], required: &[&str], errors: &mut ValidationErrors) {
    for column in required {
        if !headers.iter().any(|h| h == column) {
            errors.push(
                "header",
                Rule::Required,
                format!("the CSV needs a column named \"{column}\""),
            );
        }
    }
}

/// Parses a purposes CSV with columns `code,name_zh[,name_en]`. Errors name the row (counting
/// the header as row 1) and the column.
///
/// # Errors
/// Every bad row and missing column, collected.
pub fn parse_purposes(text: &str) -> Result<Vec<PurposeEntry>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let (headers, rows) = rows(text).map_err(|e| single("file", Rule::Format, e))?;
    require_columns(&headers, &["code", "name_zh"], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let line = i + 2;
        let code = match PurposeCode::parse(&row["code"]) {
            Ok(code) => code,
            Err(e) => {
                errors.push(
                    format!("row {line}, column code"),
                    Rule::Format,
                    e.to_string(),
                );
                continue;
            }
        };
        if seen.insert(code.to_string(), line).is_some() {
            errors.push(
                format!("row {line}, column code"),
                Rule::Duplicate,
                format!("code {code} appears twice"),
            );
        }
        let name_zh = row["name_zh"].clone();
        if name_zh.is_empty() {
            errors.push(
                format!("row {line}, column name_zh"),
                Rule::Required,
                "the Chinese name is required",
            );
        }
        let name_en = row.get("name_en").cloned().unwrap_or_default();
        out.push(PurposeEntry {
            code,
            name_zh,
            name_en,
        });
    }
    errors.into_result(out)
}

/// Parses a data-categories CSV with columns `code,name_zh[,group_zh,name_en,examples_zh]`.
///
/// # Errors
/// Every bad row and missing column, collected.
pub fn parse_categories(text: &str) -> Result<Vec<CategoryEntry>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let (headers, rows) = rows(text).map_err(|e| single("file", Rule::Format, e))?;
    require_columns(&headers, &["code", "name_zh"], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let line = i + 2;
        let code = match DataCategoryCode::parse(&row["code"]) {
            Ok(code) => code,
            Err(e) => {
                errors.push(
                    format!("row {line}, column code"),
                    Rule::Format,
                    e.to_string(),
                );
                continue;
            }
        };
        if seen.insert(code.to_string(), line).is_some() {
            errors.push(
                format!("row {line}, column code"),
                Rule::Duplicate,
                format!("code {code} appears twice"),
            );
        }
        let name_zh = row["name_zh"].clone();
        if name_zh.is_empty() {
            errors.push(
                format!("row {line}, column name_zh"),
                Rule::Required,
                "the Chinese name is required",
            );
        }
        let get = |column: &str| row.get(column).cloned().unwrap_or_default();
        out.push(CategoryEntry {
            code,
            group_zh: get("group_zh"),
            name_zh,
            name_en: get("name_en"),
            examples_zh: get("examples_zh"),
        });
    }
    errors.into_result(out)
}

fn single(field: &str, rule: Rule, message: String) -> ValidationErrors {
    let mut errors = ValidationErrors::default();
    errors.push(field, rule, message);
    errors
}

// The two complete lists are only ever read from the embedded files; a malformed row there is
// caught by the tests below.
fn parse_legal_bases(text: &str) -> Vec<LegalBasisEntry> {
    let (_, rows) = rows(text).unwrap_or_default();
    rows.into_iter()
        .map(|row| LegalBasisEntry {
            code: row["code"].clone(),
            article: row["article"].parse().unwrap_or_default(),
            clause: row["clause"].clone(),
            applies_to: row["applies_to"].clone(),
            summary_zh: row["summary_zh"].clone(),
            summary_en: row["summary_en"].clone(),
        })
        .collect()
}

fn parse_restrictions(text: &str) -> Vec<RestrictionGroundEntry> {
    let (_, rows) = rows(text).unwrap_or_default();
    rows.into_iter()
        .map(|row| RestrictionGroundEntry {
            code: row["code"].clone(),
            item: row["item"].parse().unwrap_or_default(),
            summary_zh: row["summary_zh"].clone(),
            summary_en: row["summary_en"].clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_are_whole() {
        let data = builtin();
        assert_eq!(data.purposes().count(), 75);
        assert_eq!(data.categories().count(), 43);
        assert_eq!(data.legal_bases().count(), 38);
        assert_eq!(data.restriction_grounds().count(), 9);
        assert!(
            data.legal_bases()
                .all(|b| b.article > 0 && !b.summary_zh.is_empty())
        );
        assert!(
            data.restriction_grounds()
                .all(|r| (1..=9).contains(&r.item))
        );
    }

    #[test]
    fn lookup_by_code_and_names() {
        let data = builtin();
        let nhi = PurposeCode::parse("031").unwrap();
        assert!(
            matches!(data.purpose(&nhi), Listing::Listed(p) if p.name_zh.starts_with("全民健康保險"))
        );
        let household = PurposeCode::parse("015").unwrap();
        assert_eq!(data.purpose(&household), Listing::Unlisted);
        assert_eq!(
            data.find_purposes("財稅行政").next().unwrap().code.as_str(),
            "095"
        );
        assert_eq!(
            data.find_purposes("fiscal and tax")
                .next()
                .unwrap()
                .code
                .as_str(),
            "095"
        );
        assert_eq!(
            data.find_categories("C001").next().unwrap().name_zh,
            "辨識個人者"
        );
        assert_eq!(
            data.find_categories("health records")
                .next()
                .unwrap()
                .code
                .as_str(),
            "C111"
        );
        assert!(data.find_legal_bases("PDPA-16-P5").next().is_some());
    }

    #[test]
    fn import_overlays_and_reports_rows() {
        let imported = parse_purposes(
            "code,name_zh,name_en\n015,戶政,Household registration\n031,新名稱,New\n",
        )
        .unwrap();
        let data = ReferenceData::with_imported(imported, Vec::new());
        let household = PurposeCode::parse("015").unwrap();
        assert!(matches!(data.purpose(&household), Listing::Listed(p) if p.name_zh == "戶政"));
        assert_eq!(data.purposes().count(), 76);

        let errors = parse_purposes("code,name_zh\n015,戶政\n999,x\n015,\n").unwrap_err();
        let fields: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.rule))
            .collect();
        assert_eq!(
            fields,
            [
                ("row 3, column code", Rule::Format),
                ("row 4, column code", Rule::Duplicate),
                ("row 4, column name_zh", Rule::Required)
            ]
        );
        let missing = parse_categories("code,name\nC001,x\n").unwrap_err();
        assert_eq!(missing.0[0].field, "header");
    }
}
