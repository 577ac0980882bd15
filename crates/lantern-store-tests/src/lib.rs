//! The conformance suite every Lantern storage backend must pass.
//!
//! **In scope:** one case per documented contract of the [`lantern_store`] traits, written once
//! against `&dyn Store` so that every backend runs the very same code ([`cases`]); the data the
//! cases use ([`fixtures`]); and [`conformance_suite!`], which expands into one named
//! `#[tokio::test]` per case inside a backend's integration tests.
//!
//! **Out of scope:** what only one backend has (files, pragmas, schemas, connection pools) —
//! each backend tests that beside its code; performance; anything not promised by a trait's
//! documentation.
//!
//! Every case starts from a fresh, empty store, uses fixed timestamps (never the wall clock),
//! and panics with the broken contract's name. This crate is test code: it asserts and panics
//! by design.

/// Asserts that a store call failed with the given [`lantern_store::StoreError`] variant,
/// naming the call and what it returned otherwise.
macro_rules! assert_store_err {
    ($result:expr, $variant:ident) => {
        match $result {
            Err(lantern_store::StoreError::$variant(_)) => {}
            other => panic!(
                "{} should fail with StoreError::{}, got {other:?}",
                stringify!($result),
                stringify!($variant)
            ),
        }
    };
}

pub mod cases;
pub mod fixtures;

