//! Small named values that belong with the data: markers such as "demo seeded".

use async_trait::async_trait;

use crate::StoreError;

/// Named string values.
#[async_trait]
pub trait SettingsStore {
    /// The value of `key`, if set.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Sets `key` to `value`, replacing any earlier value. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;
}
