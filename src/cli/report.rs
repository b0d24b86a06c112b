//! `mta report`: input -> journeys -> models -> report + journey overview
//! (+ the Markov model's solved chain) -> one self-contained HTML page.
//!
//! Progress lines go to stderr only when it is a terminal and not `--quiet`.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;

use super::args::RunArgs;
use super::pipeline::{self, AddOns};
use super::plan::{Formats, Plan, Target, refusals};
use crate::output::OutputFormat;
use crate::output::html::Extras;
use crate::report::markov::MarkovReport;
use crate::report::overview::JourneyOverview;

/// Arguments of `mta report` (the page goes to `report.html` unless `-o` says otherwise).
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct ReportArgs {
    #[command(flatten)]
    run: RunArgs,
    /// With `--costs`: the largest change of a channel's spend in the proposed reallocation (as in `mta budget`).
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION", help_heading = "Costs")]
    max_change: f64,
    /// Add a chart of each channel's share per period of the conversion time (`day`, `week` or `month`, in `--timezone`) under the data-driven model; or `conversion-type`: a funnel section, each type's conversions per channel and (with `--costs`) its cost per conversion.
    #[arg(long, value_enum, value_name = "PERIOD", help_heading = "Output")]
    by: Option<crate::journey::Dimension>,
    /// Add a table scoring every model against the true shares of this file (`channel,share`, e.g. `truth.csv` of `mta simulate`), as `mta evaluate` does.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    truth: Option<String>,
    /// With `--costs`, `--robust`: each channel's direction over the scenarios beside the proposed reallocation, as `mta budget --robust` gives it.
    #[command(flatten)]
    robust: super::args::RobustArgs,
    /// Resample journeys N times: 95% intervals on every credit, on ROAS and on the proposed reallocation's changes.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..), help_heading = "Uncertainty")]
    bootstrap: Option<u32>,
    /// Seed of the bootstrap's resampling (same seed, same intervals).
    #[arg(long, default_value_t = 0, value_name = "S", help_heading = "Uncertainty")]
    seed: u64,
    /// The page's language: headings, labels and captions, numbers (`1.234,56` in German) and dates (`07.12.2026`).
    #[arg(long, value_enum, default_value_t = crate::output::html::Lang::En, value_name = "LANG", help_heading = "Output")]
    lang: crate::output::html::Lang,
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
    let quiet = args.run.output.quiet;
    let progress = |what: &str| {
        if !quiet && std::io::stderr().is_terminal() {
            pipeline::tell([format!("{what}…")]);
        }
    };
    args.run.output.output.get_or_insert_with(|| DEFAULT_FILE.into());
    let (max_change, by) = (args.max_change, args.by);
    let (robust, agreement) = (args.robust.robust, args.robust.agreement);
    let agreement_refusal = args.robust.refusal();
    let mut plan = Plan::new(args.run.into(), &FORMATS, |plan| {
        let mut list = refusals::report(plan, max_change, by);
        list.extend(refusals::lift(plan, true, "mta report", &[]));
        list.extend([
            super::plan::Refusal::when(
                robust && !plan.costs_given,
                "`--robust` weighs the proposed reallocation, which needs spend",
                "give it with `--costs FILE`",
            ),
            agreement_refusal,
        ]);
        list
    })?;
    let lookbacks = args.robust.lookbacks_ms()?;
    let period = by.filter(|d| d.is_period()).map(|d| (d, plan.zone()));
    let truth = args.truth.as_deref().map(|t| super::evaluate::load_truth(t, &plan)).transpose()?;
    progress("reading input, building journeys and running models");
    let bootstrap = args.bootstrap.map(|n| (n as usize, args.seed));
    let add = AddOns {
        compare: true,
        journeys: true,
        bootstrap,
        ..AddOns::default()
    };
    let run = pipeline::run(&plan, add)?;
    let (report, journeys, models) = (&run.report, run.journeys.as_ref().expect("kept in memory"), &run.models);
    let mut notes = run.notes.clone();
    let evaluation = truth.as_ref().map(|t| {
        let (scores, warnings) = crate::report::evaluate::score(report, t);
        notes.extend(warnings.into_iter().map(|w| format!("warning: {w}")));
        scores
    });
    let budget = match &plan.costs {
        None => None,
        Some(file) => {
            let costs = file.totals(report.input.times.span());
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
            // With `--lift`, on calibrated value, as `mta budget --lift`.
            let mut calibrated = None;
            if plan.lift.is_some() {
                let mut r = report.clone();
                crate::report::calibration::use_calibrated(&mut r);
                calibrated = Some(r);
            }
            let basis = calibrated.as_ref().unwrap_or(report);
            // With `--bootstrap`, the changes' intervals from the same replicates' credits.
            let mut runs = bootstrap
                .map(|(n, seed)| crate::report::bootstrap::replicate_credits(report, journeys, models, n, seed))
                .transpose()?;
            if let Some(runs) = runs.as_mut().filter(|_| plan.lift.is_some()) {
                crate::report::calibration::calibrate_replicates(report, runs);
            }
            let resampled = runs.as_ref().map(|runs| crate::report::budget::Resampled { runs });
            match crate::report::budget::reallocate(basis, &costs, None, by, max_change, &none, &shown, resampled) {
                Ok((mut rows, _)) if robust => {
                    let shared = super::budget::Shared {
                        total: None,
                        share_of: by,
                        max_change,
                        new_spend: &none,
                    };
                    let directions = super::budget::robust(
                        &mut plan,
                        report,
                        (&lookbacks, &args.robust.lookbacks),
                        agreement,
                        (&shared, None),
                        &mut notes,
                    )?;
                    for r in &mut rows {
                        r.robust = directions.get(&r.channel.trim().to_lowercase()).copied();
                    }
                    Some(rows)
                }
                Ok((rows, _)) => Some(rows),
                Err((model, u)) => {
                    let message = super::budget::unreachable_message(model, costs.total(), max_change, u);
                    notes.push(format!("note: no reallocation shown: {message}"));
                    None
                }
            }
        }
    };
    progress("summarising journeys");
    let overview = JourneyOverview::compute(journeys);
    let markov = MarkovReport::from_report(report);
    // Roles and reach do not depend on the model; the table's credit
    // columns are not shown, so any model's report will do.
    let scorecard = report.models.first().map(|m| crate::report::scorecard::compute(journeys, m));
    let over_time = match period {
        None => None,
        Some((dimension, zone)) => {
            progress("splitting credit by period");
            crate::report::periods::ShareOverTime::of_data_driven(journeys, models, report, dimension, zone)?
        }
    };
    let funnel = match by {
        Some(crate::journey::Dimension::ConversionType) => {
            progress("crediting each conversion type");
            let types = [crate::journey::Dimension::ConversionType];
            let split = pipeline::run_segments(&plan, &types, None)?;
            let order: &[String] = match &plan.input {
                super::plan::InputConfig::Events { spec, .. } => spec.conversion_types.as_deref().unwrap_or_default(),
                super::plan::InputConfig::Paths { .. } => &[],
            };
            let spend = split.report.input.costs.as_ref().map(|c| c.total_spend);
            crate::report::funnel::shown_model(&split.report)
                .and_then(|m| crate::report::funnel::Funnel::of(&split.report, m, order, spend))
        }
        _ => None,
    };
    progress("writing report");
    let extras = Extras {
        overview: Some(&overview),
        markov: markov.as_ref(),
        budget: budget.as_deref(),
        scorecard: scorecard.as_deref(),
        over_time: over_time.as_ref(),
        funnel: funnel.as_ref(),
        evaluation: evaluation.as_deref(),
        lang: args.lang,
    };
    let out = &plan.output;
    super::write_output(&out.target, |w| crate::output::html::write(report, extras, w))?;
    if !quiet {
        let mut lines: Vec<String> = crate::output::summary::rows_left_out(&report.input);
        lines.extend(pipeline::run_notes(notes, report));
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
