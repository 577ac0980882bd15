//! The public log: the checkpoint publisher and the C2SP tlog-tiles endpoints under `/log/`.

mod bundle;
pub mod publisher;
mod routes;

pub(crate) use bundle::proof_bundle;
pub use publisher::{Published, Publisher};
pub(crate) use routes::{proof_error, router};
