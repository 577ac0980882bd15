//! Words for codes, numbers, times and actors, in the reader's language. Every code a page shows
//! goes through here, so a code never appears without its name, and an unlisted code says so.

use lantern_domain::agency::AgencyKind;
use lantern_domain::file::{DataCategory, OpenDataState, Purpose, SensitiveKind};
use lantern_domain::reference::{Listing, ReferenceData};
use lantern_domain::{DataCategoryCode, LegalBasisCode, PurposeCode};
use lantern_store::Role;
use time::OffsetDateTime;
use time::macros::{format_description, offset};

use crate::i18n::{Lang, Tr};

/// A purpose or data category as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeLabel {
    /// The code, shown before the name; empty for an unlisted code (its text names it) and for
    /// a purpose or category the agency described in words.
    pub(crate) code: String,
    /// The name, the unlisted notice, or the agency's own words.
    pub(crate) name: String,
    /// A note after the name: examples of a category, or that the agency described it.
    pub(crate) note: String,
}

/// The name of a listed entry in `lang`, falling back to Chinese where the list has no English.
fn name_in<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.trim().is_empty() {
        en
    } else {
        zh
    }
}

/// The short form of a long official name: the part before its parenthesised list of
/// inclusions, e.g. 「人事管理」 for 002.
fn short_name(name: &str) -> &str {
    name.split(['（', '(']).next().map_or(name, str::trim)
}

/// How a specific purpose reads: `031` and its name, or the unlisted notice.
pub(crate) fn purpose_code(t: Tr, reference: &ReferenceData, code: &PurposeCode) -> CodeLabel {
    match reference.purpose(code) {
        Listing::Listed(entry) => CodeLabel {
            code: code.to_string(),
            name: name_in(t.lang(), &entry.name_zh, &entry.name_en).to_owned(),
            note: String::new(),
        },
        Listing::Unlisted => unlisted(t, code.as_str()),
    }
}

/// How a specific purpose reads in a sentence or a chart: the official name shortened to its
/// head.
pub(crate) fn purpose_code_short(
    t: Tr,
    reference: &ReferenceData,
    code: &PurposeCode,
) -> CodeLabel {
    let mut label = purpose_code(t, reference, code);
    if !label.code.is_empty() {
        label.name = short_name(&label.name).to_owned();
    }
    label
}

/// How a file's purpose reads, full names.
pub(crate) fn purpose(t: Tr, reference: &ReferenceData, purpose: &Purpose) -> CodeLabel {
    match purpose {
        Purpose::Code { code } => purpose_code(t, reference, code),
        Purpose::Described { description } => described(t, description),
    }
}

/// How a file's purpose reads in a list: official names shortened to their head.
pub(crate) fn purpose_short(t: Tr, reference: &ReferenceData, purpose: &Purpose) -> CodeLabel {
    let mut label = self::purpose(t, reference, purpose);
    if !label.code.is_empty() {
        label.name = short_name(&label.name).to_owned();
    }
    label
}

/// How a data category reads: `C001` and its name with examples, or the unlisted notice.
pub(crate) fn category_code(
    t: Tr,
    reference: &ReferenceData,
    code: &DataCategoryCode,
) -> CodeLabel {
    match reference.category(code) {
        Listing::Listed(entry) => {
            let examples = if t.lang() == Lang::ZhTw {
                entry.examples_zh.trim()
            } else {
                ""
            };
            CodeLabel {
                code: code.to_string(),
                name: name_in(t.lang(), &entry.name_zh, &entry.name_en).to_owned(),
                note: if examples.is_empty() {
                    String::new()
                } else {
                    t.with("code-examples", &[("examples", examples.into())])
                },
            }
        }
        Listing::Unlisted => unlisted(t, code.as_str()),
    }
}

/// How a file's data category reads.
pub(crate) fn category(t: Tr, reference: &ReferenceData, category: &DataCategory) -> CodeLabel {
    match category {
        DataCategory::Code { code } => category_code(t, reference, code),
        DataCategory::Described { description } => described(t, description),
    }
}

