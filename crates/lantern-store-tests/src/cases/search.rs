//! Searching the file register: every filter, their combination, current versions only,
//! ordering, paging and the page cap.

use lantern_domain::{DataCategoryCode, PersonalDataFile, PurposeCode};
use lantern_store::{FileQuery, MAX_PAGE, Store};

use crate::fixtures::{
    change, code, file_id, files, library_patrons, nhi_claims, seed_agencies, seed_files,
};

/// The ids of a search's page, asserting that `total` counts exactly the page (the suite's
/// filters match fewer files than a page holds).
async fn ids(store: &dyn Store, query: FileQuery) -> Vec<String> {
    let query = FileQuery {
        limit: 100,
        ..query
    };
    let page = store.search_files(&query).await.expect("search_files");
    assert_eq!(page.total, page.items.len() as u64, "total of {query:?}");
    page.items
        .into_iter()
        .map(|f| f.value.id.as_str().to_owned())
        .collect()
}

fn text(words: &str) -> FileQuery {
    FileQuery {
        text: Some(words.to_owned()),
        ..FileQuery::default()
    }
}

fn purpose(raw: &str) -> FileQuery {
    FileQuery {
        purpose: Some(PurposeCode::parse(raw).expect("purpose code")),
        ..FileQuery::default()
    }
}

fn category(raw: &str) -> FileQuery {
    FileQuery {
        category: Some(DataCategoryCode::parse(raw).expect("category code")),
        ..FileQuery::default()
    }
}

/// Text matches names and description, case-insensitively, as substrings (so Chinese needs no
/// word breaks); every word must match; SQL wildcards are plain characters.
pub async fn by_text(store: &dyn Store) {
    seed_files(store).await;
    assert_eq!(ids(store, text("national health")).await, ["nhi-claims"]);
    assert_eq!(ids(store, text("NATIONAL Health")).await, ["nhi-claims"]);
    assert_eq!(
        ids(store, text("健保")).await,
        ["nhi-claims"],
        "a word inside the description"
    );
    assert_eq!(ids(store, text("戶籍")).await, ["household-registry"]);
    assert_eq!(ids(store, text("醫院")).await, ["hospital-appointments"]);
    assert_eq!(
        ids(store, text("records")).await,
        ["household-registry", "library-patrons"]
    );
    assert_eq!(
        ids(store, text(" library   RECORDS ")).await,
        ["library-patrons"]
    );
    assert!(
        ids(store, text("health library")).await.is_empty(),
        "every word must match"
    );
    assert!(
        ids(store, text("nhi-claims")).await.is_empty(),
        "ids are not searched"
    );
    assert_eq!(ids(store, text("5%")).await, ["library-patrons"]);
    assert_eq!(
        ids(store, text("%")).await,
        ["library-patrons"],
        "% is not a wildcard"
    );
    assert!(
        ids(store, text("_")).await.is_empty(),
        "_ is not a wildcard"
    );
    assert!(
        ids(store, text("資料national")).await.is_empty(),
        "a word does not span two fields"
    );
    assert_eq!(
        ids(store, text("  ")).await.len(),
        5,
        "blank text filters nothing"
    );
}

/// Text also matches non-ASCII letters whatever their case.
pub async fn by_text_folds_non_ascii_case(store: &dyn Store) {
    seed_agencies(store).await;
    let mut file = library_patrons();
    file.name_en = "Bibliothèque ÉCOLE Records".into();
    store
        .create_file(&file, &change("user:alice", 0))
        .await
        .expect("create_file");
    assert_eq!(ids(store, text("école")).await, ["library-patrons"]);
    assert_eq!(ids(store, text("BIBLIOTHÈQUE")).await, ["library-patrons"]);
}

/// The agency filter matches the holding agency exactly (not its supervisor, not a prefix).
pub async fn by_agency(store: &dyn Store) {
    seed_files(store).await;
    let agency = |raw: &str| FileQuery {
        agency: Some(code(raw)),
        ..FileQuery::default()
    };
    assert_eq!(ids(store, agency("MOF-TAX")).await, ["tax-returns"]);
    assert_eq!(ids(store, agency("TPE-LIB")).await, ["library-patrons"]);
    assert!(ids(store, agency("MOF")).await.is_empty());
    assert!(ids(store, agency("NOPE")).await.is_empty());
}

