//! The readers, one a file kind: touchpoint events (with a conversions
//! file), GA4 BigQuery exports, path aggregates, Markov transition counts,
//! costs, lift tests, truth and effects files, and result files of `mta attribute`. Each asks `super::format`
//! for tables and turns their columns into its own typed rows.

pub mod costs;
pub mod effects;
pub(crate) mod events;
pub mod ga4;
pub mod lift;
pub mod paths;
pub mod results;
pub mod transitions;
pub mod truth;