fn unlisted(t: Tr, code: &str) -> CodeLabel {
    CodeLabel {
        code: String::new(),
        name: t.with("code-unlisted", &[("code", code.into())]),
        note: String::new(),
    }
}

fn described(t: Tr, description: &str) -> CodeLabel {
    CodeLabel {
        code: String::new(),
        name: description.to_owned(),
        note: t.get("code-described"),
    }
}

/// A legal basis as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BasisLabel {
    /// E.g. `PDPA-16-P5`.
    pub(crate) code: String,
    /// The article and clause in words, e.g. 個人資料保護法第16條第1項但書第5款.
    pub(crate) clause: String,
    /// What the basis allows, in plain words.
    pub(crate) summary: String,
}

/// How a legal basis reads.
pub(crate) fn basis(t: Tr, reference: &ReferenceData, code: &LegalBasisCode) -> BasisLabel {
    let summary = reference
        .legal_basis(code.as_str())
        .map(|entry| {
            if t.lang() == Lang::En {
                entry.summary_en.clone()
            } else {
                entry.summary_zh.clone()
            }
        })
        .unwrap_or_default();
    BasisLabel {
        code: code.to_string(),
        clause: clause(t, reference, code),
        summary,
    }
}

/// The article and clause of a `PDPA-<article>-<part>` code in words. Articles with more than
/// one paragraph (6, 19, 20: those with a `PARA` code) name paragraph 1 explicitly, as their
/// citations do.
fn clause(t: Tr, reference: &ReferenceData, code: &LegalBasisCode) -> String {
    let number = code.article();
    let article = number.to_string();
    let has_paragraphs = reference
        .legal_bases()
        .any(|b| b.article == number && b.code.contains("PARA"));
    let first = if has_paragraphs {
        t.get("basis-first-paragraph")
    } else {
        String::new()
    };
    let part = code.as_str().rsplit('-').next().unwrap_or_default();
    if part == "MAIN" {
        t.with(
            "basis-main",
            &[("article", article.into()), ("first", first.into())],
        )
    } else if let Some(para) = part.strip_prefix("PARA") {
        t.with(
            "basis-paragraph",
            &[
                ("article", article.into()),
                ("paragraph", para.to_owned().into()),
            ],
        )
    } else if let Some(item) = part.strip_prefix('P') {
        t.with(
            "basis-proviso",
            &[
                ("article", article.into()),
                ("first", first.into()),
                ("item", item.to_owned().into()),
            ],
        )
    } else {
        t.with(
            "basis-item",
            &[
                ("article", article.into()),
                ("first", first.into()),
                ("item", part.to_owned().into()),
            ],
        )
    }
}

/// The name of a special category of PDPA Art. 6.
pub(crate) fn sensitive_kind(t: Tr, kind: SensitiveKind) -> String {
    t.get(match kind {
        SensitiveKind::MedicalRecords => "sensitive-medical-records",
        SensitiveKind::MedicalCare => "sensitive-medical-care",
        SensitiveKind::Genetic => "sensitive-genetic",
        SensitiveKind::SexLife => "sensitive-sex-life",
        SensitiveKind::HealthCheckup => "sensitive-health-checkup",
        SensitiveKind::CriminalRecord => "sensitive-criminal-record",
    })
}

/// The kind of an agency.
pub(crate) fn agency_kind(t: Tr, kind: AgencyKind) -> String {
    t.get(match kind {
        AgencyKind::Central => "agency-kind-central",
        AgencyKind::Local => "agency-kind-local",
        AgencyKind::OtherPublicBody => "agency-kind-other",
    })
}

/// What a staff account may do.
pub(crate) fn role(t: Tr, role: Role) -> String {
    t.get(match role {
        Role::Officer => "role-officer",
        Role::DataProtectionOfficer => "role-dpo",
        Role::AgencyAdmin => "role-agency-admin",
    })
}

/// Whether a file is published as open data.
pub(crate) fn open_data_state(t: Tr, state: OpenDataState) -> String {
    t.get(match state {
        OpenDataState::Published => "open-data-published",
        OpenDataState::Partial => "open-data-partial",
        OpenDataState::NotPublished => "open-data-not-published",
    })
}

