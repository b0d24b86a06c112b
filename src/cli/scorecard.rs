//! `mta scorecard`: input -> journeys -> the chosen model -> one row of
//! reach, conversion rate, roles and timing per channel.

use anyhow::Result;
use clap::Args;

use super::args::{CostArgs, Formats, TABULAR};
use super::{InputArgs, ModelArgs, OutputArgs, pipeline};
use crate::model::ModelKind;
use crate::output::{OutputFormat, views};
use crate::report::Report;

/// Arguments of `mta scorecard`.
#[derive(Debug, Args)]
pub struct ScorecardArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    #[command(flatten)]
    costs: CostArgs,
    #[command(flatten)]
    output: OutputArgs,
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
    let (input, journey_cfg) = args.input.into_config()?;
    let (_, model_cfg) = args.models.into_config()?;
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let cost_spec = args.costs.into_spec(&input, &journey_cfg)?;
    pipeline::refuse_terminal_stdin(&input)?;
    // Read and checked before the events: a wrong column costs no work.
    let cost_file = cost_spec.as_ref().map(crate::input::costs::load).transpose()?;
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let (models, notes) = pipeline::models(&[args.model], &model_cfg, &journeys)?;
    let mut report = Report::compute(summary, &journeys, &models)?;
    if let Some(file) = &cost_file {
        crate::report::costs::apply_file(&mut report, file);
    }
    let mut rows = crate::report::scorecard::compute(&journeys, &report.models[0]);
    // A table is read top down: the channels that earn the most first.
    // Files keep channel order, like every other export.
    if matches!(out.format, OutputFormat::Table | OutputFormat::Markdown) {
        rows.sort_by(|a, b| b.conversions.total_cmp(&a.conversions).then_with(|| a.channel.cmp(&b.channel)));
    }
    if !out.quiet {
        let mut notes = notes;
        notes.push(format!("note: conversions and value are `{}`'s credits", args.model));
        pipeline::tell(crate::output::summary::lines(&report.input, &pipeline::run_notes(notes, &report)));
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::Scorecard(&rows), out.format, &out.style, w)
    })
}
