//! The conformance suite every Lantern storage backend must pass.
