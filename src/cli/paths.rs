//! `mta paths`: the rebuilt journeys aggregated into path rows
//! (`path,total_conversions,total_conversion_value,total_null`), the format
//! `mta attribute --paths` and ChannelAttribution read.

use anyhow::Result;
use clap::Args;

use super::pipeline;
use super::plan::{Formats, InputConfig, Parts, Plan, TABULAR};
use super::{InputArgs, OutputArgs};
use crate::journey::aggregate::PathSums;
use crate::journey::export::{path_rows, path_rows_of_sums};
use crate::output::{OutputFormat, views};

/// Arguments of `mta paths`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
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
    let plan = Plan::new(Parts::events(args.input, args.output), &FORMATS, |_| Vec::new())?;
    let (input, journey_cfg, out) = (&plan.input, &plan.journeys, &plan.output);
    let (rows, journeys, summary) = match pipeline::load_or_partition(input, journey_cfg)? {
        pipeline::Loaded::Whole(journeys, summary) => (path_rows(&journeys)?, journeys.len(), summary),
        // Out of core: path sums add up group by group, in journey order.
        pipeline::Loaded::Parted(parted) => {
            let mut groups = pipeline::JourneyGroups::new(&parted, journey_cfg);
            let (mut sums, mut channels, mut n) = (PathSums::default(), Vec::new(), 0);
            while let Some(journeys) = groups.next_group()? {
                sums.add(&journeys);
                n += journeys.len();
                channels = journeys.channels().to_vec();
            }
            (path_rows_of_sums(&sums, &channels)?, n, groups.summary()?)
        }
    };
    if !out.quiet {
        let from = match input {
            InputConfig::Events { .. } => format!("{journeys} journeys"),
            InputConfig::Paths { .. } => format!("{} path rows read", summary.rows_read),
        };
        let mut lines = vec![format!("paths: {} path rows from {from}", rows.len())];
        lines.extend(crate::output::summary::rows_left_out(&summary));
        lines.extend(crate::output::summary::unattributed_note(&summary, "path"));
        lines.extend(pipeline::out_of_core_note(&summary));
        pipeline::tell(lines);
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::paths(&rows), out.format, &out.style, w)
    })
}
