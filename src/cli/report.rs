//! `mta report`: input -> journeys -> models -> report + journey overview
//! (+ Markov details) -> one self-contained HTML page.
//!
//! Progress lines go to stderr only when it is a terminal and not `--quiet`.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use clap::Args;

use super::args::Target;
use super::{InputArgs, ModelArgs};
use crate::output::Exporter;
use crate::output::html::{Extras, HtmlExporter};
use crate::report::Report;
use crate::report::markov::MarkovReport;
use crate::report::overview::JourneyOverview;

/// Arguments of `mta report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    /// HTML file to write; `-` is stdout.
    #[arg(short, long, value_name = "FILE", default_value = "report.html", help_heading = "Output")]
    output: String,
    /// No progress, notes or summary on stderr.
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

/// Stage lines on stderr, when someone is watching it.
struct Progress {
    on: bool,
}

impl Progress {
    fn stage(&self, what: &str) {
        if self.on {
            let _ = writeln!(std::io::stderr(), "{what}…");
        }
    }
}

/// Runs `mta report`.
pub fn run(args: ReportArgs) -> Result<()> {
    let progress = Progress {
        on: !args.quiet && std::io::stderr().is_terminal(),
    };
    let (input, journey_cfg) = args.input.into_config()?;
    let (asked, model_cfg) = args.models.into_config()?;
    let target = match args.output.as_str() {
        "-" => Target::Stdout,
        p => Target::File(p.into()),
    };
    progress.stage("reading input and building journeys");
    let (journeys, summary) = super::attribute::load(&input, &journey_cfg)?;
    let (models, notes) = super::attribute::build_models(&asked, &model_cfg, &journeys)?;
    progress.stage(&format!("running models ({})", models.len()));
    let mut report = Report::compute(summary, &journeys, &models)?;
    report.comparison = Some(crate::report::cross_model::compare_models(&report));
    progress.stage("summarising journeys");
    let overview = JourneyOverview::compute(&journeys);
    let markov = MarkovReport::from_report(&report, &journeys);
    progress.stage("writing report");
    let exporter = HtmlExporter {
        extras: Extras {
            overview: Some(&overview),
            markov: markov.as_ref(),
        },
    };
    super::write_output(&target, |w| exporter.export(&report, w))?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        let skipped = super::attribute::skipped_note(&report.input);
        for line in skipped.into_iter().chain(super::attribute::with_run_notes(notes, &report)) {
            let _ = writeln!(err, "{line}");
        }
        if let Target::File(p) = &target {
            let _ = writeln!(
                err,
                "wrote {} (channels: {}, models: {})",
                p.display(),
                journeys.channels().len(),
                report.models.len()
            );
        }
    }
    Ok(())
}
