//! `mta attribute`: its flags, and which view of the run it writes: the
//! credits (split by `--by`, with the comparison, spend or intervals the
//! plan adds), one row per conversion, or Markov's credits of transition
//! counts.

use anyhow::Result;
use clap::Args;

use super::args::{RunArgs, TRAFFIC_COLUMN_FLAGS, TYPE_COLUMN_FLAGS, VALUE_COLUMN_FLAGS, flags};
use super::pipeline::{self, AddOns, Models};
use super::plan::{EVERY, Formats, OutputConfig, Plan, refusals};
use crate::journey::{Dimension, Journeys};
use crate::model::ModelKind;
use crate::output::{Metric, OutputFormat, views};
use crate::report::Report;
use crate::report::per_conversion::PerConversion;

/// Arguments of `mta attribute`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMAT_HELP)))]
pub struct AttributeArgs {
    #[command(flatten)]
    run: RunArgs,
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
const TRANSITIONS_CONFLICTS: [&str; 38] = flags(&[
    &["inputs", "paths", "ga4", "ga4_identity", "conversions", "accounts", "account_col"],
    &TRAFFIC_COLUMN_FLAGS,
    &["channel_rules"],
    &TYPE_COLUMN_FLAGS,
    &["conversion_events", "conversion_types", "milestones"],
    &VALUE_COLUMN_FLAGS,
    &[
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
    ],
]);

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
    let formats = if args.per_conversion { PER_CONVERSION } else { TOTALS };
    let metric = (args.metric.name(), args.metric.needs_costs());
    let plan = Plan::new(args.run.into(), &formats, |plan| {
        refusals::attribute(
            plan,
            &args.by,
            args.per_conversion,
            args.compare_models,
            args.bootstrap.is_some(),
            (&metric.0, metric.1),
        )
    })?;
    let bootstrap = args.bootstrap.map(|n| (n as usize, args.seed));
    let html = plan.output.format == OutputFormat::Html;
    // A split by `--by`, unless it is the HTML page's shares over time.
    let html_shares = html && args.by.iter().all(|d| d.is_period());
    if !args.by.is_empty() && !html_shares {
        let run = pipeline::run_segments(&plan, &args.by, bootstrap)?;
        return write_credits(&run, &plan.output, args.metric);
    }
    if args.per_conversion {
        return per_conversion(&plan);
    }
    let html_period = args.by.first().filter(|_| html).map(|&d| (d, plan.zone()));
    let add = AddOns {
        bootstrap,
        compare: args.compare_models || html,
        journeys: false,
        // The HTML page's shares over time need every journey.
        journeys_for: html_period.map(|_| "the HTML report's shares over time (`--by day|week|month`)"),
    };
    let mut run = pipeline::run(&plan, add)?;
    if args.compare_models && run.report.models.iter().any(|m| m.model == ModelKind::Participation) {
        run.notes.push(format!("note: {}", crate::report::cross_model::PARTICIPATION_ASIDE));
    }
    let Some((dimension, zone)) = html_period else {
        return write_credits(&run, &plan.output, args.metric);
    };
    // The HTML page of a run split by period: the whole run (with where the
    // models disagree), and each channel's share over time.
    if !plan.output.quiet {
        pipeline::tell(run.summary());
    }
    let journeys = run.journeys.as_ref().expect("kept for the shares over time");
    let shares = crate::report::periods::ShareOverTime::of_data_driven(journeys, &run.models, &run.report, dimension, zone)?;
    let extras = crate::output::html::Extras {
        over_time: shares.as_ref(),
        ..Default::default()
    };
    super::write_output(&plan.output.target, |w| crate::output::html::write(&run.report, extras, w))
}

/// The credits of `run`, after the summary on stderr.
fn write_credits(run: &pipeline::Run, out: &OutputConfig, metric: Metric) -> Result<()> {
    if !out.quiet {
        pipeline::tell(run.summary());
    }
    super::write_output(&out.target, |w| {
        crate::output::write_credits(&run.report, out.format, &out.style, metric, w)
    })
}

/// `--per-conversion`: one row per conversion, model and channel; out of
/// core, each group's converting journeys go to disk as a run in row order
/// while the models' splits are fitted on every group (Shapley's
/// coalitions), then the runs are merged as rows are written.
fn per_conversion(plan: &Plan) -> Result<()> {
    let (journeys, summary) = match pipeline::load_or_partition(&plan.input, &plan.journeys)? {
        pipeline::Loaded::Whole(journeys, summary) => (journeys, summary),
        pipeline::Loaded::Parted(parted) => return per_conversion_out_of_core(&parted, plan),
    };
    let (models, mut notes) = pipeline::models(&plan.models, &plan.model_cfg, &journeys)?;
    let models = splitting_models(models, &plan.models, &mut notes, journeys.channels())?;
    let mut splits = Vec::new();
    for m in &models {
        splits.extend(m.journey_split(&journeys)?);
    }
    let out = &plan.output;
    if !out.quiet {
        pipeline::tell(crate::output::summary::lines(&summary, &notes));
    }
    let rows = PerConversion::new(&journeys, splits);
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

/// [`per_conversion`] out of core.
fn per_conversion_out_of_core(parted: &crate::input::Parted, plan: &Plan) -> Result<()> {
    let out = &plan.output;
    let mut groups = pipeline::JourneyGroups::new(parted, &plan.journeys);
    let first = groups.next_group()?.expect("partitions come in at least one group");
    let channels = first.channels().to_vec();
    let (models, mut notes) = pipeline::models(&plan.models, &plan.model_cfg, &first)?;
    let models = splitting_models(models, &plan.models, &mut notes, &channels)?;
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
    let sep = args.run.input.sep.clone();
    let plan = Plan::new(args.run.into(), &TOTALS, refusals::transitions)?;
    let (out, model_cfg) = (&plan.output, &plan.model_cfg);
    let super::plan::InputConfig::Events { spec, rejects } = &plan.input else {
        unreachable!("`--paths` conflicts with `--transitions`")
    };
    let source = crate::input::Source::from_arg(file);
    pipeline::refuse_waiting_on_terminal(
        source == crate::input::Source::Stdin,
        "name the transitions file, or pipe them into mta (`mta sql ... --output transitions | duckdb -csv | mta attribute --transitions -`)",
    )?;
    let crate::model::markov::MarkovOrder::Fixed(order) = model_cfg.markov.order else {
        unreachable!("`--markov-order auto` was refused with the flags")
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
        report.comparison = Some(crate::report::cross_model::compare_models(&report));
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
