//! SQLite backend of the Lantern store.