/// Expands into one `#[tokio::test]` per conformance case, grouped in a module per area, so a
/// failure is reported as e.g. `files::expected_version_must_be_current`.
///
/// The argument is an async closure that makes a fresh, empty store for one test and returns
/// `(store, guard)`: the store (any type implementing [`lantern_store::Store`]) and whatever
/// must outlive it — a temporary directory, a schema to drop — or `()`. The guard is dropped
/// after the store. The closure is expanded inside the generated modules, which import
/// everything from the invoking module.
///
/// The invoking crate needs `tokio` (with `macros` and `rt`) among its dependencies.
///
/// ```text
/// use lantern_store_sqlite::SqliteStore;
///
/// lantern_store_tests::conformance_suite!(async || {
///     let dir = tempfile::tempdir().expect("temporary directory");
///     let store = SqliteStore::open(&dir.path().join("lantern.db")).expect("open");
///     (store, dir)
/// });
/// ```
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr $(,)?) => {
        $crate::conformance_suite!(@modules $fresh;
            agencies {
                created_as_version_1,
                changes_make_new_versions,
                history_lists_every_version,
                old_versions_stay_readable,
                unknown_agency_versions_are_none,
                unchanged_write_records_nothing,
                unknown_supervisor_is_not_found,
                listed_by_code,
                unknown_agency_is_none,
                concurrent_first_writes_both_land,
            }
            data_requests {
                filed_requests_read_back,
                filing_checks_its_references,
                decided_once,
                delivered_once_when_approved,
                listed_by_party_and_state,
                approved_uses_are_the_approved_requests_of_the_file,
                concurrent_decisions_let_one_win,
                a_batch_is_filed_whole_or_not_at_all,
                a_release_adds_up_its_batches,
            }
            files {
                created_as_version_1,
                taken_id_conflicts,
                unknown_agency_is_not_found,
                updates_make_versions_with_history,
                old_versions_stay_readable,
                unchanged_write_records_nothing,
                expected_version_must_be_current,
                update_of_unknown_file_is_not_found,
                cannot_move_to_another_agency,
                unknown_versions_are_none,
                concurrent_updates_let_one_win,
                concurrent_creates_let_one_win,
            }
            search {
                by_text,
                by_text_folds_non_ascii_case,
                by_agency,
                by_purpose,
                by_category,
                by_sensitive,
                by_large_database,
                filters_combine,
                sees_only_current_versions,
                pages_in_order,
                caps_page_size,
            }
            access {
                api_tokens_round_trip,
                api_token_of_unknown_agency_is_not_found,
                users_round_trip,
                taken_username_conflicts,
                user_of_unknown_agency_is_not_found,
                sessions_end_at_expiry,
                deleted_session_is_gone,
                session_of_unknown_user_is_not_found,
                citizen_sessions_end_at_expiry,
                deleted_citizen_session_is_gone,
                citizen_and_staff_sessions_are_apart,
                taken_citizen_session_id_conflicts,
            }
            provider_requests {
                requests_round_trip_in_order,
                a_bad_batch_writes_nothing,
            }
            reference {
                imported_purposes_are_replaced_wholesale,
                imported_categories_are_replaced_wholesale,
                failed_import_keeps_previous_list,
            }
            services {
                services_are_versioned,
                service_writes_are_checked,
                services_are_listed_by_agency_then_id,
                one_consent_in_force_per_service,
                withdrawal_is_effective_at_once,
                consents_refer_to_stored_notices,
                shredding_deletes_consents,
            }
            settings {
                settings_overwrite,
            }
            times {
                times_keep_milliseconds_and_come_back_in_utc,
                expiry_compares_instants_across_offsets,
            }
            usage_log {
                starts_empty,
                appends_get_consecutive_indexes,
                tree_head_is_the_root_of_the_entries,
                log_entries_are_in_order_and_end_with_the_tree,
                stored_hashes_follow_the_stored_hash_order,
                many_batches_build_the_tree_of_one,
                stored_id_is_a_duplicate,
                repeated_id_within_a_batch_is_a_duplicate,
                only_duplicates_leave_the_tree_unchanged,
                failed_batch_writes_nothing,
                inclusion_proofs_verify_against_earlier_heads,
                consistency_proofs_verify_between_heads,
                entries_commit_to_their_events,
                checkpoints_only_grow,
            }
            usage_footprint {
                only_the_subjects_events,
                newest_first,
                pages_with_total,
                caps_page_size,
                events_open_their_entries,
                confidential_events_are_withheld_until_their_date,
                shredding_deletes_events_and_secret,
                shredding_keeps_the_log_and_other_subjects,
                shredded_subject_starts_afresh,
            }
            usage_footprint_filters {
                entries_list_the_visible_events_newest_first,
                filters_narrow_the_list,
                summary_counts_the_period,
                subject_events_are_only_their_own,
            }
            usage_stats {
                stats_without_grouping_sum_everything,
                stats_group_by_each_dimension,
                stats_group_by_combinations,
                stats_month_range_counts_whole_months,
                stats_filters,
                file_activity_tracks_events_and_reports,
                daily_volume_per_file_and_day,
                duplicates_are_not_counted,
            }
        );
    };
    (@modules $fresh:expr; $($module:ident { $($case:ident),* $(,)? })*) => {
        $(
            mod $module {
                #[allow(unused_imports)]
                use super::*;

                $(
                    #[::tokio::test]
                    async fn $case() {
                        // A tuple drops its fields in order: the store, then its guard.
                        let fixture = ($fresh)().await;
                        $crate::cases::$module::$case(&fixture.0).await;
                    }
                )*
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// `module::case` for every `pub async fn` in `src/cases/*.rs`.
    fn defined_cases() -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cases");
        let mut cases = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("src/cases") {
            let path = entry.expect("directory entry").path();
            let module = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("file name")
                .to_owned();
            if module == "mod" {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("case source");
            for line in source.lines() {
                if let Some(rest) = line.strip_prefix("pub async fn ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    cases.insert(format!("{module}::{name}"));
                }
            }
        }
        cases
    }

    /// `module::case` for every case the macro expands.
    fn listed_cases() -> BTreeSet<String> {
        let source = include_str!("lib.rs");
        let start = source.find("@modules $fresh;").expect("the case list");
        let end = source[start..]
            .find(");")
            .expect("the end of the case list")
            + start;
        let mut cases = BTreeSet::new();
        let mut module = "";
        for line in source[start..end].lines().skip(1).map(str::trim) {
            if let Some(name) = line.strip_suffix(" {") {
                module = name;
            } else if let Some(case) = line.strip_suffix(',') {
                cases.insert(format!("{module}::{case}"));
            }
        }
        cases
    }

    #[test]
    fn the_macro_runs_every_case() {
        let defined = defined_cases();
        assert!(defined.len() > 30, "found only {defined:?}");
        assert_eq!(listed_cases(), defined);
    }
}
