//! The public log: the checkpoint publisher and the C2SP tlog-tiles endpoints under `/log/`.

pub mod publisher;
mod routes;

pub use publisher::{Published, Publisher};
pub(crate) use routes::{proof_error, router};
