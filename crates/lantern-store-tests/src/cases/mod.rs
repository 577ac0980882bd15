//! The cases, one module per area. Each case takes a fresh, empty store and panics on the first
//! broken contract. [`crate::conformance_suite!`] lists every case; a unit test keeps that list
//! and these modules in step.

pub mod access;
pub mod agencies;
pub mod data_requests;
pub mod files;
pub mod provider_requests;
pub mod reference;
pub mod search;
pub mod services;
pub mod settings;
pub mod times;
pub mod usage_footprint;
pub mod usage_footprint_filters;
pub mod usage_log;
pub mod usage_stats;
