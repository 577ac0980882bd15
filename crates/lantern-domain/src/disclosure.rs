//! Disclosure rules for published figures (Government Information Publication Act Art. 18,
//! small-count banding, embargoes): every count a report publishes goes through here, and each
//! value held back says why.
//!
//! A published figure is an interval `[low, high]` of what the true count may be, with the
//! reasons it is not exact: an exact count is `[n, n]`; a small count is banded (`1-9`); a count
//! that includes a confidential case is withheld under its ground (`[0, ∞)` with the ground);
//! an embargoed count is withheld until its date.
//!
//! **Invariant (no subtraction leaks):** a total is never computed from the true counts of its
//! parts once any part is not exact; it is the interval sum of the parts *as published*
//! ([`Figure::sum`]). So whatever a reader adds or subtracts among published figures, they learn
//! nothing a published figure does not already say. The property tests check it.

use std::fmt;

use time::Date;

use crate::codes::RestrictionGroundCode;

/// Why a figure is not shown exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The count includes cases withheld under this ground of GIPA Art. 18 (e.g. an ongoing
    /// investigation), until the date when one is set.
    Ground {
        /// The ground.
        ground: RestrictionGroundCode,
        /// When the cases may be published; `None` for no set date.
        until: Option<Date>,
    },
    /// The count is small enough to identify people or cases: shown as a band.
    SmallCount {
        /// Counts from 1 up to this value minus one are banded.
        below: u64,
    },
    /// The figures are embargoed until this date.
    Embargo {
        /// The date from which they are published.
        until: Date,
    },
}

/// A published count: the interval the true count lies in, and why it is not exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// The least the count may be.
    pub low: u64,
    /// The most it may be; `None` when unbounded (withheld).
    pub high: Option<u64>,
    /// Why it is not exact; empty exactly when `low == high`.
    pub reasons: Vec<Reason>,
}

impl Figure {
    /// An exact count.
    #[must_use]
    pub const fn exact(n: u64) -> Self {
        Self {
            low: n,
            high: Some(n),
            reasons: Vec::new(),
        }
    }

    /// A value withheld for `reason`: nothing is said of it.
    #[must_use]
    pub fn withheld(reason: Reason) -> Self {
        Self {
            low: 0,
            high: None,
            reasons: vec![reason],
        }
    }

    /// The count when it is exact.
    #[must_use]
    pub fn value(&self) -> Option<u64> {
        (self.high == Some(self.low)).then_some(self.low)
    }

    /// True when the figure says nothing of the count (withheld outright).
    #[must_use]
    pub fn is_withheld(&self) -> bool {
        self.high.is_none() && self.low == 0
    }

    /// The interval sum of published figures, with every reason of its parts: what a reader
    /// could compute from them, and no more.
    #[must_use]
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a Self>) -> Self {
        let mut total = Self::exact(0);
        for part in parts {
            total.low = total.low.saturating_add(part.low);
            total.high = match (total.high, part.high) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                _ => None,
            };
            for reason in &part.reasons {
                if !total.reasons.contains(reason) {
                    total.reasons.push(reason.clone());
                }
            }
        }
        total.reasons.sort();
        total
    }
}

impl fmt::Display for Figure {
    /// `42`, `1-9`, `≥ 100`, or `—` for a figure withheld outright.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.low, self.high) {
            (low, Some(high)) if low == high => write!(f, "{low}"),
            (low, Some(high)) => write!(f, "{low}-{high}"),
            (0, None) => f.write_str("—"),
            (low, None) => write!(f, "≥ {low}"),
        }
    }
}

/// The rules applied to every figure of a report. Stored as JSON (every field optional,
/// defaults as [`DisclosureRules::default`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisclosureRules {
    /// Counts from 1 to `band_below - 1` are shown as that band; 0 and counts from
    /// `band_below` up are exact. `0` or `1` turns banding off.
    pub band_below: u64,
    /// Providers whose names may be published; every other provider is shown by its sector.
    pub named_providers: Vec<String>,
    /// Whether criminal-investigation requests appear in public reports (their statistics
    /// follow their own laws; off by default).
    pub include_criminal: bool,
    /// Figures of recent periods held back until a date; `None` for none.
    pub embargo: Option<Embargo>,
}

