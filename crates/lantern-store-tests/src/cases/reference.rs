//! Imported reference lists: replaced wholesale, read back by code, kept when an import fails.

use lantern_domain::reference::{CategoryEntry, PurposeEntry};
use lantern_domain::{DataCategoryCode, PurposeCode};
use lantern_store::Store;

fn purpose(code: &str, name_zh: &str) -> PurposeEntry {
    PurposeEntry {
        code: PurposeCode::parse(code).expect("purpose code"),
        name_zh: name_zh.into(),
        name_en: format!("Purpose {code}"),
    }
}

fn category(code: &str, name_zh: &str) -> CategoryEntry {
    CategoryEntry {
        code: DataCategoryCode::parse(code).expect("category code"),
        group_zh: "識別類".into(),
        name_zh: name_zh.into(),
        name_en: format!("Category {code}"),
        examples_zh: "姓名、職稱、住址".into(),
    }
}

/// Each import replaces the whole purpose list; the list reads back ordered by code.
pub async fn imported_purposes_are_replaced_wholesale(store: &dyn Store) {
    assert!(
        store
            .imported_purposes()
            .await
            .expect("empty at first")
            .is_empty()
    );
    let first = [
        purpose("031", "全民健康保險"),
        purpose("001", "人身保險"),
        purpose("182", "其他諮詢與顧問服務"),
    ];
    store
        .replace_imported_purposes(&first)
        .await
        .expect("first import");
    assert_eq!(
        store.imported_purposes().await.expect("read"),
        [first[1].clone(), first[0].clone(), first[2].clone()]
    );

    let second = [purpose("002", "人事管理")];
    store
        .replace_imported_purposes(&second)
        .await
        .expect("second import");
    assert_eq!(store.imported_purposes().await.expect("read"), second);

    store
        .replace_imported_purposes(&[])
        .await
        .expect("empty import");
    assert!(store.imported_purposes().await.expect("read").is_empty());
    assert!(
        store.imported_categories().await.expect("read").is_empty(),
        "categories are a separate list"
    );
}

/// Each import replaces the whole category list; the list reads back ordered by code.
pub async fn imported_categories_are_replaced_wholesale(store: &dyn Store) {
    assert!(
        store
            .imported_categories()
            .await
            .expect("empty at first")
            .is_empty()
    );
    let first = [category("C111", "健康紀錄"), category("C001", "辨識個人者")];
    store
        .replace_imported_categories(&first)
        .await
        .expect("first import");
    assert_eq!(
        store.imported_categories().await.expect("read"),
        [first[1].clone(), first[0].clone()]
    );

    let second = [
        category("C003", "政府資料中之辨識者"),
        category("C199", "其他"),
    ];
    store
        .replace_imported_categories(&second)
        .await
        .expect("second import");
    assert_eq!(store.imported_categories().await.expect("read"), second);
    assert!(
        store.imported_purposes().await.expect("read").is_empty(),
        "purposes are a separate list"
    );
}

/// An import that lists a code twice fails part-way through and leaves the previous list whole.
pub async fn failed_import_keeps_previous_list(store: &dyn Store) {
    let purposes = [purpose("001", "人身保險")];
    store
        .replace_imported_purposes(&purposes)
        .await
        .expect("import");
    let twice = [
        purpose("002", "人事管理"),
        purpose("003", "入出國及移民"),
        purpose("002", "重複"),
    ];
    assert_store_err!(store.replace_imported_purposes(&twice).await, Conflict);
    assert_eq!(store.imported_purposes().await.expect("read"), purposes);

    let categories = [category("C001", "辨識個人者")];
    store
        .replace_imported_categories(&categories)
        .await
        .expect("import");
    let twice = [category("C002", "辨識財務者"), category("C002", "重複")];
    assert_store_err!(store.replace_imported_categories(&twice).await, Conflict);
    assert_eq!(store.imported_categories().await.expect("read"), categories);
}
