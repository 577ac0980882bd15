//! The file and agency registers through the API, in-process: reading with codes resolved,
//! searching with filters, registering with every validation rule reported, and versioning.

mod api_support;

use api_support::{Call, LIBRARY_PATRONS_JSON, NHI_CLAIMS_JSON, World, submission};
use lantern_store::{Change, RegisterStore};
use serde_json::{Value, json};

fn pairs(rules: &[(&str, &str)]) -> Vec<(String, String)> {
    rules
        .iter()
        .map(|(field, rule)| ((*field).to_owned(), (*rule).to_owned()))
        .collect()
}

/// Registers the NHI claims file again, under a new id, edited by `edit`, as MOHW-NHIA.
async fn register_edited_nhi(world: &World, edit: impl FnOnce(&mut Value)) -> api_support::Answer {
    let token = world.token("MOHW-NHIA").await;
    let body = submission(NHI_CLAIMS_JSON, |file| {
        file["id"] = json!("nhi-claims-copy");
        edit(file);
    });
    world
        .send(Call::post("/api/v1/files").bearer(&token).json(&body))
        .await
}

#[tokio::test]
async fn an_unknown_purpose_code_is_named() {
    let world = World::new().await;
    let answer = register_edited_nhi(&world, |file| {
        file["purposes"][1] = json!({ "code": "999" });
    })
    .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[("purposes[1].code", "unknown_code")])
    );
}

#[tokio::test]
async fn an_unknown_category_code_is_named() {
    let world = World::new().await;
    let answer = register_edited_nhi(&world, |file| {
        file["categories"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "code": "C999" }));
    })
    .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[("categories[3].code", "unknown_code")])
    );
}

#[tokio::test]
async fn sensitive_data_needs_an_art6_basis() {
    let world = World::new().await;
    let answer =
        register_edited_nhi(&world, |file| file["sensitive"]["legal_bases"] = json!([])).await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[("sensitive.legal_bases", "sensitive_data_needs_art6_basis")])
    );
}

#[tokio::test]
async fn a_large_database_must_disclose_everything() {
    let world = World::new().await;
    let answer = register_edited_nhi(&world, |file| {
        let db = file["large_database"].as_object_mut().unwrap();
        db.remove("retention");
        db.remove("subject_rights");
        db.remove("open_data");
    })
    .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[
            ("large_database.retention", "disclosure_required"),
            ("large_database.subject_rights", "disclosure_required"),
            ("large_database.open_data", "disclosure_required"),
        ])
    );
    // Every rule is reported at once, with a message a person can act on.
    let problem = answer.json();
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["message"].as_str().unwrap().is_empty())
    );
}

#[tokio::test]
async fn errors_found_by_the_server_and_by_the_rules_come_together() {
    let world = World::new().await;
    let answer = register_edited_nhi(&world, |file| {
        file["id"] = json!("Not An Id");
        file["name_zh"] = json!("");
    })
    .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[("id", "format"), ("name_zh", "disclosure_required")])
    );
}

#[tokio::test]
async fn registering_a_file_answers_201_with_its_address() {
    let world = World::new().await;
    let token = world.token("TPE-LIB").await;
    let body = submission(LIBRARY_PATRONS_JSON, |_| {});
    let answer = world
        .send(Call::post("/api/v1/files").bearer(&token).json(&body))
        .await;
    let created = answer.ok(201);
    let id = created["id"].as_str().unwrap().to_owned();
    // A generated id: f- and ten lowercase base32 characters.
    assert_eq!(id.len(), 12, "{id}");
    assert!(
        id.starts_with("f-")
            && id[2..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)),
        "{id}"
    );
    assert_eq!(
        answer.header("location"),
        Some(format!("/api/v1/files/{id}").as_str())
    );
    assert_eq!(answer.header("etag"), Some("\"1\""));
    assert_eq!(created["agency"]["code"], "TPE-LIB");
    assert_eq!(created["version"], 1);
    assert_eq!(created["versions"][0]["changed_fields"], json!([]));
    assert!(
        created["updated_by"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );

    let read = world
        .send(Call::get(&format!("/api/v1/files/{id}")))
        .await
        .ok(200);
    assert_eq!(read, created);
}

#[tokio::test]
async fn a_chosen_id_that_is_taken_is_a_conflict() {
    let world = World::new().await;
    let token = world.token("MOF-TAX").await;
    let body = submission(LIBRARY_PATRONS_JSON, |file| {
        file["id"] = json!("tax-returns");
    });
    let problem = world
        .send(Call::post("/api/v1/files").bearer(&token).json(&body))
        .await
        .problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("tax-returns"));
}

