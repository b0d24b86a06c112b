//! One pipeline for every subcommand: read the input and rebuild journeys
//! (in memory, or out of core past `--memory-limit`, chosen here), choose
//! and run the models, add what the plan asks (bootstrap intervals, spend,
//! periods, the models' comparison), and the run summary. Subcommands
//! choose what to show of the [`Run`].

use std::io::Write;

use anyhow::Result;
use rayon::prelude::*;

use super::plan::{InputConfig, Plan, Refusal, Target, refusals};
use crate::input::{self, Source};
use crate::journey::{self, Dimension, JourneyConfig, Journeys, Segment};
use crate::model::{AttributionModel, ModelConfig, ModelKind};
use crate::output::{OutputFormat, Style, views};
use crate::report::{InputSummary, Report};

/// Refuses to read stdin when it is a terminal (it would wait for typing).
pub fn refuse_terminal_stdin(input: &InputConfig) -> Result<()> {
    let sources = match input {
        InputConfig::Events { spec, .. } => &spec.sources,
        InputConfig::Paths { sources, .. } => sources,
    };
    let stdin = sources.is_empty() || sources.contains(&Source::Stdin);
    refuse_waiting_on_terminal(stdin, "pass an input file, or pipe CSV into mta (`mta attribute events.csv`)")
}

/// When `stdin` is read and is a terminal: the usage error, with `hint`.
pub fn refuse_waiting_on_terminal(stdin: bool, hint: &str) -> Result<()> {
    let refusal = Refusal::when(stdin && super::stdin_is_terminal(), "no input: stdin is a terminal", hint);
    Ok(refusals::check([refusal])?)
}

/// Reads the input (writing `--rejects` if asked) and rebuilds journeys.
pub fn load(input: &InputConfig, cfg: &JourneyConfig) -> Result<(Journeys, InputSummary)> {
    refuse_terminal_stdin(input)?;
    match input {
        InputConfig::Events { spec, rejects } => {
            let events = input::load(spec)?;
            write_rejects(rejects.as_deref(), &events.rejections)?;
            let (journeys, stats, events) = journey::build_owned(events, cfg);
            Ok((journeys, checked(events_summary(&events, &stats))?))
        }
        InputConfig::Paths {
            sources,
            dialect,
            sep,
            on_error,
            rejects,
        } => {
            let table = input::paths::load(sources, dialect, sep, *on_error)?;
            write_rejects(rejects.as_deref(), &table.rejections)?;
            let (journeys, stats) = journey::from_paths(&table, cfg);
            let conversions_read = (0..table.len()).map(|i| table.row(i).1).sum();
            let summary = InputSummary::new("paths", &table.files, &stats, 0).with_input_counts(conversions_read, &table.rejections);
            Ok((journeys, checked(summary)?))
        }
    }
}

/// An input's journeys, or its partitions on disk when it passes
/// `--memory-limit` (then [`report_of_parts`] runs the models).
// One per run: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    /// Every journey, in memory, and the summary of the input.
    Whole(Journeys, InputSummary),
    /// The input, partitioned by customer on disk.
    Parted(input::Parted),
}

/// [`load`], going out of core when the input passes `--memory-limit`.
pub fn load_or_partition(input: &InputConfig, cfg: &JourneyConfig) -> Result<Loaded> {
    refuse_terminal_stdin(input)?;
    match input {
        InputConfig::Events { spec, rejects } => match input::load_or_partition(spec)? {
            input::Loaded::Whole(events) => {
                write_rejects(rejects.as_deref(), &events.rejections)?;
                let (journeys, stats, events) = journey::build_owned(events, cfg);
                Ok(Loaded::Whole(journeys, checked(events_summary(&events, &stats))?))
            }
            input::Loaded::Parted(parted) => {
                write_rejects(rejects.as_deref(), &parted.head().rejections)?;
                Ok(Loaded::Parted(parted))
            }
        },
        InputConfig::Paths { .. } => {
            let (journeys, summary) = load(input, cfg)?;
            Ok(Loaded::Whole(journeys, summary))
        }
    }
}

