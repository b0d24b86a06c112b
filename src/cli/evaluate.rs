//! `mta evaluate`: input -> journeys -> models -> each model scored against
//! a truth file (`channel,share`), best first: which model recovers a
//! known answer on data shaped like the user's.

use anyhow::Result;
use clap::Args;

use super::args::RunArgs;
use super::pipeline::{self, AddOns};
use super::plan::{Formats, InputConfig, Plan, TABULAR};
use crate::output::{OutputFormat, views};

/// Arguments of `mta evaluate`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct EvaluateArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The true shares: CSV `channel,share` (other columns ignored; shares normalised to sum 1), e.g. `truth.csv` of `mta simulate`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    truth: String,
}

/// What `mta evaluate` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta evaluate",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// Runs `mta evaluate`.
pub fn run(args: EvaluateArgs) -> Result<()> {
    let plan = Plan::new(args.run.into(), &FORMATS, |plan| {
        super::plan::refusals::lift(plan, false, "mta evaluate", &[])
    })?;
    // Read and checked before the events: a wrong truth file costs no work.
    let truth = load_truth(&args.truth, &plan)?;
    let mut run = pipeline::run(&plan, AddOns::default())?;
    let (scores, warnings) = crate::report::evaluate::score(&run.report, &truth);
    let out = &plan.output;
    if !out.quiet {
        run.notes.extend(warnings.into_iter().map(|w| format!("warning: {w}")));
        pipeline::tell(run.summary());
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::evaluation(&scores), out.format, &out.style, w)
    })
}

/// The truth file, read with the input's encoding.
pub(super) fn load_truth(file: &str, plan: &Plan) -> Result<crate::input::truth::Truth> {
    let dialect = match &plan.input {
        InputConfig::Events { spec, .. } => spec.dialect,
        InputConfig::Paths { dialect, .. } => *dialect,
    };
    Ok(crate::input::truth::load(&crate::input::Source::from_arg(file), &dialect)?)
}