#[tokio::test]
async fn a_file_is_registered_for_the_callers_agency_only() {
    let world = World::new().await;
    let token = world.token("TPE-LIB").await;
    let elsewhere = submission(LIBRARY_PATRONS_JSON, |file| {
        file["agency"] = json!("TPE-HOSP");
    });
    world
        .send(Call::post("/api/v1/files").bearer(&token).json(&elsewhere))
        .await
        .problem(403);
    let own = submission(LIBRARY_PATRONS_JSON, |file| {
        file["agency"] = json!("TPE-LIB");
    });
    world
        .send(Call::post("/api/v1/files").bearer(&token).json(&own))
        .await
        .ok(201);
    let malformed = submission(LIBRARY_PATRONS_JSON, |file| {
        file["agency"] = json!("tpe lib");
    });
    let answer = world
        .send(Call::post("/api/v1/files").bearer(&token).json(&malformed))
        .await;
    assert_eq!(answer.broken_rules(), pairs(&[("agency", "format")]));
}

#[tokio::test]
async fn every_change_is_a_version_with_who_when_and_what() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let before = world
        .send(Call::get("/api/v1/files/nhi-claims"))
        .await
        .ok(200);
    assert_eq!(before["version"], 1);

    let edited = submission(NHI_CLAIMS_JSON, |file| {
        file["description"] = json!("新的說明");
        file["large_database"]["retention"] = json!("保存15年");
    });
    let answer = world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .json(&edited),
        )
        .await;
    let after = answer.ok(200);
    assert_eq!(answer.header("etag"), Some("\"2\""));
    assert_eq!(after["version"], 2);
    assert_eq!(after["description"], "新的說明");
    let versions = after["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["changed_by"], "user:seed");
    assert_eq!(
        versions[1]["changed_fields"],
        json!(["description", "large_database"])
    );
    assert!(
        versions[1]["changed_by"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );
    assert!(
        versions[1]["changed_at"].as_str().unwrap() >= versions[0]["changed_at"].as_str().unwrap()
    );

    let old = world
        .send(Call::get("/api/v1/files/nhi-claims?version=1"))
        .await
        .ok(200);
    assert_eq!(old["version"], 1);
    assert_eq!(old["description"], before["description"]);
    assert_eq!(old["versions"], after["versions"]);
    let current = world
        .send(Call::get("/api/v1/files/nhi-claims"))
        .await
        .ok(200);
    assert_eq!(current["description"], "新的說明");

    world
        .send(Call::get("/api/v1/files/nhi-claims?version=3"))
        .await
        .problem(404);
    let answer = world
        .send(Call::get("/api/v1/files/nhi-claims?version=0"))
        .await;
    assert_eq!(answer.broken_rules(), pairs(&[("version", "format")]));
}

#[tokio::test]
async fn if_match_guards_against_lost_updates() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let first = submission(NHI_CLAIMS_JSON, |file| {
        file["description"] = json!("第一次修改");
    });
    let second = submission(NHI_CLAIMS_JSON, |file| {
        file["description"] = json!("第二次修改");
    });
    let put = |body: &Value, if_match: &str| {
        Call::put("/api/v1/files/nhi-claims")
            .bearer(&token)
            .header("if-match", if_match)
            .json(body)
    };

    world.send(put(&first, "\"1\"")).await.ok(200);
    // Based on version 1, which is no longer current.
    world.send(put(&second, "\"1\"")).await.problem(412);
    assert_eq!(
        world.stored_file("nhi-claims").await.value.description,
        "第一次修改"
    );
    // Retrying the change that was already made is harmless.
    assert_eq!(world.send(put(&first, "\"1\"")).await.ok(200)["version"], 2);
    world.send(put(&second, "\"2\"")).await.ok(200);
    world.send(put(&second, "*")).await.ok(200);
    world.send(put(&second, "three")).await.problem(400);
}

#[tokio::test]
async fn replacing_checks_the_id_and_the_file() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let other_id = submission(NHI_CLAIMS_JSON, |file| file["id"] = json!("other"));
    let answer = world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .json(&other_id),
        )
        .await;
    assert_eq!(answer.broken_rules(), pairs(&[("id", "unknown_reference")]));
    let body = submission(NHI_CLAIMS_JSON, |_| {});
    world
        .send(
            Call::put("/api/v1/files/no-such-file")
                .bearer(&token)
                .json(&body),
        )
        .await
        .problem(404);
    world
        .send(
            Call::put("/api/v1/files/NOT_AN_ID")
                .bearer(&token)
                .json(&body),
        )
        .await
        .problem(404);
}