/// The journeys of a partitioned input, one group of partitions at a time,
/// in the canonical order: each group's are built as its events are read
/// back, with statistics added onto the groups' before it, so that the
/// summary is the one of all journeys at once.
pub struct JourneyGroups<'p> {
    parted: &'p input::Parted,
    cfg: &'p JourneyConfig,
    groups: std::vec::IntoIter<std::ops::Range<usize>>,
    n_groups: usize,
    stats: journey::JourneyStats,
    /// A group was handed out and is not counted as done yet.
    pending: bool,
}

impl<'p> JourneyGroups<'p> {
    /// The groups of `parted`, none built yet (progress shows them).
    pub fn new(parted: &'p input::Parted, cfg: &'p JourneyConfig) -> Self {
        let groups = parted.groups();
        super::progress::groups(groups.len());
        JourneyGroups {
            parted,
            cfg,
            n_groups: groups.len(),
            groups: groups.into_iter(),
            stats: journey::JourneyStats::default(),
            pending: false,
        }
    }

    /// The next group's journeys (the one before counts as done).
    pub fn next_group(&mut self) -> Result<Option<Journeys>> {
        if std::mem::take(&mut self.pending) {
            super::progress::group_done();
        }
        let Some(group) = self.groups.next() else { return Ok(None) };
        self.pending = true;
        let events = self.parted.events(group)?;
        let (journeys, after) = journey::build_after(&events, self.cfg, std::mem::take(&mut self.stats));
        self.stats = after;
        Ok(Some(journeys))
    }

    /// The summary of every group built, with the note that the run went
    /// out of core; an error when it leaves nothing to attribute.
    pub fn summary(self) -> Result<InputSummary> {
        if self.pending {
            super::progress::group_done();
        }
        let mut summary = events_summary(self.parted.head(), &self.stats);
        summary.conversions_read = self.parted.conversions_read() as f64;
        summary.notes.push(format!(
            "{OUT_OF_CORE}: its rows went to {} partition files by customer ({} on disk), processed in {} groups",
            input::spill::PARTITIONS,
            input::spill::format_bytes(self.parted.bytes()),
            self.n_groups,
        ));
        checked(summary)
    }
}

/// How the note of a run out of core starts.
const OUT_OF_CORE: &str = "note: the input passed `--memory-limit`";

/// The note that the run went out of core, if it did: for the subcommands
/// whose summary shows only some of the input's notes.
pub fn out_of_core_note(summary: &InputSummary) -> Option<String> {
    summary.notes.iter().find(|n| n.starts_with(OUT_OF_CORE)).cloned()
}

/// What a run adds to the models' credits.
#[derive(Debug, Default, Clone, Copy)]
pub struct AddOns {
    /// `--bootstrap N --seed S`: intervals on every credit.
    pub bootstrap: Option<(usize, u64)>,
    /// `--compare-models` (and always in HTML): each channel under every model.
    pub compare: bool,
    /// The subcommand shows more of the journeys than the credits (budget,
    /// report, scorecard): the whole input in memory, kept in the run.
    pub journeys: bool,
    /// Keep the journeys for this, which does not run out of core yet
    /// (refused with the way out past `--memory-limit`).
    pub journeys_for: Option<&'static str>,
}

/// A run's results.
pub struct Run {
    /// The models' credits, the summary of the input and what was added.
    pub report: Report,
    /// The journeys, when kept (in memory only).
    pub journeys: Option<Journeys>,
    /// The models that ran.
    pub models: Models,
    /// What choosing the models decided (models left out).
    pub notes: Vec<String>,
}

impl Run {
    /// The summary and every note of the run, for stderr.
    pub fn summary(&self) -> Vec<String> {
        crate::output::summary::lines(&self.report.input, &run_notes(self.notes.clone(), &self.report))
    }
}

