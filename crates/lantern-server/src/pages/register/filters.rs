//! The register's search form: reading its query string into a [`FileQuery`], with every bad
//! value reported against its field in the reader's language.

use std::collections::BTreeMap;

use lantern_domain::reference::{Listing, ReferenceData};
use lantern_domain::{Agency, AgencyCode, DataCategoryCode, PurposeCode};
use lantern_store::FileQuery;

use crate::i18n::Tr;

/// Results per page.
pub(crate) const PAGE_SIZE: u32 = 20;

/// Longest search text accepted, in characters; longer text is a mistake or an attack, not a
/// search.
const MAX_TEXT_CHARS: usize = 200;

/// The form's values as the reader gave them, normalised for showing again and for links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FilterValues {
    /// Search text.
    pub(crate) q: String,
    /// Agency code.
    pub(crate) agency: String,
    /// A listed purpose code chosen from the list.
    pub(crate) purpose: String,
    /// A purpose code typed in (for unlisted codes).
    pub(crate) purpose_code: String,
    /// A listed category code chosen from the list.
    pub(crate) category: String,
    /// A category code typed in.
    pub(crate) category_code: String,
    /// `yes`, `no` or empty (any).
    pub(crate) sensitive: String,
    /// `yes`, `no` or empty (any).
    pub(crate) large: String,
    /// Results to skip.
    pub(crate) offset: u32,
}

impl FilterValues {
    /// The values as query parameters, empty ones left for [`crate::pages::context::href`] to
    /// drop; the offset is replaced by `offset`.
    pub(crate) fn params(&self, offset: u32) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("agency", self.agency.clone()),
            ("purpose", self.purpose.clone()),
            ("purpose_code", self.purpose_code.clone()),
            ("category", self.category.clone()),
            ("category_code", self.category_code.clone()),
            ("sensitive", self.sensitive.clone()),
            ("large", self.large.clone()),
            (
                "offset",
                if offset == 0 {
                    String::new()
                } else {
                    offset.to_string()
                },
            ),
        ]
    }

    /// How many filters other than the search text are set (a code counts once, however
    /// it was given).
    pub(crate) fn applied_filters(&self) -> usize {
        [
            !self.agency.is_empty(),
            !self.purpose.is_empty() || !self.purpose_code.is_empty(),
            !self.category.is_empty() || !self.category_code.is_empty(),
            !self.sensitive.is_empty(),
            !self.large.is_empty(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }
}

/// A bad value and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// The form field's name.
    pub(crate) field: &'static str,
    /// What is wrong, in the reader's language.
    pub(crate) message: String,
}

/// The parsed form.
#[derive(Debug, Clone)]
pub(crate) struct Filters {
    /// What to show in the form again.
    pub(crate) values: FilterValues,
    /// The search, when every value is valid.
    pub(crate) query: Result<FileQuery, Vec<FieldError>>,
}

/// Reads the register's query parameters. Unknown parameters (such as `lang`) are ignored;
/// a repeated parameter counts once, first value first.
pub(crate) fn parse(
    t: Tr,
    pairs: &[(String, String)],
    agencies: &BTreeMap<AgencyCode, Agency>,
    reference: &ReferenceData,
) -> Filters {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    };
    let mut errors = Vec::new();
    let mut values = FilterValues::default();
    let mut query = FileQuery {
        limit: PAGE_SIZE,
        ..FileQuery::default()
    };

    values.q = get("q").to_owned();
    if values.q.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError {
            field: "q",
            message: t.with(
                "filter-error-text-too-long",
                &[("max", MAX_TEXT_CHARS.into())],
            ),
        });
    } else if !values.q.is_empty() {
        query.text = Some(values.q.clone());
    }

    values.agency = get("agency").to_owned();
    if !values.agency.is_empty() {
        match AgencyCode::parse(&values.agency) {
            Ok(code) if agencies.contains_key(&code) => query.agency = Some(code),
            Ok(_) => errors.push(FieldError {
                field: "agency",
                message: t.with(
                    "filter-error-agency-unknown",
                    &[("code", values.agency.clone().into())],
                ),
            }),
            Err(_) => errors.push(FieldError {
                field: "agency",
                message: t.get("filter-error-agency-format"),
            }),
        }
    }

    let purpose = code_filter(
        CodeField {
            listed: get("purpose"),
            typed: get("purpose_code"),
        },
        |raw| PurposeCode::parse(raw).ok(),
        |code| matches!(reference.purpose(code), Listing::Listed(_)),
    );
    (values.purpose, values.purpose_code) = (purpose.listed, purpose.typed);
    query.purpose = purpose.code;
    errors.extend(purpose.problem.map(|problem| {
        problem.error(
            t,
            "purpose_code",
            "filter-error-purpose-both",
            "filter-error-purpose-format",
        )
    }));

    let category = code_filter(
        CodeField {
            listed: get("category"),
            typed: get("category_code"),
        },
        |raw| DataCategoryCode::parse(&raw.to_ascii_uppercase()).ok(),
        |code| matches!(reference.category(code), Listing::Listed(_)),
    );
    (values.category, values.category_code) = (category.listed, category.typed);
    query.category = category.code;
    errors.extend(category.problem.map(|problem| {
        problem.error(
            t,
            "category_code",
            "filter-error-category-both",
            "filter-error-category-format",
        )
    }));

    for (field, target) in [
        ("sensitive", &mut query.sensitive),
        ("large", &mut query.large_database),
    ] {
        let raw = get(field);
        match raw {
            "" | "any" => {}
            "yes" => *target = Some(true),
            "no" => *target = Some(false),
            _ => errors.push(FieldError {
                field,
                message: t.get("filter-error-yes-no"),
            }),
        }
        let shown = if matches!(raw, "yes" | "no") {
            raw.to_owned()
        } else {
            String::new()
        };
        if field == "sensitive" {
            values.sensitive = shown;
        } else {
            values.large = shown;
        }
    }

    let offset = get("offset");
    if !offset.is_empty() {
        match offset.parse::<u32>() {
            Ok(n) => values.offset = n,
            Err(_) => errors.push(FieldError {
                field: "offset",
                message: t.get("filter-error-offset"),
            }),
        }
    }
    query.offset = values.offset;

    Filters {
        values,
        query: if errors.is_empty() {
            Ok(query)
        } else {
            Err(errors)
        },
    }
}

