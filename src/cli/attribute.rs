//! `mta attribute`: input -> journeys -> models -> report -> output.

use anyhow::Result;
use clap::Args;

use super::args::CostArgs;
use super::args::{EVERY, Formats, OutputConfig};
use super::pipeline::{self, Models};
use super::{InputArgs, ModelArgs, OutputArgs};
use crate::journey::{Dimension, Journeys, Segment};
use crate::model::ModelKind;
use crate::output::{Metric, OutputFormat, views};
use crate::report::Report;
use crate::report::cross_model::compare_models;
use crate::report::per_conversion::PerConversion;
use crate::report::periods::Periods;
use rayon::prelude::*;

/// Arguments of `mta attribute`.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    #[command(flatten)]
    costs: CostArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Figure the table and Markdown formats show (`spend`, `cpa` and `roas` need `--costs`).
    #[arg(long, value_enum, default_value_t = Metric::Conversions, help_heading = "Output")]
    metric: Metric,
    /// Show each channel's share and rank under every model and the largest disagreement.
    #[arg(long, help_heading = "Output", conflicts_with = "per_conversion")]
    compare_models: bool,
    /// Resample journeys N times and add 95% percentile intervals to every credit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..), help_heading = "Uncertainty")]
    bootstrap: Option<u32>,
    /// Seed of the bootstrap's resampling (same seed, same intervals).
    #[arg(long, default_value_t = 0, value_name = "S", help_heading = "Uncertainty")]
    seed: u64,
    /// Split the results by these dimensions: `conversion-type` (each type's conversions close only that type's journeys) and one period of the conversion time, `day`, `week` (ISO, from Monday) or `month` (in `--timezone`). CSV and Parquet gain a leading column per dimension (`conversion_type`, `period`) in the order given, JSON a key on each model entry, the table a block per segment (with `--metric share` and one model, a column per period).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "DIM[,DIM...]", help_heading = "Output")]
    by: Vec<Dimension>,
    /// One row per conversion, model and channel (`customer_id,converted_at,model,channel,credit,value`) instead of totals; CSV unless `--format json|parquet`.
    #[arg(long, help_heading = "Output")]
    per_conversion: bool,
    /// Markov transition counts instead of events: `from,to,count[,value]`, as `mta sql --output transitions` writes them (`-` reads stdin); runs `markov` at the order they were written with (`--markov-order K`).
    #[arg(long, value_name = "FILE", help_heading = "Input", conflicts_with_all = TRANSITIONS_CONFLICTS)]
    transitions: Option<String>,
}

/// Flags that shape journeys from events: transition counts are the chain
/// already, so with `--transitions` they would be silently ignored.
const TRANSITIONS_CONFLICTS: [&str; 35] = [
    "inputs",
    "paths",
    "ga4",
    "ga4_identity",
    "conversions",
    "customer_col",
    "time_col",
    "channel_col",
    "conversion_col",
    "source_col",
    "medium_col",
    "campaign_col",
    "channel_rules",
    "type_col",
    "event_col",
    "conversion_events",
    "conversion_types",
    "value_col",
    "order_col",
    "time_format",
    "timezone",
    "lookback",
    "session_gap",
    "max_touches",
    "journey_mode",
    "path_transform",
    "from",
    "to",
    "exclude_channels",
    "include_channels",
    "by",
    "per_conversion",
    "bootstrap",
    "compare_models",
    "costs",
];

/// `--format`'s help: the totals in any format, per-conversion rows in three.
pub(super) const FORMAT_HELP: &str =
    "Output format [default: from the `-o` extension, else table; with `--per-conversion` csv, json or parquet, default csv]";

