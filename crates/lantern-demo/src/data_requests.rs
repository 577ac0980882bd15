//! Two years of requests between agencies to use the five large databases outside their
//! purposes (PDPA Art. 16 proviso, or Art. 6 for sensitive data), generated from a seed and
//! validated as the API validates them: filed, most decided (approved, approved in part or
//! refused, with reasons), and the older approvals delivered — each delivery logged as one
//! `disclose` event per person, in the demo citizens' footprints.

use lantern_domain::{
    Agency, DataRequest, DataRequestSubmission, Decision, DecisionSubmission, Delivery,
    PersonalDataFile, RequestId,
};
use lantern_usage::EventSubmission;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::SeedError;
use crate::citizens::DemoCitizen;

/// The generator's seed.
const SEED: u64 = 0x4441_5441_5245_5153;

/// Requests per large database.
const PER_DATABASE: u32 = 6;

/// Agencies that ask, in turn.
const REQUESTERS: [&str; 6] = ["MOI", "MOL", "MOE", "NDC", "MOF", "MOHW"];

/// One generated request and what became of it.
pub(crate) struct DemoRequest {
    /// The request as filed.
    pub(crate) request: DataRequest,
    /// The decision, when taken.
    pub(crate) decision: Option<Decision>,
    /// The delivery and its events, when delivered.
    pub(crate) delivery: Option<(Delivery, Vec<EventSubmission>)>,
}

/// The demo's requests up to `now`, against the large databases among `files`.
///
/// # Errors
/// [`SeedError::InvalidWorld`] when a generated request breaks a rule (a defect here).
pub(crate) fn data_requests(
    agencies: &[Agency],
    files: &[PersonalDataFile],
    citizens: &[DemoCitizen],
    now: OffsetDateTime,
) -> Result<Vec<DemoRequest>, SeedError> {
    let today = now.date();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut out = Vec::new();
    let mut serial = 0u64;
    for file in files.iter().filter(|f| f.large_database.is_some()) {
        let requesters: Vec<&Agency> = REQUESTERS
            .iter()
            .filter_map(|code| agencies.iter().find(|a| a.code.as_str() == *code))
            .filter(|a| a.code != file.agency)
            .collect();
        for n in 0..PER_DATABASE {
            serial += 1;
            let requester = requesters[n as usize % requesters.len()];
            let filed_on = today - Duration::days(rng.random_range(20..720));
            let sensitive = file.has_sensitive_data();
            let basis = if sensitive { "PDPA-6-P4" } else { "PDPA-16-P5" };
            let citation = if sensitive {
                "個人資料保護法第 6 條第 1 項但書第 4 款"
            } else {
                "個人資料保護法第 16 條但書第 5 款"
            };
            let categories: Vec<String> = file
                .category_codes()
                .take(2)
                .map(|c| c.as_str().to_owned())
                .collect();
            let asked: u64 = rng.random_range(20..60);
            let id = RequestId::parse(&format!("00000000-0000-4000-9000-{serial:012x}"))
                .map_err(|e| invalid(e.to_owned()))?;
            let request = DataRequestSubmission {
                file: file.id.to_string(),
                purpose: "157".into(),
                legal_basis: basis.into(),
                legal_citation: citation.into(),
                categories,
                subjects: asked.to_string(),
                population: String::new(),
                consent_evidence: String::new(),
                retention: "研究結束後一年內刪除".into(),
                security: "去識別化後於隔離之分析環境處理，僅限核定人員存取".into(),
                recipients: format!("{}研究人員", requester.name_zh),
            }
            .validate(id, requester.code.clone(), Some(file), filed_on)
            .map_err(|errors| invalid(format!("request {serial}: {errors:?}")))?;

            let decided_on = filed_on + Duration::days(rng.random_range(7..30));
            let decision = if decided_on < today && rng.random_range(0..10) < 9 {
                let (outcome, approved) = match rng.random_range(0..10) {
                    0..6 => ("approve", String::new()),
                    6..8 => ("approve_in_part", (asked / 2).to_string()),
                    _ => ("refuse", String::new()),
                };
                let reasons = match outcome {
                    "refuse" => "申請目的可由已公開之統計資料達成，目的外利用非屬必要。",
                    "approve_in_part" => "僅核准與研究目的直接相關之半數對象；其餘非屬必要。",
                    _ => "符合法定要件，資料經去識別化處理後提供。",
                };
                Some(
                    DecisionSubmission {
                        outcome: outcome.into(),
                        reasons: reasons.into(),
                        approved_subjects: approved,
                    }
                    .validate(&request, "user:demo-dpo".into(), decided_on)
                    .map_err(|errors| invalid(format!("decision {serial}: {errors:?}")))?,
                )
            } else {
                None
            };
            let delivered_on = decided_on + Duration::days(5);
            let delivery = match &decision {
                Some(d) if d.outcome.approves() && delivered_on < today => {
                    let people = d.approved_subjects.or(request.subjects).unwrap_or(0);
                    let events = citizens
                        .iter()
                        .take(usize::try_from(people).unwrap_or(0))
                        .enumerate()
                        .map(|(i, citizen)| event(&request, citizen, delivered_on, serial, i))
                        .collect::<Result<Vec<_>, _>>()?;
                    let delivery = Delivery {
                        delivered_on,
                        subjects: events.len() as u64,
                        release: false,
                    };
                    Some((delivery, events))
                }
                _ => None,
            };
            out.push(DemoRequest {
                request,
                decision,
                delivery,
            });
        }
    }
    Ok(out)
}

/// The `disclose` event of one person of a delivery.
fn event(
    request: &DataRequest,
    citizen: &DemoCitizen,
    day: Date,
    serial: u64,
    person: usize,
) -> Result<EventSubmission, SeedError> {
    let at = day
        .with_time(Time::from_hms(3, 0, 0).map_err(|e| invalid(e.to_string()))?)
        .assume_utc();
    Ok(EventSubmission {
        id: format!("00000000-0000-4000-a100-{:06x}{person:06x}", serial),
        occurred_at: at.format(&Rfc3339).map_err(|e| invalid(e.to_string()))?,
        file: request.file.to_string(),
        subject: citizen.id.expose().to_owned(),
        action: "disclose".into(),
        purpose: request.purpose.as_str().to_owned(),
        categories: request
            .categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        legal_basis: request.legal_basis.to_string(),
        legal_citation: Some(request.legal_citation.clone()),
        recipient: Some(request.requester.to_string()),
        reference: Some(format!("data-request:{}", request.id.as_str())),
        actor: Some("system:demo".into()),
        records: 1,
        confidential: None,
    })
}

fn invalid(reason: String) -> SeedError {
    SeedError::InvalidWorld {
        data_file: "src/data_requests.rs",
        reason,
    }
}
