//! `mta paths`: the rebuilt journeys aggregated into path rows
//! (`path,total_conversions,total_conversion_value,total_null`), the format
//! `mta attribute --paths` and ChannelAttribution read.

use anyhow::Result;
use clap::Args;

use super::args::{Formats, InputConfig, TABULAR};
use super::pipeline;
use super::{InputArgs, OutputArgs};
use crate::journey::export::path_rows;
use crate::output::{OutputFormat, views};

/// Arguments of `mta paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta paths` and `mta journeys` write: rows for other programs, so
/// CSV unless asked otherwise, even on a terminal.
pub(super) const fn row_formats(command: &'static str) -> Formats {
    Formats {
        command,
        supported: TABULAR,
        default: OutputFormat::Csv,
        elsewhere: Some("`mta report` for an HTML page"),
    }
}

/// What `mta paths` writes.
pub(super) const FORMATS: Formats = row_formats("mta paths");

/// Runs `mta paths`.
pub fn run(args: PathsArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let rows = path_rows(&journeys)?;
    if !out.quiet {
        let from = match input {
            InputConfig::Events { .. } => format!("{} journeys", journeys.len()),
            InputConfig::Paths { .. } => format!("{} path rows read", summary.rows_read),
        };
        let mut lines = vec![format!("paths: {} path rows from {from}", rows.len())];
        lines.extend(pipeline::skipped_note(&summary));
        lines.extend(pipeline::unattributed_note(&summary, "path"));
        pipeline::tell(lines);
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::paths(&rows), out.format, &out.style, w)
    })
}
