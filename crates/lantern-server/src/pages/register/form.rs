//! The register's search form as a view-model: every field labelled, filled with what the
//! reader asked for, and carrying its error.

use std::collections::BTreeMap;

use lantern_domain::reference::ReferenceData;
use lantern_domain::{Agency, AgencyCode};

use super::filters::{FieldError, FilterValues};
use crate::i18n::Tr;
use crate::pages::fields::{Opt, SelectField, TextField};
use crate::pages::{file_row, labels};

/// The search form.
pub(super) struct SearchForm {
    pub(super) q: TextField,
    pub(super) agency: SelectField,
    pub(super) sensitive: SelectField,
    pub(super) large: SelectField,
    /// Purpose: chosen from the list, or typed.
    pub(super) purpose: CodePair,
    /// Data category: chosen from the list, or typed.
    pub(super) category: CodePair,
    /// Show the filters unfolded: only when one of them is wrong. Applied filters are listed
    /// beside the results instead, so the results stay near the top.
    pub(super) open: bool,
    /// The fold's label, with how many filters are applied.
    pub(super) more_label: String,
}

/// A code filter given two ways, grouped under one legend.
pub(super) struct CodePair {
    pub(super) legend: String,
    pub(super) listed: SelectField,
    pub(super) typed: TextField,
}

/// Builds the form from the reader's values and the problems found in them.
pub(super) fn search_form(
    t: Tr,
    values: &FilterValues,
    problems: &[FieldError],
    agencies: &BTreeMap<AgencyCode, Agency>,
    reference: &ReferenceData,
) -> SearchForm {
    let error_for = |field: &str| {
        problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.clone())
    };
    let text = |name: &'static str, label: &str, hint: &str, value: &str| TextField {
        name,
        label: t.get(label),
        hint: t.get(hint),
        value: value.to_owned(),
        error: error_for(name),
    };
    let select = |name: &'static str,
                  label: &str,
                  any: &str,
                  options: Vec<(String, String)>,
                  value: &str| {
        let mut all = vec![Opt {
            value: String::new(),
            label: t.get(any),
            selected: value.is_empty(),
        }];
        all.extend(options.into_iter().map(|(v, label)| Opt {
            selected: v == value,
            value: v,
            label,
        }));
        SelectField {
            name,
            label: t.get(label),
            hint: String::new(),
            options: all,
            error: error_for(name),
        }
    };
    let yes_no = || {
        vec![
            ("yes".to_owned(), t.get("filter-yes")),
            ("no".to_owned(), t.get("filter-no")),
        ]
    };

    let agency_options = agencies
        .values()
        .map(|a| {
            (
                a.code.to_string(),
                file_row::agency_name(t.lang(), a).to_owned(),
            )
        })
        .collect();
    let purpose_options = reference
        .purposes()
        .map(|p| {
            let label = labels::purpose_code(t, reference, &p.code);
            (p.code.to_string(), format!("{} {}", label.code, label.name))
        })
        .collect();
    let category_options = reference
        .categories()
        .map(|c| {
            let label = labels::category_code(t, reference, &c.code);
            (c.code.to_string(), format!("{} {}", label.code, label.name))
        })
        .collect();

    let applied = values.applied_filters();
    SearchForm {
        q: text("q", "filter-q", "filter-q-hint", &values.q),
        agency: select(
            "agency",
            "filter-agency",
            "filter-any-agency",
            agency_options,
            &values.agency,
        ),
        sensitive: select(
            "sensitive",
            "filter-sensitive",
            "filter-any",
            yes_no(),
            &values.sensitive,
        ),
        large: select(
            "large",
            "filter-large",
            "filter-any",
            yes_no(),
            &values.large,
        ),
        purpose: CodePair {
            legend: t.get("filter-purpose-legend"),
            listed: select(
                "purpose",
                "filter-purpose",
                "filter-any-purpose",
                purpose_options,
                &values.purpose,
            ),
            typed: text(
                "purpose_code",
                "filter-purpose-code",
                "filter-purpose-code-hint",
                &values.purpose_code,
            ),
        },
        category: CodePair {
            legend: t.get("filter-category-legend"),
            listed: select(
                "category",
                "filter-category",
                "filter-any-category",
                category_options,
                &values.category,
            ),
            typed: text(
                "category_code",
                "filter-category-code",
                "filter-category-code-hint",
                &values.category_code,
            ),
        },
        open: !problems.is_empty(),
        more_label: if applied == 0 || !problems.is_empty() {
            t.get("register-more-filters")
        } else {
            t.with(
                "register-more-filters-applied",
                &[("count", applied.into())],
            )
        },
    }
}