/// The name of a changed top-level field of a file or an agency, as a version history lists it.
pub(crate) fn changed_field(t: Tr, field: &str) -> String {
    let id = match field {
        "agency" => "field-agency",
        "name_zh" => "field-name-zh",
        "name_en" => "field-name-en",
        "description" => "field-description",
        "contact" => "field-contact",
        "legal_basis" => "field-legal-basis",
        "purposes" => "field-purposes",
        "categories" => "field-categories",
        "sensitive" => "field-sensitive",
        "large_database" => "field-large-database",
        "code" => "field-code",
        "kind" => "field-kind",
        "supervisor" => "field-supervisor",
        "intelligence_agency" => "field-intelligence-agency",
        other => return other.to_owned(),
    };
    t.get(id)
}

/// Who made a change, from the store's `user:NAME`, `token:ID (AGENCY)` or `system:WHAT`.
pub(crate) fn actor(t: Tr, actor: &str) -> String {
    match actor.split_once(':') {
        Some(("user", name)) => t.with("actor-user", &[("name", name.into())]),
        Some(("token", detail)) => t.with("actor-token", &[("detail", detail.into())]),
        Some(("system", what)) => t.with("actor-system", &[("what", what.into())]),
        _ => actor.to_owned(),
    }
}

/// Taiwan has kept UTC+8 without daylight saving since 1979.
const TAIWAN: time::UtcOffset = offset!(+8);

/// A time as `2025-03-01 14:05` in Taiwan time.
pub(crate) fn time(at: OffsetDateTime) -> String {
    at.to_offset(TAIWAN)
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// A date as `2025-03-01`, for `<time datetime>`.
pub(crate) fn machine_time(at: OffsetDateTime) -> String {
    at.to_offset(TAIWAN)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]+08:00"
        ))
        .unwrap_or_default()
}

/// `23400000` as `23,400,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A large count the way a reader says it: 「約 2,340 萬」 in Chinese (萬 and 億),
/// "about 23.4 million" in English.
pub(crate) fn approx(t: Tr, n: u64) -> String {
    let (scaled, unit) = match t.lang() {
        Lang::ZhTw if n >= 100_000_000 => (scale(n, 100_000_000), "yi"),
        Lang::ZhTw if n >= 10_000 => (scale(n, 10_000), "wan"),
        Lang::En if n >= 1_000_000_000 => (scale(n, 1_000_000_000), "billion"),
        Lang::En if n >= 1_000_000 => (scale(n, 1_000_000), "million"),
        Lang::ZhTw | Lang::En => (grouped(n), "none"),
    };
    t.with(
        "count-approx",
        &[("n", scaled.into()), ("unit", unit.into())],
    )
}

