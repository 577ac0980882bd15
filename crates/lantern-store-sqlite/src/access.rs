//! Staff accounts, sessions and API tokens.

use async_trait::async_trait;
use lantern_domain::AgencyCode;
use lantern_log::SubjectPseudonym;
use lantern_store::{
    AccessStore, ApiToken, CitizenSession, NewApiToken, Role, Session, StoreError, User,
};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use time::OffsetDateTime;

use crate::SqliteStore;
use crate::codec::{agency_code, hash, instant, micros};
use crate::error::sql;
use crate::register::agency_exists;
use lantern_store::derived::stored_instant;

fn require_agency(tx: &Transaction<'_>, code: &AgencyCode) -> Result<(), StoreError> {
    if agency_exists(tx, code)? {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("agency {code}")))
    }
}

/// A `users` row as stored.
struct StoredUser {
    username: String,
    display_name: String,
    agency: String,
    role: String,
    password_hash: String,
    created_at: i64,
}

impl StoredUser {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            username: row.get(0)?,
            display_name: row.get(1)?,
            agency: row.get(2)?,
            role: row.get(3)?,
            password_hash: row.get(4)?,
            created_at: row.get(5)?,
        })
    }

    fn decode(self) -> Result<User, StoreError> {
        Ok(User {
            role: Role::parse(&self.role)
                .ok_or_else(|| StoreError::Corrupt(format!("stored role {:?}", self.role)))?,
            agency: agency_code(&self.agency)?,
            created_at: instant(self.created_at)?,
            username: self.username,
            display_name: self.display_name,
            password_hash: self.password_hash,
        })
    }
}

/// A `sessions` row as stored.
struct StoredSession {
    id_hash: Vec<u8>,
    username: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl StoredSession {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id_hash: row.get(0)?,
            username: row.get(1)?,
            csrf_token: row.get(2)?,
            created_at: row.get(3)?,
            expires_at: row.get(4)?,
        })
    }

    fn decode(self) -> Result<Session, StoreError> {
        Ok(Session {
            id_hash: hash(&self.id_hash)?,
            username: self.username,
            csrf_token: self.csrf_token,
            created_at: instant(self.created_at)?,
            expires_at: instant(self.expires_at)?,
        })
    }
}

