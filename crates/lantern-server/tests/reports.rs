//! Transparency reports over the demo world: the pages, every figure's reason where withheld,
//! the CSV and JSON downloads, the catalogue and schema, the nation's figures as sums of the
//! agencies', and the disclosure rules taking effect.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

#[allow(dead_code, reason = "the support module serves several test binaries")]
mod pages_support;

use axum::http::StatusCode;
use lantern_domain::report::{Period, TABLE_IDS};
use lantern_server::report::RULES_SETTING;
use pages_support::World;
use serde_json::Value;
use time::OffsetDateTime;

/// The latest half-year that has ended.
fn latest_half() -> Period {
    Period::ended(
        time::macros::date!(2020 - 01 - 01),
        OffsetDateTime::now_utc().date(),
    )
    .into_iter()
    .find(|p| p.half.is_some())
    .unwrap()
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn the_latest_report_shows_every_figure_and_why_some_are_withheld() {
    let world = World::new().await;
    let period = latest_half();
    let index = world.get("/reports").await;
    index.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&index);
    index.assert_contains(&[&format!("/reports/{period}")]);

    let page = world.get(&format!("/reports/{period}")).await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);
    page.assert_contains(&[
        "重點摘要",
        "大型資料庫利用次數",
        "各機關向網路業者調取資料",
        "依業者類別",
        "role=\"img\"",
        ".csv",
        "/open-data/catalog.jsonld",
        "犯罪偵查之調取",
    ]);
    let english = world.get(&format!("/reports/{period}?lang=en")).await;
    english.assert_contains(&["In brief", "Requests to online providers, by agency"]);

    let report = json(
        &world
            .get(&format!("/reports/{period}/report.json"))
            .await
            .body,
    );
    assert_eq!(report["period"], period.to_string());
    assert_eq!(report["tables"].as_array().unwrap().len(), TABLE_IDS.len());
    let by_agency = &report["tables"][2];
    let agencies: Vec<&str> = by_agency["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(agencies, ["MOA", "MOEA", "MOF", "MOHW"]);
    // Every figure that is not exact says why.
    for table in report["tables"].as_array().unwrap() {
        for row in table["rows"].as_array().unwrap() {
            for figure in row["figures"].as_array().unwrap() {
                let exact = figure["value"].is_u64();
                assert_eq!(
                    exact,
                    figure["reasons"].as_array().unwrap().is_empty(),
                    "{figure}"
                );
            }
        }
    }
    // A small count is banded, with its reason.
    let all: Vec<&Value> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap())
        .flat_map(|r| r["figures"].as_array().unwrap())
        .collect();
    assert!(
        all.iter()
            .any(|f| f["display"] == "1-9" && f["reasons"][0]["kind"] == "small_count")
    );

    // Downloads: CSV with BOM and the figures' bounds; JSON per table.
    let csv = world
        .get(&format!(
            "/reports/{period}/provider-requests-by-sector.csv"
        ))
        .await;
    csv.assert_status(StatusCode::OK);
    assert!(csv.body.starts_with(
        "\u{feff}key,name_zh,name_en,requests,requests_low,requests_high,requests_reason"
    ));
    assert!(csv.body.contains("\r\ntotal,合計,Total,"));
    let table = json(
        &world
            .get(&format!("/reports/{period}/large-database-usage.json"))
            .await
            .body,
    );
    assert_eq!(table["id"], "large-database-usage");
    assert_eq!(
        table["rows"].as_array().unwrap().len(),
        5,
        "the five large databases"
    );
    let requests = json(
        &world
            .get(&format!("/reports/{period}/data-requests-by-file.json"))
            .await
            .body,
    );
    assert!(
        requests["rows"].as_array().unwrap().len() >= 5,
        "every large database"
    );
    let year = json(
        &world
            .get(&format!(
                "/reports/{}/data-requests-by-file.json",
                period.year - 1
            ))
            .await
            .body,
    );
    let received = &year["total"][0];
    assert!(
        received["low"].as_u64().unwrap() > 0,
        "the demo's requests: {received}"
    );
    world
        .get(&format!("/reports/{period}/no-such-table.csv"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn national_figures_are_the_sums_of_the_agencies_published_ones() {
    let world = World::new().await;
    let period = latest_half();
    let national = json(
        &world
            .get(&format!(
                "/reports/{period}/provider-requests-by-sector.json"
            ))
            .await
            .body,
    );
    let mut sums: std::collections::BTreeMap<String, (u64, Option<u64>)> = Default::default();
    for agency in ["MOA", "MOEA", "MOF", "MOHW"] {
        let page = world.get(&format!("/reports/{period}/{agency}")).await;
        page.assert_status(StatusCode::OK);
        pages_support::assert_well_formed(&page);
        let table = json(
            &world
                .get(&format!(
                    "/reports/{period}/{agency}/provider-requests-by-sector.json"
                ))
                .await
                .body,
        );
        assert_eq!(table["scope"], agency);
        for row in table["rows"].as_array().unwrap() {
            let figure = &row["figures"][0];
            let entry = sums
                .entry(row["key"].as_str().unwrap().to_owned())
                .or_insert((0, Some(0)));
            entry.0 += figure["low"].as_u64().unwrap();
            entry.1 = match (entry.1, figure["high"].as_u64()) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
    }
    for row in national["rows"].as_array().unwrap() {
        let key = row["key"].as_str().unwrap();
        let figure = &row["figures"][0];
        assert_eq!(
            (figure["low"].as_u64().unwrap(), figure["high"].as_u64()),
            sums[key],
            "{key}"
        );
    }
    world
        .get(&format!("/reports/{period}/NO-SUCH"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    world
        .get("/reports/2999-H1")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    world
        .get("/reports/last-year")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalogue_lists_every_table_of_every_period_with_its_schema() {
    let world = World::new().await;
    let catalogue = world.get("/open-data/catalog.jsonld").await;
    catalogue.assert_status(StatusCode::OK);
    let catalogue = json(&catalogue.body);
    let datasets = catalogue["dcat:dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), TABLE_IDS.len());
    for dataset in datasets {
        for field in [
            "dct:title",
            "dct:description",
            "dct:publisher",
            "dct:accrualPeriodicity",
            "dct:license",
            "datagovtw:encoding",
            "datagovtw:fields",
        ] {
            assert!(dataset[field].is_string(), "{field} in {dataset}");
        }
        let first = &dataset["dcat:distribution"][0];
        let url = first["dcat:downloadURL"].as_str().unwrap();
        world.get(url).await.assert_status(StatusCode::OK);
    }
    let schema = json(&world.get("/open-data/schema/report-table.json").await.body);
    assert_eq!(schema["title"], "Lantern report table");
}

#[tokio::test]
async fn the_disclosure_rules_in_force_shape_every_figure() {
    let world = World::new().await;
    let period = latest_half();
    world
        .state
        .store
        .put_setting(
            RULES_SETTING,
            r#"{"band_below": 0, "include_criminal": true}"#,
        )
        .await
        .unwrap();
    let report = json(
        &world
            .get(&format!("/reports/{period}/report.json"))
            .await
            .body,
    );
    assert_eq!(report["band_below"], 0);
    assert_eq!(report["includes_criminal_investigations"], true);
    let banded = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap())
        .flat_map(|r| r["figures"].as_array().unwrap())
        .any(|f| {
            f["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "small_count")
        });
    assert!(!banded, "banding is off");
}
