//! mta: multi-touch attribution from touchpoint exports.
//!
//! Data flows one way: [`input`] reads files into columnar [`input::Events`]
//! (or [`input::PathTable`]); [`journey`] rebuilds each customer's journeys as
//! compact integer arrays; [`model`] turns journeys into per-channel
//! [`model::Credits`]; [`report`] runs the models in parallel and derives
//! shares, totals and comparisons; [`output`] writes every tabular result
//! through one [`output::table::Table`] shape in any format, and the report
//! documents (JSON, HTML); [`sql`] writes the journey rules and rule-based
//! models as a query for a warehouse; [`simulate`] draws customers shaped
//! like the journeys under a known causal process, for scoring the models;
//! [`cli`] wires the stages.
//! A module imports only from stages to its left.
//!
//! # Glossary
//! - **touchpoint** (touch): one interaction of a customer with a channel at a time.
//! - **channel**: where a touch happened (`Paid Search`, `Email`, `Direct`...).
//! - **conversion**: the outcome being attributed (a purchase, a sign-up), with a value (revenue).
//! - **journey**: a customer's ordered touches up to and including a conversion,
//!   or the trailing touches that did not (yet) convert.
//! - **path**: a journey's sequence of channel names, e.g. `Search > Email > Direct`.
//! - **credit**: the part of a conversion (and of its value) a model gives a channel.
//! - **unattributed**: a conversion with no touch before it; counted, never credited.

#![deny(missing_docs)]

pub mod channels;
pub mod cli;
pub mod error;
pub mod format;
pub mod input;
pub mod intern;
pub mod journey;
pub mod marks;
pub mod model;
pub mod output;
pub mod report;
pub mod rng;
pub mod scatter;
pub mod simulate;
pub mod sql;

pub use error::{Error, Result};