#[tokio::test]
async fn a_file_shows_every_disclosure_with_codes_resolved() {
    let world = World::new().await;
    let file = world
        .send(Call::get("/api/v1/files/nhi-claims"))
        .await
        .ok(200);
    assert_eq!(file["agency"]["code"], "MOHW-NHIA");
    assert_eq!(file["agency"]["name_zh"], "衛生福利部中央健康保險署");
    assert_eq!(file["purposes"][0]["code"], "031");
    assert_eq!(file["purposes"][0]["listed"], true);
    assert!(
        file["purposes"][0]["name_zh"]
            .as_str()
            .is_some_and(|name| !name.is_empty())
    );
    assert_eq!(file["categories"][0]["code"], "C001");
    assert_eq!(file["legal_basis"]["pdpa"][0]["code"], "PDPA-15-1");
    assert!(
        file["legal_basis"]["pdpa"][0]["summary_zh"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(file["sensitive"]["kinds"][0]["code"], "medical_records");
    assert_eq!(file["sensitive"]["kinds"][0]["name_zh"], "病歷");
    assert_eq!(file["sensitive"]["legal_bases"][0]["article"], 6);
    let db = &file["large_database"];
    assert_eq!(db["record_count"], 4_200_000_000_u64);
    assert_eq!(db["out_of_purpose"]["legal_bases"][0]["code"], "PDPA-16-P5");
    assert_eq!(
        db["subject_rights"]["contact"]["unit"],
        "健保署個資保護窗口"
    );
    assert_eq!(db["open_data"]["state"], "partial");
    assert_eq!(file["updated_by"], "user:seed");

    let library = world
        .send(Call::get("/api/v1/files/library-patrons"))
        .await
        .ok(200);
    assert_eq!(
        library["purposes"][1],
        json!({ "description": "館際互借服務" })
    );
    assert_eq!(library["sensitive"], Value::Null);
    assert_eq!(library["large_database"], Value::Null);
    world
        .send(Call::get("/api/v1/files/no-such-file"))
        .await
        .problem(404);
}

#[tokio::test]
async fn the_register_is_searched_with_filters() {
    let world = World::new().await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = world.send(Call::get("/api/v1/files")).await.ok(200);
    assert_eq!(
        (
            all["total"].as_u64(),
            all["limit"].as_u64(),
            all["offset"].as_u64()
        ),
        (Some(5), Some(50), Some(0))
    );
    assert!(
        all["items"][0]["legal_basis"]["pdpa"].is_array(),
        "items are full files"
    );

    let large = world
        .send(Call::get("/api/v1/files?large_database=true"))
        .await
        .ok(200);
    assert_eq!(ids(&large), ["nhi-claims", "household-registry"]);
    let sensitive_small = world
        .send(Call::get(
            "/api/v1/files?sensitive=true&large_database=false",
        ))
        .await
        .ok(200);
    assert_eq!(ids(&sensitive_small), ["hospital-appointments"]);
    let by_purpose = world
        .send(Call::get("/api/v1/files?purpose=031"))
        .await
        .ok(200);
    assert_eq!(ids(&by_purpose), ["nhi-claims"]);
    let by_agency = world
        .send(Call::get("/api/v1/files?agency=MOF-TAX&category=C081"))
        .await
        .ok(200);
    assert_eq!(ids(&by_agency), ["tax-returns"]);
    let page = world
        .send(Call::get("/api/v1/files?limit=2&offset=1"))
        .await
        .ok(200);
    assert_eq!((ids(&page).len(), page["total"].as_u64()), (2, Some(5)));
    let text = world
        .send(Call::get("/api/v1/files?q=%E5%81%A5%E4%BF%9D"))
        .await
        .ok(200);
    assert!(ids(&text).contains(&"nhi-claims".to_owned()));

    let answer = world
        .send(Call::get(
            "/api/v1/files?purpose=999&sensitive=maybe&limit=501",
        ))
        .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[
            ("purpose", "unknown_code"),
            ("sensitive", "format"),
            ("limit", "format")
        ])
    );
    let answer = world
        .send(Call::get("/api/v1/files?large_database=yes&category=C0"))
        .await;
    assert_eq!(
        answer.broken_rules(),
        pairs(&[("category", "format"), ("large_database", "format")])
    );
}

