//! `mta markov`: the Markov model's details (removal effects, transition
//! matrix, P(conversion)) for analysts who want to see inside the credits.

use anyhow::Result;
use clap::Args;

use super::args::{Formats, TABULAR};
use super::pipeline;
use super::{InputArgs, MarkovArgs, OutputArgs};
use crate::model::{ModelConfig, ModelKind};
use crate::output::OutputFormat;
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

/// What `mta markov` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta markov",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: Some("`mta report --models markov -o report.html` for charts"),
};

/// Runs `mta markov`.
pub fn run(args: MarkovCmdArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let model_cfg = ModelConfig {
        markov: args.markov.config(),
        ..ModelConfig::default()
    };
    let report = match pipeline::load_or_partition(&input, &journey_cfg)? {
        pipeline::Loaded::Whole(journeys, summary) => Report::compute(summary, &journeys, &[ModelKind::Markov.build(&model_cfg)])?,
        // Out of core: transition counts add up group by group.
        pipeline::Loaded::Parted(parted) => pipeline::report_of_parts(&parted, &journey_cfg, &[ModelKind::Markov], &model_cfg)?.0,
    };
    let details = MarkovReport::from_report(&report).expect("the Markov model ran");
    if !out.quiet {
        let mut lines: Vec<String> = crate::output::summary::rows_left_out(&report.input);
        lines.extend(pipeline::out_of_core_note(&report.input));
        lines.extend(pipeline::run_notes(Vec::new(), &report));
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