/// Everything `mta attribute` writes; per-conversion rows are a table of their own.
const TOTALS: Formats = Formats {
    command: "mta attribute",
    supported: EVERY,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// `--per-conversion`: rows for other programs, so CSV even on a terminal.
const PER_CONVERSION: Formats = Formats {
    command: "mta attribute --per-conversion",
    supported: &[OutputFormat::Csv, OutputFormat::Json, OutputFormat::Parquet],
    default: OutputFormat::Csv,
    elsewhere: Some("drop `--per-conversion` for a table of the totals"),
};

/// Runs `mta attribute`.
pub fn run(args: AttributeArgs) -> Result<()> {
    if let Some(file) = args.transitions.clone() {
        return from_transitions(args, &file);
    }
    let (input, journey_cfg) = args.input.into_config()?;
    let (asked, model_cfg) = args.models.into_config()?;
    let formats = if args.per_conversion { PER_CONVERSION } else { TOTALS };
    let out = args.output.into_config(&formats, super::terminal())?;
    let cost_spec = args.costs.into_spec(&input, &journey_cfg)?;
    if args.metric.needs_costs() && cost_spec.is_none() {
        return Err(crate::Error::usage(
            format!("`--metric {}` needs spend per channel", args.metric.name()),
            "give it with `--costs FILE` (`channel,spend[,date]`)",
        )
        .into());
    }
    if cost_spec.is_some() {
        for (refused, what) in [
            (args.by.contains(&Dimension::ConversionType), "`--by conversion-type`"),
            (args.per_conversion, "`--per-conversion`"),
            (args.compare_models, "`--compare-models`"),
        ] {
            if refused {
                return Err(crate::Error::usage(
                    format!("`--costs` cannot be combined with {what}: spend is per channel (and per period with `--by day|week|month`)"),
                    format!("drop {what} or `--costs`"),
                )
                .into());
            }
        }
    }
    // The costs file is read and checked before the events: a wrong column
    // is refused before any work.
    let costs = cost_spec.as_ref().map(crate::input::costs::load).transpose()?;
    // The HTML page of a run split by period only: the whole run, and each
    // channel's share over time.
    let html_period = match out.format == OutputFormat::Html && args.by.iter().all(|d| d.is_period()) {
        true => period_of(&args.by, &input)?,
        false => None,
    };
    if !args.by.is_empty() && html_period.is_none() {
        for (refused, what) in [
            (args.per_conversion, "`--per-conversion`"),
            (args.compare_models, "`--compare-models`"),
            (out.format == OutputFormat::Html, "the HTML report"),
        ] {
            if refused {
                let hint = if what == "the HTML report" {
                    "`--by day|week|month` alone charts each channel's share over time; run once per type with `--conversion-types TYPE`"
                } else {
                    "run it once per conversion type with `--conversion-types TYPE`, or drop `--by`"
                };
                return Err(crate::Error::usage(format!("{what} cannot be split by `--by` yet"), hint).into());
            }
        }
        let mut by: Vec<Dimension> = Vec::new();
        for d in &args.by {
            if !by.contains(d) {
                by.push(*d);
            }
        }
        let period = period_of(&by, &input)?;
        if period.is_some() && args.bootstrap.is_some() {
            return Err(crate::Error::usage(
                "`--bootstrap` cannot be split by period yet",
                "drop `--bootstrap` or the period from `--by`",
            )
            .into());
        }
        let types: Vec<Dimension> = by.iter().copied().filter(|d| !d.is_period()).collect();
        let (segments, summary) = if types.is_empty() {
            let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
            let whole = pipeline::SegmentJourneys {
                segment: Default::default(),
                journeys,
                summary: summary.clone(),
            };
            (vec![whole], summary)
        } else {
            pipeline::load_segments(&input, &journey_cfg, &types)?
        };
        let bootstrap = args.bootstrap.map(|n| (n as usize, args.seed));
        let (mut report, notes) = by_segment(&by, segments, summary, &asked, &model_cfg, bootstrap, period)?;
        if let (Some(file), Some((dimension, _))) = (&costs, period) {
            crate::report::costs::apply_file_by_period(&mut report, file, dimension)?;
        }
        if !out.quiet {
            pipeline::tell(crate::output::summary::lines(&report.input, &pipeline::run_notes(notes, &report)));
        }
        return super::write_output(&out.target, |w| {
            crate::output::write_credits(&report, out.format, &out.style, args.metric, w)
        });
    }
    let (journeys, summary) = match pipeline::load_or_partition(&input, &journey_cfg)? {
        pipeline::Loaded::Whole(journeys, summary) => (journeys, summary),
        pipeline::Loaded::Parted(parted) => {
            for (refused, what) in [
                (args.bootstrap.is_some(), "`--bootstrap`"),
                (html_period.is_some(), "the HTML report's shares over time (`--by day|week|month`)"),
            ] {
                if refused {
                    return Err(crate::Error::usage(
                        format!("the input passes `--memory-limit`, and {what} does not run out of core yet"),
                        "raise `--memory-limit` so that the input fits in memory, or drop it",
                    )
                    .into());
                }
            }
            if args.per_conversion {
                return per_conversion_out_of_core(&parted, &journey_cfg, &asked, &model_cfg, &out);
            }
            let (report, notes) = pipeline::report_of_parts(&parted, &journey_cfg, &asked, &model_cfg)?;
            return write_report(report, notes, costs.as_ref(), args.compare_models, args.metric, &out);
        }
    };
    let (models, notes) = pipeline::models(&asked, &model_cfg, &journeys)?;
    if args.per_conversion {
        return per_conversion(&journeys, models, &asked, &summary, notes, &out);
    }
    let mut report = Report::compute(summary, &journeys, &models)?;
    if let Some(n) = args.bootstrap {
        crate::report::bootstrap::add_intervals(&mut report, &journeys, &models, n as usize, args.seed)?;
    }
    let Some((dimension, zone)) = html_period else {
        return write_report(report, notes, costs.as_ref(), args.compare_models, args.metric, &out);
    };
    // The HTML page of a run split by period: the whole run (with where the
    // models disagree), and each channel's share over time.
    if let Some(file) = &costs {
        crate::report::costs::apply_file(&mut report, file);
    }
    report.comparison = Some(compare_models(&report));
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(&report.input, &pipeline::run_notes(notes, &report)));
    }
    let shares = crate::report::periods::ShareOverTime::of_data_driven(&journeys, &models, &report, dimension, zone)?;
    let extras = crate::output::html::Extras {
        over_time: shares.as_ref(),
        ..Default::default()
    };
    super::write_output(&out.target, |w| crate::output::html::write(&report, extras, w))
}

