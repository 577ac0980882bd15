//! Staff accounts, sessions and API tokens; citizens' sessions.

use lantern_log::SubjectPseudonym;
use lantern_store::{ApiToken, CitizenSession, NewApiToken, Role, Store};

use crate::fixtures::{T0, at, code, seed_agencies, session, user};

fn citizen_session(seed: u8, subject: u8, minutes: i64) -> CitizenSession {
    CitizenSession {
        id_hash: [seed; 32],
        subject: SubjectPseudonym::from_bytes([subject; 32]),
        sealed_subject: vec![seed, subject, 0xA5],
        csrf_token: format!("citizen-csrf-{seed}"),
        created_at: T0,
        expires_at: at(minutes),
    }
}

fn new_token(seed: u8, agency: &str, label: &str) -> NewApiToken {
    NewApiToken {
        secret_hash: [seed; 32],
        agency: code(agency),
        label: label.to_owned(),
        created_at: at(seed.into()),
    }
}

/// Tokens get distinct ids and are found by their secret's hash only.
pub async fn api_tokens_round_trip(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = store
        .create_api_token(&new_token(1, "MOHW-NHIA", "健保申報系統"))
        .await
        .expect("token 1");
    let tax = store
        .create_api_token(&new_token(2, "MOF-TAX", "Tax filing system"))
        .await
        .expect("token 2");
    assert_ne!(nhi.id, tax.id);
    assert_eq!(
        nhi,
        ApiToken {
            id: nhi.id,
            agency: code("MOHW-NHIA"),
            label: "健保申報系統".into(),
            created_at: at(1)
        }
    );
    assert_eq!(store.api_token(&[1; 32]).await.expect("lookup"), Some(nhi));
    assert_eq!(store.api_token(&[2; 32]).await.expect("lookup"), Some(tax));
    assert_eq!(store.api_token(&[3; 32]).await.expect("lookup"), None);
}

/// A token for an unregistered agency is refused and not stored.
pub async fn api_token_of_unknown_agency_is_not_found(store: &dyn Store) {
    seed_agencies(store).await;
    assert_store_err!(
        store
            .create_api_token(&new_token(1, "NOPE", "orphan"))
            .await,
        NotFound
    );
    assert_eq!(store.api_token(&[1; 32]).await.expect("lookup"), None);
}

/// Accounts read back whole, with each role.
pub async fn users_round_trip(store: &dyn Store) {
    seed_agencies(store).await;
    let accounts = [
        user("alice", "MOHW-NHIA", Role::Officer),
        user("bob", "MOHW-NHIA", Role::DataProtectionOfficer),
        user("陳小華", "TPE-LIB", Role::AgencyAdmin),
    ];
    for account in &accounts {
        store.create_user(account).await.expect("create_user");
    }
    for account in accounts {
        assert_eq!(
            store.user(&account.username).await.expect("user"),
            Some(account)
        );
    }
    assert_eq!(store.user("nobody").await.expect("user"), None);
    assert_eq!(
        store.user("Alice").await.expect("user"),
        None,
        "usernames are compared exactly"
    );
}

/// A taken username is a conflict, and the stored account is unchanged.
pub async fn taken_username_conflicts(store: &dyn Store) {
    seed_agencies(store).await;
    let alice = user("alice", "MOHW-NHIA", Role::Officer);
    store.create_user(&alice).await.expect("create_user");
    let impostor = user("alice", "MOF-TAX", Role::AgencyAdmin);
    assert_store_err!(store.create_user(&impostor).await, Conflict);
    assert_eq!(store.user("alice").await.expect("user"), Some(alice));
}

/// An account for an unregistered agency is refused and not stored.
pub async fn user_of_unknown_agency_is_not_found(store: &dyn Store) {
    seed_agencies(store).await;
    assert_store_err!(
        store
            .create_user(&user("alice", "NOPE", Role::Officer))
            .await,
        NotFound
    );
    assert_eq!(store.user("alice").await.expect("user"), None);
}

/// A session is returned until the instant it expires, and never from then on.
pub async fn sessions_end_at_expiry(store: &dyn Store) {
    seed_agencies(store).await;
    store
        .create_user(&user("alice", "MOHW-NHIA", Role::Officer))
        .await
        .expect("create_user");
    let started = session(7, "alice", 60);
    store
        .create_session(&started)
        .await
        .expect("create_session");
    for minute in [0, 59] {
        assert_eq!(
            store.session(&[7; 32], at(minute)).await.expect("session"),
            Some(started.clone())
        );
    }
    let just_before = at(60) - time::Duration::milliseconds(1);
    assert_eq!(
        store.session(&[7; 32], just_before).await.expect("session"),
        Some(started.clone())
    );
    assert_eq!(
        store.session(&[7; 32], at(60)).await.expect("session"),
        None
    );
    assert_eq!(
        store.session(&[7; 32], at(61)).await.expect("session"),
        None
    );
    assert_eq!(store.session(&[8; 32], T0).await.expect("session"), None);
}

