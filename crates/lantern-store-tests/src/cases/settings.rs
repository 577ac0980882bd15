//! Named settings.

use lantern_store::Store;

/// A setting is absent until put; each put replaces the value; keys are independent.
pub async fn settings_overwrite(store: &dyn Store) {
    assert_eq!(store.setting("demo.seeded").await.expect("setting"), None);
    store
        .put_setting("demo.seeded", "2025-03-01")
        .await
        .expect("put_setting");
    assert_eq!(
        store
            .setting("demo.seeded")
            .await
            .expect("setting")
            .as_deref(),
        Some("2025-03-01")
    );
    store
        .put_setting("demo.seeded", "已建立 ✓")
        .await
        .expect("overwrite");
    assert_eq!(
        store
            .setting("demo.seeded")
            .await
            .expect("setting")
            .as_deref(),
        Some("已建立 ✓")
    );
    store
        .put_setting("demo.seeded", "")
        .await
        .expect("empty value");
    assert_eq!(
        store
            .setting("demo.seeded")
            .await
            .expect("setting")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        store.setting("demo.Seeded").await.expect("setting"),
        None,
        "keys are compared exactly"
    );
    store
        .put_setting("log.origin", "lantern.example")
        .await
        .expect("put_setting");
    assert_eq!(
        store
            .setting("demo.seeded")
            .await
            .expect("setting")
            .as_deref(),
        Some("")
    );
}