/// The end of a run of the totals: spend (`--costs`), the models'
/// disagreement (`--compare-models`, and always in HTML), the summary on
/// stderr, then the output.
fn write_report(
    mut report: Report,
    notes: Vec<String>,
    costs: Option<&crate::input::costs::CostFile>,
    compare: bool,
    metric: Metric,
    out: &OutputConfig,
) -> Result<()> {
    if let Some(file) = costs {
        crate::report::costs::apply_file(&mut report, file);
    }
    let mut notes = notes;
    if compare || out.format == OutputFormat::Html {
        report.comparison = Some(compare_models(&report));
        if compare && report.models.iter().any(|m| m.model == crate::model::ModelKind::Participation) {
            notes.push(format!("note: {}", crate::report::cross_model::PARTICIPATION_ASIDE));
        }
    }
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(&report.input, &pipeline::run_notes(notes, &report)));
    }
    super::write_output(&out.target, |w| {
        crate::output::write_credits(&report, out.format, &out.style, metric, w)
    })
}

/// The period of `--by` (`day`, `week` or `month`) and the zone its dates
/// are in, if `by` has one: at most one, and only for touchpoint events,
/// whose conversions have times.
pub(super) fn period_of(by: &[Dimension], input: &super::args::InputConfig) -> Result<Option<(Dimension, crate::input::Zone)>> {
    let periods: Vec<Dimension> = by.iter().copied().filter(|d| d.is_period()).collect();
    match (periods.as_slice(), input) {
        ([], _) => Ok(None),
        ([d], super::args::InputConfig::Events { spec, .. }) => Ok(Some((*d, spec.zone))),
        ([_], super::args::InputConfig::Paths { .. }) => Err(crate::Error::usage(
            "`--by day|week|month` needs conversion times, which path aggregates do not have",
            "read the touchpoint events instead of `--paths`",
        )
        .into()),
        _ => Err(crate::Error::usage(
            "`--by` takes one period: `day`, `week` or `month`",
            "keep one of them (`--by conversion-type,month` combines a period with the type)",
        )
        .into()),
    }
}