/// Figures of the periods that end after `periods_ending_after` are withheld until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Embargo {
    /// The last period end that is not embargoed.
    #[serde(with = "crate::provider_request::iso_date")]
    pub periods_ending_after: Date,
    /// The date from which the embargoed figures are published.
    #[serde(with = "crate::provider_request::iso_date")]
    pub until: Date,
}

impl Default for DisclosureRules {
    fn default() -> Self {
        Self {
            band_below: 10,
            named_providers: Vec::new(),
            include_criminal: false,
            embargo: None,
        }
    }
}

/// One count before the rules: how many, and the grounds (with dates) of any confidential
/// cases it includes that may not yet be published on the report's date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count {
    /// The true count.
    pub n: u64,
    /// Grounds of confidential cases included in `n` whose date is not yet reached.
    pub withheld: Vec<(RestrictionGroundCode, Option<Date>)>,
}

impl Count {
    /// A count with no confidential case in it.
    #[must_use]
    pub fn plain(n: u64) -> Self {
        Self {
            n,
            withheld: Vec::new(),
        }
    }
}

impl DisclosureRules {
    /// The figure published for `count` in a report of a period that ends on `period_end`, read
    /// on `today`.
    #[must_use]
    pub fn figure(&self, count: &Count, period_end: Date, today: Date) -> Figure {
        if let Some(embargo) = self.embargo
            && period_end > embargo.periods_ending_after
            && today < embargo.until
        {
            return Figure::withheld(Reason::Embargo {
                until: embargo.until,
            });
        }
        if let Some((ground, until)) = count.withheld.iter().min() {
            return Figure::withheld(Reason::Ground {
                ground: ground.clone(),
                until: *until,
            });
        }
        let n = count.n;
        if self.band_below > 1 && (1..self.band_below).contains(&n) {
            return Figure {
                low: 1,
                high: Some(self.band_below - 1),
                reasons: vec![Reason::SmallCount {
                    below: self.band_below,
                }],
            };
        }
        Figure::exact(n)
    }