/// `n / unit` with at most one decimal, grouped, dropping a trailing `.0`.
fn scale(n: u64, unit: u64) -> String {
    let tenths = (u128::from(n) * 10 + u128::from(unit / 2)) / u128::from(unit);
    let whole = grouped(u64::try_from(tenths / 10).unwrap_or(u64::MAX));
    match tenths % 10 {
        0 => whole,
        decimal => format!("{whole}.{decimal}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_domain::reference::builtin;

    #[test]
    fn codes_come_with_names_and_unlisted_codes_say_so() {
        let zh = Tr::new(Lang::ZhTw);
        let label = purpose_code(zh, builtin(), &PurposeCode::parse("031").unwrap());
        assert_eq!(label.code, "031");
        assert!(label.name.starts_with("全民健康保險"));
        let label = purpose_code(zh, builtin(), &PurposeCode::parse("015").unwrap());
        assert_eq!(label.name, "（代碼 015：目前未收錄於本系統清單）");
        let en = purpose_code(
            Tr::new(Lang::En),
            builtin(),
            &PurposeCode::parse("015").unwrap(),
        );
        assert!(
            en.name.contains("015") && en.name.contains("not"),
            "{}",
            en.name
        );
    }

    #[test]
    fn long_official_names_are_shortened_in_lists() {
        let zh = Tr::new(Lang::ZhTw);
        let label = purpose_short(
            zh,
            builtin(),
            &Purpose::Code {
                code: PurposeCode::parse("002").unwrap(),
            },
        );
        assert_eq!(label.name, "人事管理");
    }

    #[test]
    fn clauses() {
        let zh = Tr::new(Lang::ZhTw);
        let code = |c: &str| LegalBasisCode::parse(c).unwrap();
        assert_eq!(
            clause(zh, builtin(), &code("PDPA-16-P5")),
            "個人資料保護法第16條但書第5款"
        );
        assert_eq!(
            clause(zh, builtin(), &code("PDPA-6-P4")),
            "個人資料保護法第6條第1項但書第4款"
        );
        assert_eq!(
            clause(zh, builtin(), &code("PDPA-15-1")),
            "個人資料保護法第15條第1款"
        );
        assert_eq!(
            clause(zh, builtin(), &code("PDPA-20-PARA2")),
            "個人資料保護法第20條第2項"
        );
        let en = Tr::new(Lang::En);
        assert_eq!(
            clause(en, builtin(), &code("PDPA-6-MAIN")),
            "PDPA Art. 6(1), main text"
        );
        assert_eq!(
            clause(en, builtin(), &code("PDPA-16-P5")),
            "PDPA Art. 16, proviso item 5"
        );
    }

    #[test]
    fn counts() {
        assert_eq!(grouped(4_200_000_000), "4,200,000,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(approx(Tr::new(Lang::ZhTw), 23_400_000), "約 2,340 萬");
        assert_eq!(approx(Tr::new(Lang::ZhTw), 4_200_000_000), "約 42 億");
        assert_eq!(approx(Tr::new(Lang::En), 23_400_000), "about 23.4 million");
        assert_eq!(approx(Tr::new(Lang::En), 950), "about 950");
    }

    /// A missing message comes back as its id: lowercase words joined by `-`.
    fn looks_like_an_id(text: &str) -> bool {
        text.contains('-')
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    #[test]
    fn every_fixed_value_has_words_in_both_languages() {
        use lantern_domain::agency::AgencyKind;
        use lantern_domain::file::{OpenDataState, SensitiveKind};
        for lang in Lang::ALL {
            let t = Tr::new(lang);
            let mut words = Vec::new();
            words.extend(
                [
                    SensitiveKind::MedicalRecords,
                    SensitiveKind::MedicalCare,
                    SensitiveKind::Genetic,
                    SensitiveKind::SexLife,
                    SensitiveKind::HealthCheckup,
                    SensitiveKind::CriminalRecord,
                ]
                .map(|k| sensitive_kind(t, k)),
            );
            words.extend(
                [
                    AgencyKind::Central,
                    AgencyKind::Local,
                    AgencyKind::OtherPublicBody,
                ]
                .map(|k| agency_kind(t, k)),
            );
            words.extend(
                [
                    OpenDataState::Published,
                    OpenDataState::Partial,
                    OpenDataState::NotPublished,
                ]
                .map(|s| open_data_state(t, s)),
            );
            words.extend(
                [
                    Role::Officer,
                    Role::DataProtectionOfficer,
                    Role::AgencyAdmin,
                ]
                .map(|r| role(t, r)),
            );
            words.extend(
                [
                    "agency",
                    "name_zh",
                    "name_en",
                    "description",
                    "contact",
                    "legal_basis",
                    "purposes",
                    "categories",
                    "sensitive",
                    "large_database",
                ]
                .map(|f| changed_field(t, f)),
            );
            words.extend(["user:a", "token:1 (MOHW)", "system:demo"].map(|a| actor(t, a)));
            words.extend(
                builtin()
                    .legal_bases()
                    .map(|b| basis(t, builtin(), &LegalBasisCode::parse(&b.code).unwrap()).clause),
            );
            for word in words {
                assert!(!looks_like_an_id(&word), "{lang:?}: {word}");
            }
        }
    }

    #[test]
    fn times_are_in_taiwan_time() {
        let at = time::macros::datetime!(2025-03-01 06:05 UTC);
        assert_eq!(time(at), "2025-03-01 14:05");
    }
}
