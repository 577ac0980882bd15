//! Staff accounts, sessions and API tokens.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use lantern_domain::AgencyCode;
use lantern_log::SubjectPseudonym;
use lantern_store::{
    AccessStore, ApiToken, CitizenSession, NewApiToken, Role, Session, StoreError, User,
};
use time::OffsetDateTime;
use tokio_postgres::Row;

use crate::PostgresStore;
use crate::codec::{agency_code, bytes32, execute, get, hash, query_opt};
use crate::error::pg;
use crate::register::agency_exists;
use lantern_store::derived::stored_instant;

async fn require_agency(tx: &Transaction<'_>, code: &AgencyCode) -> Result<(), StoreError> {
    if agency_exists(tx, code).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("agency {code}")))
    }
}

fn token(row: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: get(row, 0)?,
        agency: agency_code(get(row, 1)?)?,
        label: get(row, 2)?,
        created_at: get(row, 3)?,
    })
}

fn user(row: &Row) -> Result<User, StoreError> {
    let role: &str = get(row, 3)?;
    Ok(User {
        username: get(row, 0)?,
        display_name: get(row, 1)?,
        agency: agency_code(get(row, 2)?)?,
        role: Role::parse(role)
            .ok_or_else(|| StoreError::Corrupt(format!("stored role {role:?}")))?,
        password_hash: get(row, 4)?,
        created_at: get(row, 5)?,
    })
}

fn session(row: &Row) -> Result<Session, StoreError> {
    Ok(Session {
        id_hash: hash(get(row, 0)?)?,
        username: get(row, 1)?,
        csrf_token: get(row, 2)?,
        created_at: get(row, 3)?,
        expires_at: get(row, 4)?,
    })
}

fn citizen_session(row: &Row) -> Result<CitizenSession, StoreError> {
    Ok(CitizenSession {
        id_hash: hash(get(row, 0)?)?,
        subject: SubjectPseudonym::from_bytes(bytes32(get(row, 1)?, "subject pseudonym")?),
        csrf_token: get(row, 2)?,
        created_at: get(row, 3)?,
        expires_at: get(row, 4)?,
        sealed_subject: get(row, 5)?,
    })
}

#[async_trait]
impl AccessStore for PostgresStore {
    async fn create_api_token(&self, new: &NewApiToken) -> Result<ApiToken, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        require_agency(&tx, &new.agency).await?;
        let row = query_opt(
            &tx,
            "INSERT INTO api_tokens (secret_hash, agency, label, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, agency, label, created_at",
            &[&&new.secret_hash[..], &new.agency.as_str(), &new.label, &stored_instant(new.created_at)],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt("an insert returned no row".into()))?;
        let stored = token(&row)?;
        tx.commit().await.map_err(pg)?;
        Ok(stored)
    }

    async fn api_token(&self, secret_hash: &[u8; 32]) -> Result<Option<ApiToken>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT id, agency, label, created_at FROM api_tokens WHERE secret_hash = $1",
            &[&&secret_hash[..]],
        )
        .await?;
        row.as_ref().map(token).transpose()
    }

    async fn create_user(&self, new: &User) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        require_agency(&tx, &new.agency).await?;
        let inserted = execute(
            &tx,
            "INSERT INTO users (username, display_name, agency, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (username) DO NOTHING",
            &[
                &new.username,
                &new.display_name,
                &new.agency.as_str(),
                &new.role.as_str(),
                &new.password_hash,
                &stored_instant(new.created_at),
            ],
        )
        .await?;
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "username {} is taken",
                new.username
            )));
        }
        tx.commit().await.map_err(pg)
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT username, display_name, agency, role, password_hash, created_at FROM users WHERE username = $1",
            &[&username],
        )
        .await?;
        row.as_ref().map(user).transpose()
    }

    async fn create_session(&self, new: &Session) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        if query_opt(
            &tx,
            "SELECT 1 FROM users WHERE username = $1",
            &[&new.username],
        )
        .await?
        .is_none()
        {
            return Err(StoreError::NotFound(format!("user {}", new.username)));
        }
        execute(
            &tx,
            "INSERT INTO sessions (id_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                &&new.id_hash[..],
                &new.username,
                &new.csrf_token,
                &stored_instant(new.created_at),
                &stored_instant(new.expires_at),
            ],
        )
        .await?;
        tx.commit().await.map_err(pg)
    }

    async fn session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT id_hash, username, csrf_token, created_at, expires_at
             FROM sessions WHERE id_hash = $1 AND expires_at > $2",
            &[&&id_hash[..], &stored_instant(now)],
        )
        .await?;
        row.as_ref().map(session).transpose()
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "DELETE FROM sessions WHERE id_hash = $1",
            &[&&id_hash[..]],
        )
        .await?;
        Ok(())
    }

    async fn create_citizen_session(&self, new: &CitizenSession) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO citizen_sessions (id_hash, subject, csrf_token, created_at, expires_at, sealed_subject)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &&new.id_hash[..],
                &&new.subject.as_bytes()[..],
                &new.csrf_token,
                &stored_instant(new.created_at),
                &stored_instant(new.expires_at),
                &new.sealed_subject,
            ],
        )
        .await?;
        Ok(())
    }

    async fn citizen_session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<CitizenSession>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT id_hash, subject, csrf_token, created_at, expires_at, sealed_subject
             FROM citizen_sessions WHERE id_hash = $1 AND expires_at > $2",
            &[&&id_hash[..], &stored_instant(now)],
        )
        .await?;
        row.as_ref().map(citizen_session).transpose()
    }

    async fn delete_citizen_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        let client = self.client().await?;
        execute(
            &client,
            "DELETE FROM citizen_sessions WHERE id_hash = $1",
            &[&&id_hash[..]],
        )
        .await?;
        Ok(())
    }
}