/// The pipeline: read -> journeys (in memory or out of core) -> models ->
/// bootstrap, spend, comparison.
pub fn run(plan: &Plan, add: AddOns) -> Result<Run> {
    let loaded = match add.journeys {
        true => {
            let (journeys, summary) = load(&plan.input, &plan.journeys)?;
            Loaded::Whole(journeys, summary)
        }
        false => load_or_partition(&plan.input, &plan.journeys)?,
    };
    if let Loaded::Parted(_) = &loaded {
        refuse_out_of_core(add.bootstrap.is_some(), "`--bootstrap`")?;
        refuse_out_of_core(add.journeys_for.is_some(), add.journeys_for.unwrap_or_default())?;
    }
    let mut run = match loaded {
        Loaded::Whole(journeys, summary) => {
            let (models, notes) = models(&plan.models, &plan.model_cfg, &journeys)?;
            let mut report = Report::compute(summary, &journeys, &models)?;
            if let Some((n, seed)) = add.bootstrap {
                crate::report::bootstrap::add_intervals(&mut report, &journeys, &models, n, seed)?;
            }
            Run {
                report,
                journeys: Some(journeys),
                models,
                notes,
            }
        }
        Loaded::Parted(parted) => {
            let (report, models, notes) = report_of_parts(&parted, &plan.journeys, &plan.models, &plan.model_cfg)?;
            Run {
                report,
                journeys: None,
                models,
                notes,
            }
        }
    };
    if let Some(file) = &plan.costs {
        crate::report::costs::apply_file(&mut run.report, file);
    }
    if let Some(lift) = &plan.lift {
        let windows = lift_windows(plan, lift, &run.models)?;
        let warnings = crate::report::calibration::apply(&mut run.report, lift, &windows);
        run.report.warnings.extend(warnings);
    }
    if add.compare {
        run.report.comparison = Some(crate::report::cross_model::compare_models(&run.report));
    }
    Ok(run)
}

/// `--lift`: each test's window, the credit `models` give every channel
/// for the conversions inside it (`windows[test][model]`): the journeys
/// built again with the window as `--from`/`--to`, exactly as `mta
/// attribute --from start --to end` builds them, and the models run on
/// them. Tests sharing a window share its run.
fn lift_windows(plan: &Plan, lift: &input::lift::Lift, models: &Models) -> Result<Vec<Vec<crate::report::calibration::WindowCredits>>> {
    let InputConfig::Events { spec, .. } = &plan.input else {
        unreachable!("`--lift` with path aggregates was refused with the flags")
    };
    let mut done: std::collections::HashMap<(i64, i64), Vec<crate::report::calibration::WindowCredits>> = Default::default();
    let mut out = Vec::with_capacity(lift.tests.len());
    for t in &lift.tests {
        let window = (t.start_ms, t.end_ms);
        let credits = match done.entry(window) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut cfg = plan.journeys.clone();
                cfg.period = journey::Period {
                    from_ms: Some(t.start_ms),
                    to_ms: Some(t.end_ms),
                };
                let (journeys, stats, events) = journey::build_owned(input::load(spec)?, &cfg);
                let report = Report::compute(events_summary(&events, &stats), &journeys, models)?;
                e.insert(
                    report
                        .models
                        .iter()
                        .map(|m| {
                            m.credits
                                .iter()
                                .map(|c| (c.channel.trim().to_lowercase(), (c.conversions, c.value)))
                                .collect()
                        })
                        .collect(),
                )
            }
        };
        out.push(credits.clone());
    }
    Ok(out)
}

/// An option that does not run out of core yet, on an input that passed
/// `--memory-limit`: refused with the way out.
pub fn refuse_out_of_core(given: bool, what: &str) -> Result<()> {
    refusals::check([Refusal::when(
        given,
        format!("the input passes `--memory-limit`, and {what} does not run out of core yet"),
        "raise `--memory-limit` so that the input fits in memory, or drop it",
    )])?;
    Ok(())
}