/// `--by`: the models run on each segment's journeys (with `bootstrap`:
/// `(resamples, seed)`), and with a `period` their credits split by the
/// period of each conversion; one report of them all, sorted by segment in
/// `by`'s order (then model order), and the notes of choosing the models.
fn by_segment(
    by: &[Dimension],
    segments: Vec<pipeline::SegmentJourneys>,
    summary: crate::report::InputSummary,
    asked: &[ModelKind],
    model_cfg: &crate::model::ModelConfig,
    bootstrap: Option<(usize, u64)>,
    period: Option<(Dimension, crate::input::Zone)>,
) -> Result<(Report, Vec<String>)> {
    // Every segment has the input's channels and times: the models that run
    // on one run on all.
    let empty = Journeys::new(Vec::new(), true);
    let (models, notes) = pipeline::models(asked, model_cfg, segments.first().map_or(&empty, |r| &r.journeys))?;
    let mut report = Report {
        input: summary,
        by: by.to_vec(),
        models: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        comparison: None,
    };
    for run in segments {
        let mut part = Report::compute(run.summary, &run.journeys, &models)?;
        if let Some((n, seed)) = bootstrap {
            crate::report::bootstrap::add_intervals(&mut part, &run.journeys, &models, n, seed)?;
        }
        let label = run.segment.label();
        if let Some((dimension, zone)) = period {
            let periods = Periods::of(&run.journeys, dimension, zone);
            let split: Vec<Vec<(String, crate::report::ModelReport)>> = models
                .par_iter()
                .zip(&part.models)
                .map(|(m, undivided)| periods.reports(&run.journeys, m.as_ref(), undivided))
                .collect::<crate::error::Result<_>>()?;
            for (period, mut entry) in split.into_iter().flatten() {
                // The segment's values in `by`'s order, the period among them.
                entry.segment = Segment(
                    by.iter()
                        .map(|&d| match run.segment.0.iter().find(|(k, _)| *k == d) {
                            Some(v) => v.clone(),
                            None => (d, period.clone()),
                        })
                        .collect(),
                );
                report.models.push(entry);
            }
        } else {
            for m in &mut part.models {
                m.segment = run.segment.clone();
            }
            report.models.extend(part.models);
        }
        report.notes.extend(part.notes.into_iter().map(|n| format!("{label}: {n}")));
        report.warnings.extend(part.warnings.into_iter().map(|w| format!("{label}: {w}")));
    }
    // Stable: models keep their order within a segment.
    report.models.sort_by(|a, b| a.segment.cmp(&b.segment));
    Ok((report, notes))
}

/// `--per-conversion`: one row per conversion, model and channel.
fn per_conversion(
    journeys: &Journeys,
    models: Models,
    asked: &[ModelKind],
    summary: &crate::report::InputSummary,
    mut notes: Vec<String>,
    out: &OutputConfig,
) -> Result<()> {
    if !journeys.is_timed() {
        return Err(crate::Error::usage(
            "`--per-conversion` needs touchpoint events: path aggregates have no customers or conversion times",
            "read the events file instead of `--paths`",
        )
        .into());
    }
    let models = splitting_models(models, asked, &mut notes, journeys.channels())?;
    let mut splits = Vec::new();
    for m in &models {
        splits.extend(m.journey_split(journeys)?);
    }
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(summary, &notes));
    }
    let rows = PerConversion::new(journeys, splits);
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::PerConversionRows(&rows), out.format, &out.style, w)
    })
}

/// The models that split each conversion (those asked for must), with a
/// note for each left out. Whether a model splits does not depend on the
/// journeys: it is asked on none.
fn splitting_models(models: Models, asked: &[ModelKind], notes: &mut Vec<String>, channels: &[String]) -> Result<Models> {
    let none = Journeys::new(channels.to_vec(), true);
    let mut kept = Vec::new();
    for m in models {
        if m.journey_split(&none)?.is_some() {
            kept.push(m);
        } else if !asked.is_empty() {
            return Err(crate::Error::usage(
                format!("model `{}` has no per-conversion split", m.kind()),
                "drop it from `--models` for `--per-conversion`",
            )
            .into());
        } else {
            notes.push(format!("note: model `{}` left out: it has no per-conversion split", m.kind()));
        }
    }
    Ok(kept)
}

/// `--per-conversion` out of core: each group's converting journeys go to
/// disk as a run in row order while the models' splits are fitted on every
/// group (Shapley's coalitions), then the runs are merged as rows are written.
fn per_conversion_out_of_core(
    parted: &crate::input::Parted,
    cfg: &crate::journey::JourneyConfig,
    asked: &[ModelKind],
    model_cfg: &crate::model::ModelConfig,
    out: &OutputConfig,
) -> Result<()> {
    let mut groups = pipeline::JourneyGroups::new(parted, cfg);
    let first = groups.next_group()?.expect("partitions come in at least one group");
    let channels = first.channels().to_vec();
    let (models, mut notes) = pipeline::models(asked, model_cfg, &first)?;
    let models = splitting_models(models, asked, &mut notes, &channels)?;
    let mut fit = crate::report::StreamedRun::new(&channels, true, &models)?;
    let mut runs = crate::journey::runs::Runs::new(parted.scratch_dir());
    let mut next = Some(first);
    while let Some(journeys) = next {
        runs.write(&journeys, &crate::report::per_conversion::conversion_order(&journeys))?;
        fit.add(journeys)?;
        next = groups.next_group()?;
    }
    let summary = groups.summary()?;
    let splits = fit.into_splits()?.into_iter().flatten().collect();
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(&summary, &notes));
    }
    let rows = crate::report::per_conversion::MergedConversions::new(channels, runs, splits)?;
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::PerConversionRows(&rows), out.format, &out.style, w)
    })
}

