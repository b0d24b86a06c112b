//! `mta attribute`: input -> journeys -> models -> report -> output.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{InputConfig, OutputConfig};
use super::{InputArgs, ModelArgs, OutputArgs};
use crate::input::{self, Source};
use crate::journey::{self, JourneyConfig, Journeys};
use crate::model::ModelKind;
use crate::output::{OutputFormat, exporter};
use crate::report::per_conversion::PerConversion;
use crate::report::{InputSummary, Report};

/// Arguments of `mta attribute`.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Show each channel's share and rank under every model and the largest disagreement (table, CSV and JSON).
    #[arg(long, help_heading = "Output", conflicts_with = "per_conversion")]
    compare_models: bool,
    /// Resample journeys N times and add 95% percentile intervals to every credit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..), help_heading = "Uncertainty")]
    bootstrap: Option<u32>,
    /// Seed of the bootstrap's resampling (same seed, same intervals).
    #[arg(long, default_value_t = 0, value_name = "S", help_heading = "Uncertainty")]
    seed: u64,
    /// One row per conversion, model and channel (`customer_id,converted_at,model,channel,credit,value`) instead of totals; CSV unless `--format json|parquet`.
    #[arg(long, help_heading = "Output")]
    per_conversion: bool,
}

/// Runs `mta attribute`.
pub fn run(args: AttributeArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let (asked, model_cfg) = args.models.into_config()?;
    let out = args.output.into_config(super::stdout_is_terminal())?;
    let (journeys, summary) = load(&input, &journey_cfg)?;
    let (models, notes) = build_models(&asked, &model_cfg, &journeys)?;
    if args.per_conversion {
        return per_conversion(&journeys, &models, &asked, summary, notes, out);
    }
    let mut report = Report::compute(summary, &journeys, &models)?;
    if let Some(n) = args.bootstrap {
        crate::report::bootstrap::add_intervals(&mut report, &journeys, &models, n as usize, args.seed)?;
    }
    if args.compare_models {
        report.comparison = Some(crate::report::cross_model::compare_models(&report));
    }
    if !out.quiet {
        print_summary(&report.input, &with_run_notes(notes, &report));
    }
    write(&report, &out)
}

/// Notes for stderr: those of choosing the models, then what the models
/// decided and warned about.
pub(crate) fn with_run_notes(notes: Vec<String>, report: &Report) -> Vec<String> {
    notes
        .into_iter()
        .chain(report.notes.iter().map(|n| format!("note: {n}")))
        .chain(report.warnings.iter().map(|w| format!("warning: {w}")))
        .collect()
}

/// Built models, in the order they run.
pub(crate) type Models = Vec<Box<dyn crate::model::AttributionModel>>;

/// The models to run on these journeys, with notes for the user: the
/// default set, or those asked for.
pub(crate) fn build_models(
    asked: &[ModelKind],
    model_cfg: &crate::model::ModelConfig,
    journeys: &Journeys,
) -> Result<(Models, Vec<String>)> {
    let (kinds, notes) = select_models(asked, journeys)?;
    Ok((kinds.iter().map(|k| k.build(model_cfg)).collect(), notes))
}

/// `--per-conversion`: rows of every model that splits single journeys.
fn per_conversion(
    journeys: &Journeys,
    models: &[Box<dyn crate::model::AttributionModel>],
    asked: &[ModelKind],
    summary: InputSummary,
    mut notes: Vec<String>,
    out: OutputConfig,
) -> Result<()> {
    if !journeys.is_timed() {
        return Err(crate::Error::usage(
            "`--per-conversion` needs touchpoint events: path aggregates have no customers or conversion times",
            "read the events file instead of `--paths`",
        )
        .into());
    }
    let mut splits = Vec::new();
    for m in models {
        match m.journey_split(journeys)? {
            Some(split) => splits.push(split),
            None if !asked.is_empty() => {
                return Err(crate::Error::usage(
                    format!("model `{}` has no per-conversion split", m.kind()),
                    "drop it from `--models` for `--per-conversion`",
                )
                .into());
            }
            None => notes.push(format!("note: model `{}` left out: it has no per-conversion split", m.kind())),
        }
    }
    if !out.quiet {
        print_summary(&summary, &notes);
    }
    let format = match out.format {
        OutputFormat::Table => OutputFormat::Csv,
        f => f,
    };
    let rows = PerConversion::new(journeys, splits);
    super::write_output(&out.target, |w| {
        crate::output::per_conversion::export(&rows, format, out.options.excel_safe, w)
    })
}