/// The purpose filter matches any of a file's purpose codes.
pub async fn by_purpose(store: &dyn Store) {
    seed_files(store).await;
    assert_eq!(
        ids(store, purpose("012")).await,
        ["nhi-claims", "hospital-appointments"]
    );
    assert_eq!(
        ids(store, purpose("038")).await,
        ["tax-returns", "household-registry"]
    );
    assert_eq!(ids(store, purpose("109")).await, ["library-patrons"]);
    assert!(ids(store, purpose("182")).await.is_empty());
}

/// The category filter matches any of a file's category codes.
pub async fn by_category(store: &dyn Store) {
    seed_files(store).await;
    assert_eq!(
        ids(store, category("C111")).await,
        ["nhi-claims", "hospital-appointments"]
    );
    assert_eq!(
        ids(store, category("C003")).await,
        ["nhi-claims", "household-registry"]
    );
    assert_eq!(ids(store, category("C001")).await.len(), 5);
    assert!(ids(store, category("C199")).await.is_empty());
}

/// The sensitive filter splits files by whether they hold Art. 6 data.
pub async fn by_sensitive(store: &dyn Store) {
    seed_files(store).await;
    let sensitive = |s| FileQuery {
        sensitive: Some(s),
        ..FileQuery::default()
    };
    assert_eq!(
        ids(store, sensitive(true)).await,
        ["nhi-claims", "hospital-appointments"]
    );
    assert_eq!(
        ids(store, sensitive(false)).await,
        ["tax-returns", "household-registry", "library-patrons"]
    );
}

/// The large-database filter splits files by whether they are large databases.
pub async fn by_large_database(store: &dyn Store) {
    seed_files(store).await;
    let large = |l| FileQuery {
        large_database: Some(l),
        ..FileQuery::default()
    };
    assert_eq!(
        ids(store, large(true)).await,
        ["nhi-claims", "household-registry"]
    );
    assert_eq!(
        ids(store, large(false)).await,
        ["tax-returns", "hospital-appointments", "library-patrons"]
    );
}

/// Every filter that is set must match.
pub async fn filters_combine(store: &dyn Store) {
    seed_files(store).await;
    let query = FileQuery {
        sensitive: Some(true),
        large_database: Some(false),
        ..FileQuery::default()
    };
    assert_eq!(ids(store, query).await, ["hospital-appointments"]);
    let query = FileQuery {
        agency: Some(code("MOI-HRA")),
        ..purpose("038")
    };
    assert_eq!(ids(store, query).await, ["household-registry"]);
    let query = FileQuery {
        category: Some(DataCategoryCode::parse("C003").expect("code")),
        ..purpose("038")
    };
    assert_eq!(ids(store, query).await, ["household-registry"]);
    let query = FileQuery {
        text: Some("醫療".into()),
        sensitive: Some(true),
        ..category("C111")
    };
    assert_eq!(ids(store, query).await, ["nhi-claims"]);
    let query = FileQuery {
        agency: Some(code("MOF-TAX")),
        ..purpose("012")
    };
    assert!(ids(store, query).await.is_empty());
}

/// Searches see current versions only: what an update removed no longer matches, what it
/// added does, and the items carry the current version's metadata.
pub async fn sees_only_current_versions(store: &dyn Store) {
    seed_files(store).await;
    let before = nhi_claims();
    let mut after: PersonalDataFile = before.clone();
    after.name_en = "Claims register".into();
    after.purposes.retain(
        |p| !matches!(p, lantern_domain::file::Purpose::Code { code } if code.as_str() == "012"),
    );
    after.purposes.push(lantern_domain::file::Purpose::Code {
        code: PurposeCode::parse("182").expect("code"),
    });
    after.sensitive = None;
    after.large_database = None;
    store
        .update_file(&after, Some(1), &change("user:alice", 5))
        .await
        .expect("update");

    assert!(ids(store, text("national health")).await.is_empty());
    assert_eq!(ids(store, text("claims register")).await, ["nhi-claims"]);
    assert_eq!(ids(store, purpose("012")).await, ["hospital-appointments"]);
    assert_eq!(ids(store, purpose("182")).await, ["nhi-claims"]);
    assert_eq!(
        ids(
            store,
            FileQuery {
                sensitive: Some(true),
                ..FileQuery::default()
            }
        )
        .await,
        ["hospital-appointments"]
    );
    assert_eq!(
        ids(
            store,
            FileQuery {
                large_database: Some(true),
                ..FileQuery::default()
            }
        )
        .await,
        ["household-registry"]
    );

    let page = store
        .search_files(&FileQuery {
            limit: 10,
            ..text("claims")
        })
        .await
        .expect("search");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].value, after);
    assert_eq!(page.items[0].info.version, 2);
    assert_eq!(page.items[0].info.changed_by, "user:alice");
}