/// The models over a partitioned input, one group of partitions in memory
/// at a time: journeys built per group and handed to the models in order,
/// so the report is the one of all journeys at once, to the bit. Returns
/// it with the notes of choosing the models.
fn report_of_parts(
    parted: &input::Parted,
    cfg: &JourneyConfig,
    asked: &[ModelKind],
    model_cfg: &ModelConfig,
) -> Result<(Report, Models, Vec<String>)> {
    let mut groups = JourneyGroups::new(parted, cfg);
    let journeys = groups.next_group()?.expect("partitions come in at least one group");
    // Every group has the input's channels and times.
    let (models, notes) = models(asked, model_cfg, &journeys)?;
    let mut run = crate::report::StreamedRun::new(journeys.channels(), journeys.is_timed(), &models)?;
    run.add(journeys)?;
    while let Some(journeys) = groups.next_group()? {
        run.add(journeys)?;
    }
    let report = run.finish(groups.summary()?)?;
    Ok((report, models, notes))
}

/// `--by`: the models on each segment's journeys (conversion types, each
/// split by period with one), one report of them all; the costs per period.
pub fn run_segments(plan: &Plan, by: &[Dimension], bootstrap: Option<(usize, u64)>) -> Result<Run> {
    let mut dims: Vec<Dimension> = Vec::new();
    for d in by {
        if !dims.contains(d) {
            dims.push(*d);
        }
    }
    let period = dims.iter().copied().find(|d| d.is_period()).map(|d| (d, plan.zone()));
    let types: Vec<Dimension> = dims.iter().copied().filter(|d| !d.is_period()).collect();
    let (segments, summary) = if types.is_empty() {
        let (journeys, summary) = load(&plan.input, &plan.journeys)?;
        let whole = SegmentJourneys {
            segment: Default::default(),
            journeys,
            summary: summary.clone(),
        };
        (vec![whole], summary)
    } else {
        load_segments(&plan.input, &plan.journeys, &types)?
    };
    let (mut report, models, notes) = by_segment(&dims, segments, summary, &plan.models, &plan.model_cfg, bootstrap, period)?;
    // Spend per period with one; else the whole spend against every
    // conversion type (cost per lead, per opportunity, per won deal).
    match (&plan.costs, period) {
        (Some(file), Some((dimension, _))) => crate::report::costs::apply_file_by_period(&mut report, file, dimension)?,
        (Some(file), None) => drop(crate::report::costs::apply_file(&mut report, file)),
        (None, _) => {}
    }
    Ok(Run {
        report,
        journeys: None,
        models,
        notes,
    })
}

/// The models run on each segment's journeys (with `bootstrap`:
/// `(resamples, seed)`), and with a `period` their credits split by the
/// period of each conversion; one report of them all, sorted by segment in
/// `by`'s order (then model order), the models and the notes of choosing them.
#[allow(clippy::too_many_arguments)]
fn by_segment(
    by: &[Dimension],
    segments: Vec<SegmentJourneys>,
    summary: InputSummary,
    asked: &[ModelKind],
    model_cfg: &ModelConfig,
    bootstrap: Option<(usize, u64)>,
    period: Option<(Dimension, input::Zone)>,
) -> Result<(Report, Models, Vec<String>)> {
    // Every segment has the input's channels and times: the models that run
    // on one run on all.
    let empty = Journeys::new(Vec::new(), true);
    let (models, notes) = models(asked, model_cfg, segments.first().map_or(&empty, |r| &r.journeys))?;
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
            let periods = crate::report::periods::Periods::of(&run.journeys, dimension, zone);
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
    Ok((report, models, notes))
}

/// One segment's journeys (`--by`).
pub struct SegmentJourneys {
    /// Its values.
    pub segment: Segment,
    /// Its journeys: all touches, closed by its conversions only.
    pub journeys: Journeys,
    /// Its summary, as a run on it alone would print.
    pub summary: InputSummary,
}

