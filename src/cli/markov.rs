//! `mta markov`: the Markov model's details (removal effects, transition
//! matrix, P(conversion)) for analysts who want to see inside the credits.

use anyhow::Result;
use clap::Args;

use super::{InputArgs, MarkovArgs, OutputArgs};
use crate::model::{ModelConfig, ModelKind};
use crate::output::markov::{MarkovView, export};
use crate::report::Report;
use crate::report::markov::MarkovReport;

/// Arguments of `mta markov`.
#[derive(Debug, Args)]
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

/// Runs `mta markov`.
pub fn run(args: MarkovCmdArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let out = args.output.into_config(super::stdout_is_terminal())?;
    if out.format == crate::output::OutputFormat::Parquet {
        return Err(crate::Error::usage("`mta markov` does not write Parquet", "use `--format csv` or `--format json`").into());
    }
    let (journeys, summary) = super::attribute::load(&input, &journey_cfg)?;
    if !out.quiet
        && let Some(note) = super::attribute::skipped_note(&summary)
    {
        eprintln!("{note}");
    }
    let models = vec![ModelKind::Markov.build(&ModelConfig {
        markov: args.markov.config(),
        ..ModelConfig::default()
    })];
    let report = Report::compute(summary, &journeys, &models)?;
    if !out.quiet {
        for line in super::attribute::with_run_notes(Vec::new(), &report) {
            eprintln!("{line}");
        }
    }
    let report = MarkovReport::from_report(&report, &journeys).expect("the Markov model ran");
    if !out.quiet {
        eprintln!(
            "markov order {}: {} states, {} transitions, P(conversion) = {:.6}",
            report.order,
            report.states,
            report.transitions.len(),
            report.p_conversion
        );
    }
    let view = if args.transitions {
        MarkovView::Transitions
    } else {
        MarkovView::RemovalEffects
    };
    super::write_output(&out.target, |w| export(&report, out.format, view, out.options.styled, w))
}
