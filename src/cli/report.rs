//! `mta report`: input -> journeys -> models -> report + journey overview
//! (+ the Markov model's solved chain) -> one self-contained HTML page.
//!
//! Progress lines go to stderr only when it is a terminal and not `--quiet`.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;

use super::args::CostArgs;
use super::args::{Formats, Target};
use super::pipeline;
use super::{InputArgs, ModelArgs, OutputArgs};
use crate::output::OutputFormat;
use crate::output::html::Extras;
use crate::report::Report;
use crate::report::cross_model::compare_models;
use crate::report::markov::MarkovReport;
use crate::report::overview::JourneyOverview;

/// Arguments of `mta report` (the page goes to `report.html` unless `-o` says otherwise).
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    #[command(flatten)]
    costs: CostArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// With `--costs`: the largest change of a channel's spend in the proposed reallocation (as in `mta budget`).
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION", help_heading = "Costs")]
    max_change: f64,
    /// Add a chart of each channel's share per period of the conversion time (`day`, `week` or `month`, in `--timezone`) under the data-driven model.
    #[arg(long, value_enum, value_name = "PERIOD", help_heading = "Output")]
    by: Option<crate::journey::Dimension>,
}

/// `mta report` writes one format.
pub(super) const FORMATS: Formats = Formats {
    command: "mta report",
    supported: &[OutputFormat::Html],
    default: OutputFormat::Html,
    elsewhere: Some("use `mta attribute` for tables, CSV, JSON, Markdown or Parquet"),
};

/// Where the page goes without `-o`.
const DEFAULT_FILE: &str = "report.html";

/// Runs `mta report`.
pub fn run(mut args: ReportArgs) -> Result<()> {
    let quiet = args.output.quiet;
    let progress = |what: &str| {
        if !quiet && std::io::stderr().is_terminal() {
            pipeline::tell([format!("{what}…")]);
        }
    };
    let (input, journey_cfg) = args.input.into_config()?;
    let (asked, model_cfg) = args.models.into_config()?;
    args.output.output.get_or_insert_with(|| DEFAULT_FILE.into());
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let cost_spec = args.costs.into_spec(&input, &journey_cfg)?;
    super::budget::check_max_change(args.max_change)?;
    let period = match args.by {
        Some(d) if !d.is_period() => {
            return Err(crate::Error::usage(
                format!(
                    "`mta report --by` takes a period: `day`, `week` or `month`, not `{}`",
                    crate::output::clap_name(d)
                ),
                "split by conversion type with `mta attribute --by conversion-type`",
            )
            .into());
        }
        by => super::attribute::period_of(by.as_slice(), &input)?,
    };
    // Read and checked before the events: a wrong column costs no work.
    let cost_file = cost_spec.as_ref().map(crate::input::costs::load).transpose()?;
    progress("reading input and building journeys");
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let (models, notes) = pipeline::models(&asked, &model_cfg, &journeys)?;
    progress(&format!("running models ({})", models.len()));
    let mut report = Report::compute(summary, &journeys, &models)?;
    report.comparison = Some(compare_models(&report));
    let mut notes = notes;
    let budget = match &cost_file {
        None => None,
        Some(file) => {
            let costs = crate::report::costs::apply_file(&mut report, file);
            // The data-driven model when it ran, else the first.
            let shown = report
                .models
                .iter()
                .map(|m| m.model)
                .find(|&k| k == crate::model::ModelKind::Markov)
                .into_iter()
                .chain(report.models.first().map(|m| m.model))
                .take(1)
                .collect::<Vec<_>>();
            let by = crate::report::budget::ShareOf::Value;
            let none = crate::report::budget::NewSpend::Nowhere;
            match crate::report::budget::reallocate(&report, &costs, None, by, args.max_change, &none, &shown, None) {
                Ok((rows, _)) => Some(rows),
                Err((model, u)) => {
                    let message = super::budget::unreachable_message(model, costs.total(), args.max_change, u);
                    notes.push(format!("note: no reallocation shown: {message}"));
                    None
                }
            }
        }
    };
    progress("summarising journeys");
    let overview = JourneyOverview::compute(&journeys);
    let markov = MarkovReport::from_report(&report);
    // Roles and reach do not depend on the model; the table's credit
    // columns are not shown, so any model's report will do.
    let scorecard = report.models.first().map(|m| crate::report::scorecard::compute(&journeys, m));
    let over_time = match period {
        None => None,
        Some((dimension, zone)) => {
            progress("splitting credit by period");
            crate::report::periods::ShareOverTime::of_data_driven(&journeys, &models, &report, dimension, zone)?
        }
    };
    progress("writing report");
    let extras = Extras {
        overview: Some(&overview),
        markov: markov.as_ref(),
        budget: budget.as_deref(),
        scorecard: scorecard.as_deref(),
        over_time: over_time.as_ref(),
    };
    super::write_output(&out.target, |w| crate::output::html::write(&report, extras, w))?;
    if !quiet {
        let mut lines: Vec<String> = crate::output::summary::rows_left_out(&report.input);
        lines.extend(pipeline::run_notes(notes, &report));
        if let Target::File(p) = &out.target {
            lines.push(format!(
                "wrote {} (channels: {}, models: {})",
                p.display(),
                journeys.channels().len(),
                report.models.len()
            ));
        }
        pipeline::tell(lines);
    }
    Ok(())
}