/// `--transitions FILE`: the Markov credits of transition counts, the
/// chain a warehouse counted (`mta sql --output transitions`).
fn from_transitions(args: AttributeArgs, file: &str) -> Result<()> {
    let sep = args.input.sep.clone();
    let (input, _) = args.input.into_config()?;
    let (asked, model_cfg) = args.models.into_config()?;
    if let Some(m) = asked.iter().find(|&&m| m != ModelKind::Markov) {
        return Err(crate::Error::usage(
            format!("model `{m}` needs journeys, which transition counts do not have"),
            "run `--models markov` on the transitions, the other models on the paths (`mta sql --output paths`)",
        )
        .into());
    }
    let out = args.output.into_config(&TOTALS, super::terminal())?;
    let super::args::InputConfig::Events { spec, rejects } = input else {
        unreachable!("`--paths` conflicts with `--transitions`")
    };
    let source = crate::input::Source::from_arg(file);
    if source == crate::input::Source::Stdin && super::stdin_is_terminal() {
        return Err(crate::Error::usage(
            "no input: stdin is a terminal",
            "name the transitions file, or pipe them into mta (`mta sql ... --output transitions | duckdb -csv | mta attribute --transitions -`)",
        )
        .into());
    }
    let order = match model_cfg.markov.order {
        crate::model::markov::MarkovOrder::Fixed(k) => k,
        crate::model::markov::MarkovOrder::Auto => {
            return Err(crate::Error::usage(
                "`--markov-order auto` chooses the order from the journeys, which transition counts do not have",
                "pass the order the transitions were written with, e.g. `--markov-order 2`",
            )
            .into());
        }
    };
    crate::model::markov::check_order(order)?;
    let table = crate::input::transitions::load(&[source], &spec.dialect, &sep, order, spec.on_error)?;
    pipeline::write_rejects(rejects.as_deref(), &table.rejections)?;
    let counts = crate::model::markov::ChainCounts::from_transitions(&table.rows);
    let stats = crate::journey::JourneyStats {
        journeys: counts.start.iter().sum(),
        converting_journeys: counts.conversion.iter().sum(),
        conversions: counts.conversion.iter().sum(),
        revenue: counts.value.iter().sum(),
        nulls: counts.null.iter().sum(),
        ..Default::default()
    };
    let channels = &table.channels;
    let state_name = |s: usize| counts.states[s].iter().map(|&c| channels.name(c)).collect::<Vec<_>>().join(" > ");
    let names: Vec<String> = (0..counts.states.len()).map(state_name).collect();
    let model = crate::model::markov::Markov::new(model_cfg.markov);
    let run = model.run_counts(counts, channels.len(), |s| names[s].clone())?;
    let channel_names: Vec<std::sync::Arc<str>> = channels.iter().map(Into::into).collect();
    let share_base: f64 = run.credits.conversions.iter().sum();
    let mut summary =
        crate::report::InputSummary::new("transitions", &table.files, &stats, 0).with_input_counts(stats.conversions, &table.rejections);
    crate::report::meaningful::check(&summary)?;
    if table.missing_value {
        summary
            .warnings
            .push("the transitions have no `value` column: revenue is 0 and so are the value credits".into());
    }
    let mut report = Report {
        input: summary,
        by: Vec::new(),
        models: vec![crate::report::ModelReport::new(
            ModelKind::Markov,
            run.parameters,
            &channel_names,
            &run.credits,
            share_base,
            run.details,
        )],
        notes: run.notes,
        warnings: run.warnings,
        comparison: None,
    };
    if out.format == OutputFormat::Html {
        report.comparison = Some(compare_models(&report));
    }
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(
            &report.input,
            &pipeline::run_notes(Vec::new(), &report),
        ));
    }
    super::write_output(&out.target, |w| {
        crate::output::write_credits(&report, out.format, &out.style, args.metric, w)
    })
}