/// Reads the input and rebuilds journeys.
pub(crate) fn load(input: &InputConfig, cfg: &JourneyConfig) -> Result<(Journeys, InputSummary)> {
    let sources = match input {
        InputConfig::Events { spec, .. } => &spec.sources,
        InputConfig::Paths { sources, .. } => sources,
    };
    if (sources.is_empty() || sources.contains(&Source::Stdin)) && super::stdin_is_terminal() {
        return Err(crate::Error::usage(
            "no input: stdin is a terminal",
            "pass an input file, or pipe CSV into mta (`mta attribute events.csv`)",
        )
        .into());
    }
    match input {
        InputConfig::Events { spec, rejects } => {
            let events = input::load(spec)?;
            write_rejects(rejects.as_deref(), &events.rejections)?;
            let (journeys, stats) = journey::build(&events, cfg);
            let mut files = events.files.clone();
            let conversions_read = match &events.conversions {
                input::Conversions::Inline { flag, .. } => flag.iter().filter(|&&f| f).count(),
                input::Conversions::Separate { file, time, .. } => {
                    files.push(file.clone());
                    time.len()
                }
                input::Conversions::None => 0,
            };
            let summary = InputSummary::new("events", &files, &stats, events.ignored_values)
                .with_input_counts(conversions_read as f64, &events.rejections);
            Ok((journeys, summary))
        }
        InputConfig::Paths {
            sources,
            delimiter,
            sep,
            on_error,
            rejects,
        } => {
            let table = input::paths::load(sources, *delimiter, sep, *on_error)?;
            write_rejects(rejects.as_deref(), &table.rejections)?;
            let (journeys, stats) = journey::from_paths(&table, cfg);
            let conversions_read = (0..table.len()).map(|i| table.row(i).1).sum();
            let summary = InputSummary::new("paths", &table.files, &stats, 0).with_input_counts(conversions_read, &table.rejections);
            Ok((journeys, summary))
        }
    }
}

/// `--rejects FILE`: every skipped row, written (atomically) even when there
/// are none, so a pipeline can always read the file.
fn write_rejects(path: Option<&std::path::Path>, rejections: &[input::Rejection]) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let target = super::args::Target::File(path.to_path_buf());
    super::write_output(&target, |w| crate::output::rejects::export(rejections, w))
}

/// The models to run: those asked for (an error if one cannot run on this
/// input), or every model the input supports (with a note for each left out).
pub(crate) fn select_models(asked: &[ModelKind], journeys: &Journeys) -> Result<(Vec<ModelKind>, Vec<String>)> {
    if !asked.is_empty() {
        if let Some((k, why)) = asked.iter().find_map(|k| k.unsupported_reason(journeys).map(|w| (k, w))) {
            let hint = if *k == ModelKind::TimeDecay {
                "drop it from `--models`, or read touchpoint events instead of `--paths`"
            } else {
                "drop it from `--models`"
            };
            return Err(crate::Error::usage(format!("model `{k}` {why}"), hint).into());
        }
        return Ok((asked.to_vec(), Vec::new()));
    }
    let mut notes = Vec::new();
    let kinds = ModelKind::ALL
        .into_iter()
        .filter(|k| match k.unsupported_reason(journeys) {
            Some(why) => {
                notes.push(format!("note: model `{k}` left out: it {why}"));
                false
            }
            None => true,
        })
        .collect();
    Ok((kinds, notes))
}

