//! `mta journeys`: one row per rebuilt journey
//! (`customer_id,journey,path,touches,converted,value,first_touch_at,converted_at`),
//! to see what the journey rules made of the input.

use anyhow::Result;
use clap::Args;

use super::pipeline;
use super::plan::{Parts, Plan, refusals};
use super::{InputArgs, OutputArgs};
use crate::journey::export::{MergedRows, journey_order, journey_rows};
use crate::journey::runs::Runs;
use crate::output::views;

/// Arguments of `mta journeys`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct JourneysArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta journeys` writes.
pub(super) const FORMATS: super::plan::Formats = super::paths::row_formats("mta journeys");

/// Runs `mta journeys`.
pub fn run(args: JourneysArgs) -> Result<()> {
    let plan = Plan::new(Parts::events(args.input, args.output), &FORMATS, |plan| {
        refusals::events_only(
            plan,
            "`mta journeys` needs touchpoint events: path aggregates have no customers or times",
            "read the touchpoint events instead of `--paths`, or use `mta paths --paths` to re-aggregate path rows",
        )
    })?;
    let out = &plan.output;
    let (journeys, summary) = match pipeline::load_or_partition(&plan.input, &plan.journeys)? {
        pipeline::Loaded::Whole(journeys, summary) => (journeys, summary),
        pipeline::Loaded::Parted(parted) => return run_out_of_core(&parted, &plan.journeys, out),
    };
    let rows = journey_rows(&journeys)?;
    if !out.quiet {
        tell(&summary, rows.len() as u64, rows.iter().filter(|r| r.converted).count() as u64);
    }
    let table = views::Journeys {
        rows: &rows,
        channels: journeys.channels(),
    };
    super::write_output(&out.target, |w| crate::output::write_table(&table, out.format, &out.style, w))
}

/// Out of core: each group's journeys written to disk as a run sorted like
/// the rows, and the runs merged as the rows are written.
fn run_out_of_core(parted: &crate::input::Parted, cfg: &crate::journey::JourneyConfig, out: &super::plan::OutputConfig) -> Result<()> {
    let mut groups = pipeline::JourneyGroups::new(parted, cfg);
    let mut runs = Runs::new(parted.scratch_dir());
    let (mut channels, mut converting) = (Vec::new(), 0);
    while let Some(journeys) = groups.next_group()? {
        runs.write(&journeys, &journey_order(&journeys)?)?;
        converting += journeys.iter().filter(|j| j.conversions > 0.0).count() as u64;
        channels = journeys.channels().to_vec();
    }
    let summary = groups.summary()?;
    if !out.quiet {
        tell(&summary, runs.journeys(), converting);
    }
    let rows = MergedRows::new(runs)?;
    let table = views::Journeys {
        rows: &rows,
        channels: &channels,
    };
    super::write_output(&out.target, |w| crate::output::write_table(&table, out.format, &out.style, w))
}

/// The summary on stderr: journeys, customers, and what was skipped.
fn tell(summary: &crate::report::InputSummary, journeys: u64, converting: u64) {
    let customers = summary.built.customers.unwrap_or_default();
    let mut lines = vec![format!(
        "journeys: {journeys} journeys from {customers} customers ({converting} converting)"
    )];
    lines.extend(crate::output::summary::rows_left_out(summary));
    lines.extend(crate::output::summary::unattributed_note(summary, "journey"));
    lines.extend(pipeline::out_of_core_note(summary));
    pipeline::tell(lines);
}