/// [`load`] split by `by` (touchpoint events only): the journeys of each
/// segment, and the summary of them all (its journey counts add up the
/// segments', which it lists).
pub fn load_segments(input: &InputConfig, cfg: &JourneyConfig, by: &[Dimension]) -> Result<(Vec<SegmentJourneys>, InputSummary)> {
    refuse_terminal_stdin(input)?;
    let InputConfig::Events { spec, rejects } = input else {
        unreachable!("`--by` with `--paths` was refused with the flags")
    };
    let events = input::load(spec)?;
    write_rejects(rejects.as_deref(), &events.rejections)?;
    let segments = journey::segment::split(&events, by).map_err(|m| crate::Error::usage(m, "drop `--by`"))?;
    let runs: Vec<(Segment, Journeys, journey::JourneyStats)> = segments
        .list
        .iter()
        .enumerate()
        .map(|(k, segment)| {
            let (journeys, stats) = journey::build_segment(&events, cfg, Some((&segments.of, k as u32)));
            (segment.clone(), journeys, stats)
        })
        .collect();
    let mut total = match runs.first() {
        Some((_, _, stats)) => stats.clone(),
        None => journey::build(&events, cfg).1,
    };
    for (_, _, stats) in runs.iter().skip(1) {
        total.add(stats);
    }
    let mut summary = checked(events_summary(&events, &total))?;
    summary.segments = Some(
        runs.iter()
            .map(|(segment, _, s)| crate::report::SegmentSummary {
                segment: segment.clone(),
                journeys: s.journeys,
                converting_journeys: s.converting_journeys,
                conversions: s.conversions,
                revenue: s.revenue,
                unattributed_conversions: s.unattributed_conversions,
            })
            .collect(),
    );
    let runs = runs
        .into_iter()
        .map(|(segment, journeys, stats)| SegmentJourneys {
            summary: events_summary(&events, &stats),
            segment,
            journeys,
        })
        .collect();
    Ok((runs, summary))
}

/// `summary`, unless it leaves nothing to attribute (an error saying what
/// the input lacks).
fn checked(summary: InputSummary) -> Result<InputSummary> {
    crate::report::meaningful::check(&summary)?;
    Ok(summary)
}

/// The summary of a run on `events` whose journeys gave `stats`.
fn events_summary(events: &input::Events, stats: &journey::JourneyStats) -> InputSummary {
    let mut files = events.files.clone();
    let mut conversions_read = match &events.conversions {
        input::Conversions::Inline { flag, .. } => flag.iter().filter(|&&f| f).count(),
        input::Conversions::Separate { file, time, .. } => {
            files.extend(file.clone());
            time.len()
        }
        input::Conversions::None => 0,
    };
    conversions_read += events.removed_by_type.as_ref().map_or(0, |r| r.conversions as usize);
    let mut summary =
        InputSummary::new("events", &files, stats, events.ignored_values).with_input_counts(conversions_read as f64, &events.rejections);
    summary.notes = events.notes.clone();
    summary.conversions_by_type = events.conversions_by_type.clone();
    summary.revenue_by_type = events.revenue_by_type.clone();
    if let Some(removed) = &events.removed_by_type {
        summary.warnings.extend(
            removed
                .unknown
                .iter()
                .map(|t| format!("`--conversion-types` names `{t}`, which no conversion has: it matches nothing")),
        );
    }
    summary.removed_by_conversion_type = events.removed_by_type.clone();
    summary.ga4 = events.ga4.clone();
    summary.zone = events.zone;
    summary.conversions_from = events.conversions_from.clone();
    summary.anonymous_conversions = events.anonymous_conversions;
    summary.anonymous_value = events.anonymous_value;
    summary.repeated_orders = events.repeated_orders;
    summary.conversions_date_only = events.date_only_conversions;
    summary.rows_used -= events.repeated_orders;
    if let Some(m) = &events.merged_ids {
        summary.rows_used -= m.rows_merged;
        if m.values_differ > 0 {
            summary.warnings.push(format!(
                "warning: {} with rows listing different values: the earliest row's value counts (check the `{}` column)",
                crate::output::summary::plural(m.values_differ, "conversion id", "conversion ids"),
                m.column
            ));
        }
    }
    summary.conversion_ids = events.merged_ids.clone();
    if let Some(a) = &events.accounts {
        if a.dropped {
            summary.rows_used -= a.rows_without;
        }
        if a.inconsistent > 0 {
            summary.warnings.push(format!(
                "warning: {} rows naming different accounts, or an account on some rows and none on others: each row counts for the account on it, else for the person",
                crate::output::summary::plural(a.inconsistent, "person has", "people have")
            ));
        }
        if a.clashes > 0 {
            summary.warnings.push(format!(
                "warning: {} without an account {} the id of an account: their rows join that account's journey",
                crate::output::summary::plural(a.clashes, "person", "people"),
                if a.clashes == 1 { "has" } else { "have" },
            ));
        }
    }
    summary.accounts = events.accounts.clone();
    summary.milestones = events.milestones.as_ref().map(crate::input::Milestones::counts);
    summary
}