/// Results come ordered by agency code then file id (byte order); pages of `limit` items from
/// `offset` tile the whole result, and `total` always counts every match.
pub async fn pages_in_order(store: &dyn Store) {
    seed_files(store).await;
    for id in ["nhi-b", "nhi-a", "nhi-z9", "nhi-0"] {
        let file = PersonalDataFile {
            id: file_id(id),
            ..nhi_claims()
        };
        store
            .create_file(&file, &change("user:alice", 1))
            .await
            .expect("create_file");
    }
    let mut expected: Vec<(String, String)> = files()
        .iter()
        .map(|f| (f.agency.as_str().to_owned(), f.id.as_str().to_owned()))
        .chain(
            ["nhi-b", "nhi-a", "nhi-z9", "nhi-0"].map(|id| ("MOHW-NHIA".to_owned(), id.to_owned())),
        )
        .collect();
    expected.sort();
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    let mut seen = Vec::new();
    for offset in [0, 4, 8] {
        let page = store
            .search_files(&FileQuery {
                limit: 4,
                offset,
                ..FileQuery::default()
            })
            .await
            .expect("page");
        assert_eq!(page.total, 9);
        seen.extend(
            page.items
                .into_iter()
                .map(|f| f.value.id.as_str().to_owned()),
        );
    }
    assert_eq!(seen, expected);

    let past_the_end = store
        .search_files(&FileQuery {
            limit: 4,
            offset: 20,
            ..FileQuery::default()
        })
        .await
        .expect("page");
    assert!(past_the_end.items.is_empty());
    assert_eq!(past_the_end.total, 9);
    let count_only = store
        .search_files(&FileQuery {
            limit: 0,
            ..FileQuery::default()
        })
        .await
        .expect("page");
    assert!(count_only.items.is_empty());
    assert_eq!(count_only.total, 9);
    let filtered = store
        .search_files(&FileQuery {
            limit: 2,
            offset: 1,
            ..purpose("031")
        })
        .await
        .expect("page");
    assert_eq!(filtered.total, 5);
    let filtered: Vec<&str> = filtered.items.iter().map(|f| f.value.id.as_str()).collect();
    assert_eq!(filtered, ["nhi-a", "nhi-b"]);
}

/// However large `limit` is, a page holds at most [`MAX_PAGE`] items; `total` still counts all.
pub async fn caps_page_size(store: &dyn Store) {
    seed_agencies(store).await;
    let template = library_patrons();
    let count = MAX_PAGE + 1;
    for n in 0..count {
        let file = PersonalDataFile {
            id: file_id(&format!("patrons-{n:04}")),
            ..template.clone()
        };
        store
            .create_file(&file, &change("user:alice", 0))
            .await
            .expect("create_file");
    }
    for limit in [MAX_PAGE + 1, u32::MAX] {
        let page = store
            .search_files(&FileQuery {
                limit,
                ..FileQuery::default()
            })
            .await
            .expect("page");
        assert_eq!(page.items.len(), MAX_PAGE as usize, "limit {limit}");
        assert_eq!(page.total, u64::from(count));
    }
    let rest = store
        .search_files(&FileQuery {
            limit: u32::MAX,
            offset: MAX_PAGE,
            ..FileQuery::default()
        })
        .await
        .expect("page");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(
        rest.items[0].value.id.as_str(),
        format!("patrons-{MAX_PAGE:04}")
    );
}