/// A code filter given two ways: chosen from the list of listed codes, or typed in (the lists
/// are partial, so an unlisted code can only be typed).
#[derive(Clone, Copy)]
struct CodeField<'a> {
    listed: &'a str,
    typed: &'a str,
}

/// A code filter read: the values to show again (a listed code in the list, any other in the
/// text box), the code to search for, and what was wrong.
struct CodeFilter<C> {
    listed: String,
    typed: String,
    code: Option<C>,
    problem: Option<CodeProblem>,
}

enum CodeProblem {
    /// The list and the text box name different codes.
    Both,
    /// The code is malformed or out of range.
    Format,
}

impl CodeProblem {
    fn error(&self, t: Tr, field: &'static str, both: &str, format: &str) -> FieldError {
        let id = match self {
            Self::Both => both,
            Self::Format => format,
        };
        FieldError {
            field,
            message: t.get(id),
        }
    }
}

fn code_filter<C: ToString>(
    field: CodeField<'_>,
    parse: impl Fn(&str) -> Option<C>,
    is_listed: impl Fn(&C) -> bool,
) -> CodeFilter<C> {
    let raw = match (field.listed.is_empty(), field.typed.is_empty()) {
        (true, true) => {
            return CodeFilter {
                listed: String::new(),
                typed: String::new(),
                code: None,
                problem: None,
            };
        }
        (false, false) if !field.listed.eq_ignore_ascii_case(field.typed) => {
            return CodeFilter {
                listed: field.listed.to_owned(),
                typed: field.typed.to_owned(),
                code: None,
                problem: Some(CodeProblem::Both),
            };
        }
        (false, _) => field.listed,
        (true, false) => field.typed,
    };
    match parse(raw) {
        Some(code) if is_listed(&code) => CodeFilter {
            listed: code.to_string(),
            typed: String::new(),
            code: Some(code),
            problem: None,
        },
        Some(code) => CodeFilter {
            listed: String::new(),
            typed: code.to_string(),
            code: Some(code),
            problem: None,
        },
        None => CodeFilter {
            listed: String::new(),
            typed: raw.to_owned(),
            code: None,
            problem: Some(CodeProblem::Format),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use lantern_domain::reference::builtin;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn run(raw: &[(&str, &str)]) -> Filters {
        parse(
            Tr::new(Lang::ZhTw),
            &pairs(raw),
            &BTreeMap::new(),
            builtin(),
        )
    }

    #[test]
    fn an_empty_form_searches_everything() {
        let filters = run(&[]);
        assert_eq!(
            filters.query.unwrap(),
            FileQuery {
                limit: PAGE_SIZE,
                ..FileQuery::default()
            }
        );
    }

    #[test]
    fn codes_are_normalised_into_list_or_typed_field() {
        let filters = run(&[
            ("purpose_code", "031"),
            ("category", "c001"),
            ("sensitive", "yes"),
            ("large", "any"),
            ("offset", "40"),
        ]);
        assert_eq!(filters.values.purpose, "031");
        assert_eq!(filters.values.category, "C001");
        assert_eq!(filters.values.large, "");
        let query = filters.query.unwrap();
        assert_eq!(query.purpose.unwrap().as_str(), "031");
        assert_eq!(
            (query.sensitive, query.large_database, query.offset),
            (Some(true), None, 40)
        );
        let unlisted = run(&[("purpose", "015")]);
        assert_eq!(
            (
                unlisted.values.purpose.as_str(),
                unlisted.values.purpose_code.as_str()
            ),
            ("", "015")
        );
    }

    #[test]
    fn every_bad_value_names_its_field() {
        let filters = run(&[
            ("agency", "nope"),
            ("purpose", "031"),
            ("purpose_code", "032"),
            ("category_code", "X"),
            ("large", "maybe"),
            ("offset", "-1"),
        ]);
        let fields: Vec<_> = filters.query.unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["agency", "purpose_code", "category_code", "large", "offset"]
        );
        assert_eq!(filters.values.purpose_code, "032");
    }
}
