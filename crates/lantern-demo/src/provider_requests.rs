//! Two years of the four agencies' requests to online providers (Open Government commitment
//! (2): economic affairs, finance, health and welfare, agriculture), generated deterministically
//! from a seed and checked with the same row rules as an agency's import.
//!
//! Providers are invented (示範…); statutes and articles are the real ones each agency cites.
//! A few requests are confidential (GIDA-18-2, an ongoing investigation) until a date, and a few
//! are criminal investigations, which public reports leave out by default.

use lantern_domain::AgencyCode;
use lantern_domain::provider_request::{ProviderRequest, ProviderRequestSubmission};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use time::{Date, Duration};

use crate::SeedError;

/// The generator's seed: the same requests on every run.
const SEED: u64 = 0x5052_4f56_4944_4552;

/// How many days back the requests reach: two years.
const DAYS: i64 = 730;

/// One agency's kind of requests.
struct Profile {
    agency: &'static str,
    /// Requests per year.
    per_year: u32,
    prefix: &'static str,
    statutes: &'static [(&'static str, &'static str)],
    /// (provider, sector) pairs.
    providers: &'static [(&'static str, &'static str)],
    data_types: &'static [&'static str],
    approver: &'static str,
}

const PROFILES: [Profile; 4] = [
    Profile {
        agency: "MOF",
        per_year: 140,
        prefix: "財稅調字第",
        statutes: &[("稅捐稽徵法", "第 30 條第 1 項"), ("關稅法", "第 12 條")],
        providers: &[
            ("示範購物網股份有限公司", "ecommerce"),
            ("示範支付股份有限公司", "payment"),
            ("示範電信股份有限公司", "telecom"),
        ],
        data_types: &["subscriber", "transaction"],
        approver: "稽核科科長",
    },
    Profile {
        agency: "MOHW",
        per_year: 90,
        prefix: "衛授食字第",
        statutes: &[
            ("食品安全衛生管理法", "第 41 條第 1 項"),
            ("藥事法", "第 71 條"),
        ],
        providers: &[
            ("示範社群平臺公司", "platform"),
            ("示範購物網股份有限公司", "ecommerce"),
        ],
        data_types: &["subscriber", "connection"],
        approver: "科長",
    },
    Profile {
        agency: "MOEA",
        per_year: 60,
        prefix: "經標字第",
        statutes: &[("商品檢驗法", "第 49 條"), ("商品標示法", "第 14 條")],
        providers: &[
            ("示範購物網股份有限公司", "ecommerce"),
            ("示範拍賣平臺公司", "platform"),
        ],
        data_types: &["subscriber", "transaction"],
        approver: "組長",
    },
    Profile {
        agency: "MOA",
        per_year: 30,
        prefix: "農防字第",
        statutes: &[
            ("動物保護法", "第 23 條"),
            ("植物防疫檢疫法", "第 14 條之 1"),
        ],
        providers: &[
            ("示範社群平臺公司", "platform"),
            ("示範電信股份有限公司", "telecom"),
        ],
        data_types: &["subscriber", "connection", "other_non_content"],
        approver: "科長",
    },
];

/// The demo's provider requests up to `today`, validated as an import would.
///
/// # Errors
/// [`SeedError::InvalidWorld`] when a generated row breaks a rule (a defect of this module).
pub(crate) fn provider_requests(today: Date) -> Result<Vec<ProviderRequest>, SeedError> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut requests = Vec::new();
    for profile in &PROFILES {
        let agency = AgencyCode::parse(profile.agency).map_err(|e| invalid(e.to_string()))?;
        let count = profile.per_year * 2;
        for n in 0..count {
            let days_ago = rng.random_range(1..DAYS);
            let sent = today - Duration::days(days_ago);
            let approved = sent - Duration::days(rng.random_range(0..4));
            let (statute, article) = profile.statutes[rng.random_range(0..profile.statutes.len())];
            let (provider, sector) =
                profile.providers[rng.random_range(0..profile.providers.len())];
            let kinds = rng.random_range(1..=profile.data_types.len());
            let roll = rng.random_range(0..100);
            let purpose = match roll {
                0..4 => "criminal_investigation",
                4..20 => "administrative_regulation",
                _ => "administrative_investigation",
            };
            let outcome = match rng.random_range(0..10) {
                0 => "none",
                1..3 => "some",
                _ => "all",
            };
            let confidential = roll >= 95;
            let row = ProviderRequestSubmission {
                reference: format!("{}{}{:05}號", profile.prefix, sent.year() - 1911, n + 1),
                requested_on: iso(sent),
                provider: provider.to_owned(),
                sector: sector.to_owned(),
                statute: statute.to_owned(),
                article: article.to_owned(),
                purpose: purpose.to_owned(),
                data_types: profile.data_types[..kinds].join(";"),
                identifiers: rng.random_range(1..=12u32).to_string(),
                approver_role: profile.approver.to_owned(),
                approved_on: iso(approved),
                outcome: outcome.to_owned(),
                confidential_ground: if confidential {
                    "GIDA-18-2".into()
                } else {
                    String::new()
                },
                confidential_until: if confidential {
                    iso(sent + Duration::days(540))
                } else {
                    String::new()
                },
            };
            requests.push(
                row.validate(&agency, today)
                    .map_err(|errors| invalid(format!("{}: {errors:?}", row.reference)))?,
            );
        }
    }
    requests.sort_by(|a, b| {
        (a.requested_on, &a.agency, &a.reference).cmp(&(b.requested_on, &b.agency, &b.reference))
    });
    Ok(requests)
}

fn iso(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn invalid(reason: String) -> SeedError {
    SeedError::InvalidWorld {
        data_file: "src/provider_requests.rs",
        reason,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn two_years_of_four_agencies_deterministically() {
        let today = date!(2026 - 06 - 30);
        let requests = provider_requests(today).unwrap();
        assert_eq!(requests.len(), 640);
        assert_eq!(requests, provider_requests(today).unwrap());
        let agencies: std::collections::BTreeSet<&str> =
            requests.iter().map(|r| r.agency.as_str()).collect();
        assert_eq!(
            agencies.into_iter().collect::<Vec<_>>(),
            ["MOA", "MOEA", "MOF", "MOHW"]
        );
        assert!(requests.iter().any(|r| r.confidential.is_some()));
        assert!(requests.iter().all(|r| r.requested_on < today));
        assert!(
            requests
                .iter()
                .all(|r| r.requested_on >= today - Duration::days(DAYS))
        );
    }
}
