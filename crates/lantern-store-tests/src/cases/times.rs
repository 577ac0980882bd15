//! Timestamps: at least millisecond precision, returned in UTC, whatever offset they came in.

use lantern_store::{Change, NewApiToken, Role, Store};
use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};

use crate::fixtures::{agency, code, nhi_claims, seed_agencies, session, user};

#[track_caller]
fn assert_same_utc(returned: OffsetDateTime, written: OffsetDateTime) {
    assert_eq!(returned, written, "the same instant");
    assert_eq!(returned.offset(), UtcOffset::UTC, "returned in UTC");
}

/// Every stored time comes back as the same instant, to the millisecond, in UTC — including
/// times before 1970 and after 2038.
pub async fn times_keep_milliseconds_and_come_back_in_utc(store: &dyn Store) {
    let taipei = datetime!(2025-03-01 09:30:15.789 +08:00);
    let before_epoch = datetime!(1969-12-31 23:59:59.999 UTC);
    let far = datetime!(2100-06-30 23:59:59.001 -05:00);

    let written = store
        .put_agency(
            &agency("EY", "行政院", None),
            &Change {
                actor: "system:seed".into(),
                at: taipei,
            },
        )
        .await
        .expect("put_agency");
    assert_same_utc(written.info.changed_at, taipei);
    let read = store
        .agency(&code("EY"))
        .await
        .expect("agency")
        .expect("stored");
    assert_same_utc(read.info.changed_at, taipei);

    seed_agencies(store).await;
    let nhi = nhi_claims();
    let created = store
        .create_file(
            &nhi,
            &Change {
                actor: "user:alice".into(),
                at: before_epoch,
            },
        )
        .await
        .expect("create_file");
    assert_same_utc(created.info.changed_at, before_epoch);
    let mut renamed = nhi.clone();
    renamed.name_en = "Renamed".into();
    let updated = store
        .update_file(
            &renamed,
            None,
            &Change {
                actor: "user:alice".into(),
                at: far,
            },
        )
        .await
        .expect("update");
    assert_same_utc(updated.info.changed_at, far);
    let history = store.file_history(&nhi.id).await.expect("history");
    assert_same_utc(history[0].changed_at, before_epoch);
    assert_same_utc(history[1].changed_at, far);
    let current = store
        .file(&nhi.id, None)
        .await
        .expect("file")
        .expect("stored");
    assert_same_utc(current.info.changed_at, far);

    let mut account = user("alice", "MOHW-NHIA", Role::Officer);
    account.created_at = taipei;
    store.create_user(&account).await.expect("create_user");
    assert_same_utc(
        store
            .user("alice")
            .await
            .expect("user")
            .expect("stored")
            .created_at,
        taipei,
    );

    let token = NewApiToken {
        secret_hash: [4; 32],
        agency: code("MOHW-NHIA"),
        label: "claims".into(),
        created_at: before_epoch,
    };
    assert_same_utc(
        store
            .create_api_token(&token)
            .await
            .expect("create_api_token")
            .created_at,
        before_epoch,
    );
    let stored = store
        .api_token(&[4; 32])
        .await
        .expect("api_token")
        .expect("stored");
    assert_same_utc(stored.created_at, before_epoch);

    let mut started = session(5, "alice", 0);
    started.created_at = taipei;
    started.expires_at = far;
    store
        .create_session(&started)
        .await
        .expect("create_session");
    let stored = store
        .session(&[5; 32], taipei)
        .await
        .expect("session")
        .expect("live");
    assert_same_utc(stored.created_at, taipei);
    assert_same_utc(stored.expires_at, far);
}

/// Expiry compares instants, not the clock-face times of different offsets.
pub async fn expiry_compares_instants_across_offsets(store: &dyn Store) {
    seed_agencies(store).await;
    store
        .create_user(&user("alice", "MOHW-NHIA", Role::Officer))
        .await
        .expect("create_user");
    let mut started = session(6, "alice", 0);
    // 09:00 in Taipei is 01:00 UTC.
    started.expires_at = datetime!(2025-03-01 09:00:00.000 +08:00);
    store
        .create_session(&started)
        .await
        .expect("create_session");
    let live = store
        .session(&[6; 32], datetime!(2025-03-01 00:59:59.999 UTC))
        .await
        .expect("session");
    assert!(live.is_some(), "a millisecond before expiry");
    let gone = store
        .session(&[6; 32], datetime!(2025-03-01 01:30:00 UTC))
        .await
        .expect("session");
    assert_eq!(
        gone, None,
        "half an hour after expiry, although 01:30 < 09:00 on the clock face"
    );
}
