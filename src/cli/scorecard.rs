//! `mta scorecard`: input -> journeys -> the chosen model -> one row of
//! reach, conversion rate, roles and timing per channel.

use anyhow::Result;
use clap::Args;

use super::args::RunArgs;
use super::pipeline::{self, AddOns};
use super::plan::{Formats, Plan, TABULAR};
use crate::model::ModelKind;
use crate::output::{OutputFormat, views};

/// Arguments of `mta scorecard`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct ScorecardArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The model whose credits fill `conversions` and `value`.
    #[arg(long, value_enum, default_value_t = ModelKind::Markov, value_name = "MODEL", help_heading = "Models")]
    model: ModelKind,
}

/// What `mta scorecard` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta scorecard",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// Runs `mta scorecard`.
pub fn run(args: ScorecardArgs) -> Result<()> {
    let mut plan = Plan::new(args.run.into(), &FORMATS, |plan| {
        super::plan::refusals::lift(plan, false, "mta scorecard", &[])
    })?;
    // One model: its credits fill the table; `--models` does not apply.
    plan.models = vec![args.model];
    let add = AddOns {
        journeys: true,
        ..AddOns::default()
    };
    let mut run = pipeline::run(&plan, add)?;
    let journeys = run.journeys.as_ref().expect("kept in memory");
    let mut rows = crate::report::scorecard::compute(journeys, &run.report.models[0]);
    let out = &plan.output;
    // A table is read top down: the channels that earn the most first.
    // Files keep channel order, like every other export.
    if matches!(out.format, OutputFormat::Table | OutputFormat::Markdown) {
        rows.sort_by(|a, b| b.conversions.total_cmp(&a.conversions).then_with(|| a.channel.cmp(&b.channel)));
    }
    if !out.quiet {
        run.notes
            .push(format!("note: conversions and value are `{}`'s credits", args.model));
        pipeline::tell(run.summary());
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::Scorecard(&rows), out.format, &out.style, w)
    })
}