#[async_trait]
impl AccessStore for SqliteStore {
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        let token = token.clone();
        self.connections
            .write(move |tx| {
                require_agency(tx, &token.agency)?;
                let created_at = micros(token.created_at)?;
                tx.prepare_cached(
                    "INSERT INTO api_tokens (secret_hash, agency, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![&token.secret_hash[..], token.agency.as_str(), token.label, created_at])
                })
                .map_err(sql)?;
                Ok(ApiToken {
                    id: tx.last_insert_rowid(),
                    agency: token.agency,
                    label: token.label,
                    created_at: stored_instant(token.created_at),
                })
            })
            .await
    }

    async fn api_token(&self, secret_hash: &[u8; 32]) -> Result<Option<ApiToken>, StoreError> {
        let secret_hash = *secret_hash;
        self.connections
            .read(move |tx| {
                let row = tx
                    .prepare_cached("SELECT id, agency, label, created_at FROM api_tokens WHERE secret_hash = ?1")
                    .and_then(|mut stmt| {
                        stmt.query_row([&secret_hash[..]], |row| {
                            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?))
                        })
                        .optional()
                    })
                    .map_err(sql)?;
                row.map(|(id, agency, label, created_at)| {
                    Ok(ApiToken { id, agency: agency_code(&agency)?, label, created_at: instant(created_at)? })
                })
                .transpose()
            })
            .await
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.connections
            .write(move |tx| {
                require_agency(tx, &user.agency)?;
                let created_at = micros(user.created_at)?;
                let inserted = tx
                    .prepare_cached(
                        "INSERT INTO users (username, display_name, agency, role, password_hash, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (username) DO NOTHING",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![
                            user.username,
                            user.display_name,
                            user.agency.as_str(),
                            user.role.as_str(),
                            user.password_hash,
                            created_at,
                        ])
                    })
                    .map_err(sql)?;
                if inserted == 0 {
                    return Err(StoreError::Conflict(format!("username {} is taken", user.username)));
                }
                Ok(())
            })
            .await
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let username = username.to_owned();
        self.connections
            .read(move |tx| {
                let stored = tx
                    .prepare_cached(
                        "SELECT username, display_name, agency, role, password_hash, created_at
                         FROM users WHERE username = ?1",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_row([&username], StoredUser::from_row).optional()
                    })
                    .map_err(sql)?;
                stored.map(StoredUser::decode).transpose()
            })
            .await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let session = session.clone();
        self.connections
            .write(move |tx| {
                let user_exists = tx
                    .prepare_cached("SELECT 1 FROM users WHERE username = ?1")
                    .and_then(|mut stmt| stmt.exists([&session.username]))
                    .map_err(sql)?;
                if !user_exists {
                    return Err(StoreError::NotFound(format!("user {}", session.username)));
                }
                let (created_at, expires_at) =
                    (micros(session.created_at)?, micros(session.expires_at)?);
                tx.prepare_cached(
                    "INSERT INTO sessions (id_hash, username, csrf_token, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        &session.id_hash[..],
                        session.username,
                        session.csrf_token,
                        created_at,
                        expires_at
                    ])
                })
                .map_err(sql)?;
                Ok(())
            })
            .await
    }

    async fn session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError> {
        let id_hash = *id_hash;
        self.connections
            .read(move |tx| {
                let now = micros(now)?;
                let stored = tx
                    .prepare_cached(
                        "SELECT id_hash, username, csrf_token, created_at, expires_at
                         FROM sessions WHERE id_hash = ?1 AND expires_at > ?2",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_row(params![&id_hash[..], now], StoredSession::from_row)
                            .optional()
                    })
                    .map_err(sql)?;
                stored.map(StoredSession::decode).transpose()
            })
            .await
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        let id_hash = *id_hash;
        self.connections
            .write(move |tx| {
                tx.prepare_cached("DELETE FROM sessions WHERE id_hash = ?1")
                    .and_then(|mut stmt| stmt.execute([&id_hash[..]]))
                    .map_err(sql)?;
                Ok(())
            })
            .await
    }

    async fn create_citizen_session(&self, session: &CitizenSession) -> Result<(), StoreError> {
        let session = session.clone();
        self.connections
            .write(move |tx| {
                let (created_at, expires_at) =
                    (micros(session.created_at)?, micros(session.expires_at)?);
                tx.prepare_cached(
                    "INSERT INTO citizen_sessions
                        (id_hash, subject, csrf_token, created_at, expires_at, sealed_subject)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        &session.id_hash[..],
                        &session.subject.as_bytes()[..],
                        session.csrf_token,
                        created_at,
                        expires_at,
                        session.sealed_subject
                    ])
                })
                .map_err(sql)?;
                Ok(())
            })
            .await
    }

    async fn citizen_session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<CitizenSession>, StoreError> {
        let id_hash = *id_hash;
        self.connections
            .read(move |tx| {
                let now = micros(now)?;
                let stored = tx
                    .prepare_cached(
                        "SELECT id_hash, subject, csrf_token, created_at, expires_at, sealed_subject
                         FROM citizen_sessions WHERE id_hash = ?1 AND expires_at > ?2",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_row(params![&id_hash[..], now], |row| {
                            Ok((
                                row.get::<_, Vec<u8>>(0)?,
                                row.get::<_, Vec<u8>>(1)?,
                                row.get::<_, String>(2)?,
                                row.get::<_, i64>(3)?,
                                row.get::<_, i64>(4)?,
                                row.get::<_, Vec<u8>>(5)?,
                            ))
                        })
                        .optional()
                    })
                    .map_err(sql)?;
                stored
                    .map(
                        |(id_hash, subject, csrf_token, created_at, expires_at, sealed_subject)| {
                            Ok(CitizenSession {
                                id_hash: hash(&id_hash)?,
                                subject: SubjectPseudonym::from_bytes(hash(&subject)?),
                                sealed_subject,
                                csrf_token,
                                created_at: instant(created_at)?,
                                expires_at: instant(expires_at)?,
                            })
                        },
                    )
                    .transpose()
            })
            .await
    }

    async fn delete_citizen_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        let id_hash = *id_hash;
        self.connections
            .write(move |tx| {
                tx.prepare_cached("DELETE FROM citizen_sessions WHERE id_hash = ?1")
                    .and_then(|mut stmt| stmt.execute([&id_hash[..]]))
                    .map_err(sql)?;
                Ok(())
            })
            .await
    }
}
