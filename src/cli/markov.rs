//! `mta markov`: the Markov model's details (removal effects, transition
//! matrix, P(conversion)) for analysts who want to see inside the credits.

use anyhow::Result;
use clap::Args;

use super::pipeline::{self, AddOns};
use super::plan::{Formats, Parts, Plan, TABULAR};
use super::{InputArgs, MarkovArgs, OutputArgs};
use crate::model::ModelKind;
use crate::output::OutputFormat;
use crate::report::markov::MarkovReport;

/// Arguments of `mta markov`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct MarkovCmdArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    markov: MarkovArgs,
    /// Show the transition matrix (`from,to,probability,count`) instead of the removal effects (JSON has both).
    #[arg(long, help_heading = "Output")]
    transitions: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta markov` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta markov",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: Some("`mta report --models markov -o report.html` for charts"),
};

/// Runs `mta markov`.
pub fn run(args: MarkovCmdArgs) -> Result<()> {
    let mut plan = Plan::new(Parts::events(args.input, args.output), &FORMATS, |_| Vec::new())?;
    plan.models = vec![ModelKind::Markov];
    plan.model_cfg.markov = args.markov.config();
    // Out of core, transition counts add up group by group.
    let run = pipeline::run(&plan, AddOns::default())?;
    let (report, out) = (&run.report, &plan.output);
    let details = MarkovReport::from_report(report).expect("the Markov model ran");
    if !out.quiet {
        let mut lines: Vec<String> = crate::output::summary::rows_left_out(&report.input);
        lines.extend(pipeline::out_of_core_note(&report.input));
        lines.extend(pipeline::run_notes(Vec::new(), report));
        lines.push(format!(
            "markov order {}: {} states, {} transitions, P(conversion) = {:.6}",
            details.order,
            details.states,
            details.transitions.len(),
            details.p_conversion
        ));
        pipeline::tell(lines);
    }
    super::write_output(&out.target, |w| {
        crate::output::write_markov(&details, args.transitions, out.format, &out.style, w)
    })
}