/// A deleted session is gone; deleting it again, or an unknown one, is not an error; other
/// sessions stay.
pub async fn deleted_session_is_gone(store: &dyn Store) {
    seed_agencies(store).await;
    store
        .create_user(&user("alice", "MOHW-NHIA", Role::Officer))
        .await
        .expect("create_user");
    let (first, second) = (session(1, "alice", 60), session(2, "alice", 60));
    store.create_session(&first).await.expect("create_session");
    store.create_session(&second).await.expect("create_session");
    store
        .delete_session(&[1; 32])
        .await
        .expect("delete_session");
    assert_eq!(store.session(&[1; 32], T0).await.expect("session"), None);
    store
        .delete_session(&[1; 32])
        .await
        .expect("deleting again");
    store
        .delete_session(&[9; 32])
        .await
        .expect("deleting an unknown session");
    assert_eq!(
        store.session(&[2; 32], T0).await.expect("session"),
        Some(second)
    );
}

/// A session of an unknown account is refused and not stored.
pub async fn session_of_unknown_user_is_not_found(store: &dyn Store) {
    seed_agencies(store).await;
    assert_store_err!(
        store.create_session(&session(1, "ghost", 60)).await,
        NotFound
    );
    assert_eq!(store.session(&[1; 32], T0).await.expect("session"), None);
}

/// A citizen session is returned, with its subject, until the instant it expires.
pub async fn citizen_sessions_end_at_expiry(store: &dyn Store) {
    let started = citizen_session(7, 42, 60);
    store
        .create_citizen_session(&started)
        .await
        .expect("create_citizen_session");
    let just_before = at(60) - time::Duration::milliseconds(1);
    for when in [T0, at(59), just_before] {
        assert_eq!(
            store
                .citizen_session(&[7; 32], when)
                .await
                .expect("citizen_session"),
            Some(started.clone())
        );
    }
    for when in [at(60), at(61)] {
        assert_eq!(
            store
                .citizen_session(&[7; 32], when)
                .await
                .expect("citizen_session"),
            None
        );
    }
    assert_eq!(
        store
            .citizen_session(&[8; 32], T0)
            .await
            .expect("citizen_session"),
        None
    );
}

/// A deleted citizen session is gone; deleting it again, or an unknown one, is not an error;
/// other sessions of the same subject stay.
pub async fn deleted_citizen_session_is_gone(store: &dyn Store) {
    let (first, second) = (citizen_session(1, 5, 60), citizen_session(2, 5, 60));
    for s in [&first, &second] {
        store
            .create_citizen_session(s)
            .await
            .expect("create_citizen_session");
    }
    store
        .delete_citizen_session(&[1; 32])
        .await
        .expect("delete_citizen_session");
    assert_eq!(
        store
            .citizen_session(&[1; 32], T0)
            .await
            .expect("citizen_session"),
        None
    );
    store
        .delete_citizen_session(&[1; 32])
        .await
        .expect("deleting again");
    store
        .delete_citizen_session(&[9; 32])
        .await
        .expect("deleting an unknown session");
    assert_eq!(
        store
            .citizen_session(&[2; 32], T0)
            .await
            .expect("citizen_session"),
        Some(second)
    );
}

/// A staff session is never found as a citizen session nor the other way round, even under
/// the same id hash; ending one kind leaves the other.
pub async fn citizen_and_staff_sessions_are_apart(store: &dyn Store) {
    seed_agencies(store).await;
    store
        .create_user(&user("alice", "MOHW-NHIA", Role::Officer))
        .await
        .expect("create_user");
    store
        .create_session(&session(1, "alice", 60))
        .await
        .expect("create_session");
    store
        .create_citizen_session(&citizen_session(2, 9, 60))
        .await
        .expect("create_citizen_session");
    assert_eq!(
        store
            .citizen_session(&[1; 32], T0)
            .await
            .expect("citizen_session"),
        None,
        "a staff session is not a citizen session"
    );
    assert_eq!(
        store.session(&[2; 32], T0).await.expect("session"),
        None,
        "a citizen session is not a staff session"
    );
    // The same hash in both kinds (never drawn in practice) still keeps them apart.
    let shared = citizen_session(1, 9, 60);
    store
        .create_citizen_session(&shared)
        .await
        .expect("create_citizen_session");
    store
        .delete_citizen_session(&[1; 32])
        .await
        .expect("delete_citizen_session");
    assert_eq!(
        store.session(&[1; 32], T0).await.expect("session"),
        Some(session(1, "alice", 60))
    );
}

/// A second citizen session under a taken id hash is refused and changes nothing.
pub async fn taken_citizen_session_id_conflicts(store: &dyn Store) {
    let first = citizen_session(3, 1, 60);
    store
        .create_citizen_session(&first)
        .await
        .expect("create_citizen_session");
    assert_store_err!(
        store
            .create_citizen_session(&citizen_session(3, 2, 90))
            .await,
        Conflict
    );
    assert_eq!(
        store
            .citizen_session(&[3; 32], T0)
            .await
            .expect("citizen_session"),
        Some(first)
    );
}