/// `--rejects FILE`: every skipped row, written (atomically) even when there
/// are none, so a pipeline can always read the file.
pub(super) fn write_rejects(path: Option<&std::path::Path>, rejections: &[input::Rejection]) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    super::write_output(&Target::File(path.to_path_buf()), |w| {
        crate::output::write_table(&views::rejects(rejections), OutputFormat::Csv, &Style::default(), w)
    })
}

/// Built models, in the order they run.
pub type Models = Vec<Box<dyn AttributionModel>>;

/// The models to run on these journeys, with notes for the user: those
/// asked for (an error if one cannot run on this input), or every model the
/// input supports (with a note for each left out).
pub fn models(asked: &[ModelKind], cfg: &ModelConfig, journeys: &Journeys) -> Result<(Models, Vec<String>)> {
    let (kinds, notes) = select_models(asked, journeys)?;
    Ok((kinds.iter().map(|k| k.build(cfg)).collect(), notes))
}

fn select_models(asked: &[ModelKind], journeys: &Journeys) -> Result<(Vec<ModelKind>, Vec<String>)> {
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
    // With `--milestones`, the milestone models join the default set.
    let milestone = journeys.has_milestones().then_some(ModelKind::MILESTONE).into_iter().flatten();
    let kinds = ModelKind::DEFAULT
        .into_iter()
        .chain(milestone)
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

/// Notes for stderr: `notes` (of choosing the models), then what the
/// models decided and warned about in `report`.
pub fn run_notes(notes: Vec<String>, report: &Report) -> Vec<String> {
    notes
        .into_iter()
        .chain(report.notes.iter().map(|n| format!("note: {n}")))
        .chain(report.warnings.iter().map(|w| format!("warning: {w}")))
        .collect()
}

/// Writes `lines` to stderr, one each.
pub fn tell(lines: impl IntoIterator<Item = String>) {
    super::progress::finish();
    let mut err = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_models_leave_out_unsupported_ones_with_a_note() {
        let paths = Journeys::from_paths(&[(&["a"], 1.0, 0.0, 0.0)]);
        let (kinds, notes) = select_models(&[], &paths).unwrap();
        assert!(!kinds.contains(&ModelKind::TimeDecay));
        assert_eq!(notes.len(), 1);
        assert!(select_models(&[ModelKind::TimeDecay], &paths).is_err());
        let mut timed = Journeys::new(vec!["a".into()], true);
        timed.push(&[0], Some(&[0]), 1.0, 0.0, 0.0, Some(0));
        assert_eq!(select_models(&[], &timed).unwrap().0, ModelKind::DEFAULT.to_vec());
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
        assert_eq!(ModelConfig::default().position_weights, [0.4, 0.2, 0.4]);
    }
}