fn print_summary(s: &InputSummary, notes: &[String]) {
    let mut err = std::io::stderr().lock();
    let files = s.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut lines = vec![match s.distinct_paths {
        None => format!("read {} rows from {files}", group(s.rows_read as f64, 0)),
        Some(n) => format!(
            "read {} path rows from {files}; {} distinct paths after merging duplicates",
            group(s.rows_read as f64, 0),
            group(n as f64, 0)
        ),
    }];
    lines.extend(skipped_note(s));
    let who = s
        .customers
        .map(|c| format!(" from {} customers", group(c as f64, 0)))
        .unwrap_or_default();
    lines.push(format!(
        "{} journeys{who} ({} converting); {} conversions, revenue {}",
        group(s.journeys, if s.journeys.fract() == 0.0 { 0 } else { 2 }),
        group(s.converting_journeys, if s.converting_journeys.fract() == 0.0 { 0 } else { 2 }),
        group(s.conversions, if s.conversions.fract() == 0.0 { 0 } else { 2 }),
        group(s.revenue, 2)
    ));
    if s.unattributed_conversions > 0 {
        lines.push(format!(
            "unattributed: {} conversions (revenue {}) had no touch before them",
            group(s.unattributed_conversions as f64, 0),
            group(s.unattributed_value, 2)
        ));
    }
    if s.dropped_by_lookback > 0 {
        lines.push(format!("lookback dropped {} touches", group(s.dropped_by_lookback as f64, 0)));
    }
    if s.dropped_by_max_touches > 0 {
        lines.push(format!("max-touches dropped {} touches", group(s.dropped_by_max_touches as f64, 0)));
    }
    if s.ignored_values > 0 {
        lines.push(format!(
            "ignored values on {} non-converting rows",
            group(s.ignored_values as f64, 0)
        ));
    }
    if let (Some(a), Some(b)) = (&s.first_touch, &s.last_touch) {
        lines.push(format!("touches from {a} to {b}"));
    }
    for line in lines.iter().chain(notes) {
        let _ = writeln!(err, "{line}");
    }
}

/// `--on-error skip`: how many rows were skipped and why, when any were.
pub(crate) fn skipped_note(s: &InputSummary) -> Option<String> {
    if s.rows_skipped == 0 {
        return None;
    }
    let reasons = s
        .skipped_by_reason
        .iter()
        .map(|(k, n)| format!("{} {}", group(*n as f64, 0), k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "skipped {} bad rows ({reasons}); used {}",
        group(s.rows_skipped as f64, 0),
        group(s.rows_used as f64, 0)
    ))
}

/// `1234567.891` -> `1,234,567.89` for the human summary.
fn group(x: f64, places: usize) -> String {
    let s = crate::output::fixed(x, places);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}{}", frac.map(|f| format!(".{f}")).unwrap_or_default())
}

/// Writes the report in the configured format and place.
pub(crate) fn write(report: &Report, out: &OutputConfig) -> Result<()> {
    let exporter = exporter(out.format, out.options);
    super::write_output(&out.target, |w| exporter.export(report, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelConfig;

    #[test]
    fn thousands_separators() {
        assert_eq!(group(1234567.891, 2), "1,234,567.89");
        assert_eq!(group(999.0, 0), "999");
        assert_eq!(group(1000.0, 0), "1,000");
        assert_eq!(group(-1234.5, 1), "-1,234.5");
    }

    #[test]
    fn default_models_leave_out_unsupported_ones_with_a_note() {
        let paths = Journeys::from_paths(&[(&["a"], 1.0, 0.0, 0.0)]);
        let (kinds, notes) = select_models(&[], &paths).unwrap();
        assert!(!kinds.contains(&ModelKind::TimeDecay));
        assert_eq!(notes.len(), 1);
        assert!(select_models(&[ModelKind::TimeDecay], &paths).is_err());
        let mut timed = Journeys::new(vec!["a".into()], true);
        timed.push(&[0], Some(&[0]), 1.0, 0.0, 0.0, Some(0));
        assert_eq!(select_models(&[], &timed).unwrap().0, ModelKind::ALL.to_vec());
        // Too many channels for Shapley's bit sets: left out by default, refused by name.
        let names: Vec<String> = (0..200).map(|i| format!("c{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let wide = Journeys::from_paths(&[(&refs, 1.0, 0.0, 0.0)]);
        let (kinds, notes) = select_models(&[], &wide).unwrap();
        assert!(!kinds.contains(&ModelKind::Shapley) && notes.iter().any(|n| n.contains("group rare channels")));
        assert!(select_models(&[ModelKind::Shapley], &wide).is_err());
    }

    #[test]
    fn model_config_default_matches_flags() {
        let cfg = ModelConfig::default();
        assert_eq!(cfg.position_weights, [0.4, 0.2, 0.4]);
    }
}