#[tokio::test]
async fn agencies_show_their_tree_and_files() {
    let world = World::new().await;
    let list = world.send(Call::get("/api/v1/agencies")).await.ok(200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let nhia = items.iter().find(|a| a["code"] == "MOHW-NHIA").unwrap();
    assert_eq!(nhia["supervisor"]["code"], "MOHW");
    assert_eq!(nhia["supervisor"]["name_zh"], "衛生福利部");
    assert_eq!(nhia["file_count"], 1);
    let ey = items.iter().find(|a| a["code"] == "EY").unwrap();
    assert_eq!(
        (&ey["supervisor"], &ey["file_count"]),
        (&Value::Null, &json!(0))
    );

    let mohw = world.send(Call::get("/api/v1/agencies/MOHW")).await.ok(200);
    assert_eq!(mohw["supervisor"]["code"], "EY");
    assert_eq!(
        mohw["subordinates"],
        json!([{ "code": "MOHW-NHIA", "name_zh": "衛生福利部中央健康保險署", "name_en": "" }])
    );
    assert_eq!(mohw["files"], json!([]));
    assert_eq!(mohw["version"], 1);
    assert_eq!(mohw["kind"], "central");
    let nhia = world
        .send(Call::get("/api/v1/agencies/MOHW-NHIA"))
        .await
        .ok(200);
    assert_eq!(nhia["files"][0]["id"], "nhi-claims");
    assert_eq!(nhia["subordinates"], json!([]));

    world
        .send(Call::get("/api/v1/agencies/NOPE"))
        .await
        .problem(404);
    world
        .send(Call::get("/api/v1/agencies/not%20a%20code"))
        .await
        .problem(404);
}

#[tokio::test]
async fn agency_changes_are_versions_with_who_when_and_what() {
    let world = World::new().await;
    let nhia = api_support::code("MOHW-NHIA");
    let mut changed = world.store.agency(&nhia).await.unwrap().unwrap().value;
    let before = world
        .send(Call::get("/api/v1/agencies/MOHW-NHIA"))
        .await
        .ok(200);
    assert_eq!(before["version"], 1);
    assert_eq!(before["versions"].as_array().unwrap().len(), 1);
    assert_eq!(before["versions"][0]["changed_fields"], json!([]));

    changed.name_en = "National Health Insurance Administration".into();
    changed.contact.phone = "02-2706-5866".into();
    let at = time::OffsetDateTime::now_utc();
    world
        .store
        .put_agency(
            &changed,
            &Change {
                actor: "user:admin".into(),
                at,
            },
        )
        .await
        .unwrap();

    let after = world
        .send(Call::get("/api/v1/agencies/MOHW-NHIA"))
        .await
        .ok(200);
    assert_eq!(after["version"], 2);
    assert_eq!(after["name_en"], "National Health Insurance Administration");
    assert_eq!(after["updated_by"], "user:admin");
    let versions = after["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[1]["changed_by"], "user:admin");
    assert_eq!(versions[1]["changed_fields"], json!(["name_en", "contact"]));
    assert!(
        versions[1]["changed_at"].as_str().unwrap() >= versions[0]["changed_at"].as_str().unwrap()
    );

    let old = world
        .send(Call::get("/api/v1/agencies/MOHW-NHIA?version=1"))
        .await
        .ok(200);
    assert_eq!(old["version"], 1);
    assert_eq!(old["name_en"], before["name_en"]);
    assert_eq!(old["contact"], before["contact"]);
    assert_eq!(old["updated_by"], before["updated_by"]);
    assert_eq!(old["versions"], after["versions"]);
    assert_eq!(old["files"], after["files"]);
}

#[tokio::test]
async fn agency_versions_that_do_not_exist_or_are_malformed_are_problems() {
    let world = World::new().await;
    let problem = world
        .send(Call::get("/api/v1/agencies/MOHW?version=2"))
        .await
        .problem(404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("has no version 2")
    );
    world
        .send(Call::get("/api/v1/agencies/NOPE?version=1"))
        .await
        .problem(404);
    for bad in ["abc", "0", "-1", "1.5"] {
        let answer = world
            .send(Call::get(&format!("/api/v1/agencies/MOHW?version={bad}")))
            .await;
        assert_eq!(
            answer.broken_rules(),
            pairs(&[("version", "format")]),
            "version={bad}"
        );
    }
    world
        .send(Call::get("/api/v1/agencies/MOHW?version=1&version=2"))
        .await
        .problem(400);
    world
        .send(Call::get("/api/v1/agencies/MOHW?revision=1"))
        .await
        .problem(400);
}