    /// How a provider is named in public: its name when listed, else its sector's label.
    #[must_use]
    pub fn provider_label<'a>(&self, provider: &'a str, sector_label: &'a str) -> &'a str {
        if self
            .named_providers
            .iter()
            .any(|p| p.trim() == provider.trim())
        {
            provider
        } else {
            sector_label
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn ground(code: &str) -> RestrictionGroundCode {
        RestrictionGroundCode::parse(code).unwrap()
    }

    #[test]
    fn small_counts_are_banded_and_zero_is_exact() {
        let rules = DisclosureRules::default();
        let day = date!(2025 - 06 - 30);
        assert_eq!(rules.figure(&Count::plain(0), day, day).to_string(), "0");
        assert_eq!(rules.figure(&Count::plain(3), day, day).to_string(), "1-9");
        assert_eq!(rules.figure(&Count::plain(9), day, day).to_string(), "1-9");
        assert_eq!(rules.figure(&Count::plain(10), day, day).to_string(), "10");
        let off = DisclosureRules {
            band_below: 0,
            ..DisclosureRules::default()
        };
        assert_eq!(off.figure(&Count::plain(3), day, day).to_string(), "3");
    }

    #[test]
    fn confidential_cases_withhold_the_count_with_their_ground() {
        let rules = DisclosureRules::default();
        let count = Count {
            n: 120,
            withheld: vec![(ground("GIDA-18-4"), Some(date!(2027 - 01 - 01)))],
        };
        let figure = rules.figure(&count, date!(2025 - 06 - 30), date!(2025 - 07 - 15));
        assert!(figure.is_withheld());
        assert_eq!(
            figure.reasons,
            [Reason::Ground {
                ground: ground("GIDA-18-4"),
                until: Some(date!(2027 - 01 - 01))
            }]
        );
        assert_eq!(figure.to_string(), "—");
    }

    #[test]
    fn an_embargo_holds_recent_periods_until_its_date() {
        let rules = DisclosureRules {
            embargo: Some(Embargo {
                periods_ending_after: date!(2025 - 06 - 30),
                until: date!(2026 - 01 - 01),
            }),
            ..DisclosureRules::default()
        };
        let recent = rules.figure(
            &Count::plain(50),
            date!(2025 - 12 - 31),
            date!(2025 - 12 - 31),
        );
        assert_eq!(
            recent.reasons,
            [Reason::Embargo {
                until: date!(2026 - 01 - 01)
            }]
        );
        let older = rules.figure(
            &Count::plain(50),
            date!(2025 - 06 - 30),
            date!(2025 - 12 - 31),
        );
        assert_eq!(older, Figure::exact(50));
        let later = rules.figure(
            &Count::plain(50),
            date!(2025 - 12 - 31),
            date!(2026 - 01 - 01),
        );
        assert_eq!(later, Figure::exact(50));
    }

    #[test]
    fn a_total_of_hidden_parts_is_an_interval() {
        let total = Figure::sum(&[
            Figure::exact(100),
            DisclosureRules::default().figure(
                &Count::plain(4),
                date!(2025 - 06 - 30),
                date!(2025 - 06 - 30),
            ),
        ]);
        assert_eq!(total.to_string(), "101-109");
        let open = Figure::sum(&[
            Figure::exact(100),
            Figure::withheld(Reason::SmallCount { below: 10 }),
        ]);
        assert_eq!(open.to_string(), "≥ 100");
        assert_eq!(
            Figure::sum(&[Figure::exact(2), Figure::exact(3)]),
            Figure::exact(5)
        );
    }

    #[test]
    fn rules_read_from_json_with_defaults() {
        let rules: DisclosureRules = serde_json::from_str(
            r#"{"band_below": 5, "embargo": {"periods_ending_after": "2025-06-30", "until": "2026-01-01"}}"#,
        )
        .unwrap();
        assert_eq!(rules.band_below, 5);
        assert!(!rules.include_criminal);
        assert_eq!(rules.embargo.unwrap().until, date!(2026 - 01 - 01));
        assert!(serde_json::from_str::<DisclosureRules>(r#"{"band": 5}"#).is_err());
        let json = serde_json::to_string(&rules).unwrap();
        assert_eq!(
            serde_json::from_str::<DisclosureRules>(&json).unwrap(),
            rules
        );
    }

    #[test]
    fn providers_are_named_only_when_listed() {
        let rules = DisclosureRules {
            named_providers: vec!["中華電信".into()],
            ..DisclosureRules::default()
        };
        assert_eq!(rules.provider_label("中華電信", "電信業"), "中華電信");
        assert_eq!(rules.provider_label("某平臺", "網路平臺"), "網路平臺");
    }

    proptest! {
        /// Whatever the true counts, the published total is a function of the published parts
        /// only: changing a hidden part within what its figure says leaves every published
        /// value unchanged, so no subtraction recovers it.
        #[test]
        fn totals_reveal_nothing_beyond_their_parts(
            counts in proptest::collection::vec(0u64..40, 1..8),
            pick in 0usize..8,
            delta in 0u64..9,
        ) {
            let rules = DisclosureRules::default();
            let day = date!(2025 - 06 - 30);
            let publish = |counts: &[u64]| {
                let parts: Vec<Figure> = counts
                    .iter()
                    .map(|n| rules.figure(&Count::plain(*n), day, day))
                    .collect();
                let total = Figure::sum(&parts);
                (parts, total)
            };
            let (parts, total) = publish(&counts);
            // The true total always lies within the published one.
            let true_total: u64 = counts.iter().sum();
            prop_assert!(total.low <= true_total && total.high.is_none_or(|h| true_total <= h));
            // Move one banded part elsewhere within its band: nothing published changes.
            let i = pick % counts.len();
            if let Some(high) = parts[i].high && parts[i].low < high {
                let mut other = counts;
                other[i] = parts[i].low + delta % (high - parts[i].low + 1);
                prop_assert_eq!(publish(&other), (parts, total));
            }
        }
    }
}
