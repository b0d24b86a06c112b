//! The steps several subcommands share: read the input and rebuild
//! journeys, choose and build the models, and tell the user on stderr what
//! went in and what the run decided.

use std::io::Write;

use anyhow::Result;

use super::args::{InputConfig, Target};
use crate::input::{self, Source};
use crate::journey::{self, Dimension, JourneyConfig, Journeys, Segment};
use crate::model::{AttributionModel, ModelConfig, ModelKind};
use crate::output::table::{count, thousands};
use crate::output::{OutputFormat, Style, views};
use crate::report::{InputSummary, Report};

/// Refuses to read stdin when it is a terminal (it would wait for typing).
pub fn refuse_terminal_stdin(input: &InputConfig) -> Result<()> {
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
    Ok(())
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

/// The models over a partitioned input, one group of partitions in memory
/// at a time: journeys built per group and handed to the models in order,
/// so the report is the one of all journeys at once, to the bit. Returns
/// it with the notes of choosing the models.
pub fn report_of_parts(
    parted: &input::Parted,
    cfg: &JourneyConfig,
    asked: &[ModelKind],
    model_cfg: &ModelConfig,
) -> Result<(Report, Vec<String>)> {
    let mut groups = JourneyGroups::new(parted, cfg);
    let journeys = groups.next_group()?.expect("partitions come in at least one group");
    // Every group has the input's channels and times.
    let (models, notes) = models(asked, model_cfg, &journeys)?;
    let mut run = crate::report::StreamedRun::new(journeys.channels(), journeys.is_timed(), &models)?;
    run.add(journeys)?;
    while let Some(journeys) = groups.next_group()? {
        run.add(journeys)?;
    }
    Ok((run.finish(groups.summary()?)?, notes))
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
        return Err(crate::Error::usage(
            "`--by` splits conversions by their attributes, which path aggregates do not have",
            "read the touchpoint events instead of `--paths`",
        )
        .into());
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
    summary.rows_used -= events.repeated_orders;
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

/// What went in: rows and files, skipped rows, journeys, conversions and
/// revenue, what the journey rules dropped, the date range; then `notes`.
pub fn summary(s: &InputSummary, notes: &[String]) -> Vec<String> {
    let whole = |n: u64| thousands(n as f64, 0);
    // A directory or glob can stand for hundreds of files: name the ends.
    let files = match s.files.as_slice() {
        [first, .., last] if s.files.len() > 4 => format!("{} files ({}, ..., {})", s.files.len(), first.name, last.name),
        all => all.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
    };
    let mut lines = vec![match s.distinct_paths {
        None => format!("read {} rows from {files}", whole(s.rows_read)),
        Some(n) => format!(
            "read {} path rows from {files}; {} distinct paths after merging duplicates",
            whole(s.rows_read),
            whole(n)
        ),
    }];
    lines.extend(rows_left_out(s));
    let who = s.customers.map(|c| format!(" from {} customers", whole(c))).unwrap_or_default();
    lines.push(format!(
        "{} journeys{who} ({} converting); {} conversions, revenue {}",
        count(s.journeys),
        count(s.converting_journeys),
        count(s.conversions),
        thousands(s.revenue, 2)
    ));
    for seg in s.segments.iter().flatten() {
        lines.push(format!(
            "  {}: {} journeys ({} converting); {} conversions, revenue {}",
            seg.segment.label(),
            count(seg.journeys),
            count(seg.converting_journeys),
            count(seg.conversions),
            thousands(seg.revenue, 2)
        ));
    }
    if s.unattributed_conversions > 0 {
        lines.push(format!(
            "unattributed: {} conversions (revenue {}) had no touch before them",
            whole(s.unattributed_conversions),
            thousands(s.unattributed_value, 2)
        ));
    }
    if s.merged_into_visits > 0 {
        lines.push(format!(
            "session gap: merged {} into the first touch of their visit ({} in journeys)",
            plural(s.merged_into_visits, "row", "rows"),
            plural(s.touches, "touch", "touches")
        ));
    }
    for (n, what) in [
        (s.dropped_by_lookback, "lookback dropped"),
        (s.dropped_by_max_touches, "max-touches dropped"),
        (s.dropped_by_transforms, "path transforms dropped"),
        (s.dropped_by_channel_filter, "the channel filter dropped"),
    ] {
        if n > 0 {
            lines.push(format!("{what} {} touches", whole(n)));
        }
    }
    if let Some(n) = s.outside_windows.filter(|&n| n > 0) {
        lines.push(format!(
            "window mode: {} touches fall in no journey (after a customer's last conversion, or older than the lookback)",
            whole(n)
        ));
    }
    if let Some(g) = &s.ga4 {
        let joined = if g.devices_with_user_id > 0 {
            format!(" ({} joined to a user_id)", whole(g.devices_with_user_id))
        } else {
            String::new()
        };
        lines.push(format!(
            "GA4: {} events in {} sessions (the touches) on {} devices{joined}",
            whole(g.events),
            whole(g.sessions),
            whole(g.devices)
        ));
        if g.events_without_device > 0 {
            lines.push(format!(
                "GA4: {} events have no user_pseudo_id (consent mode's cookieless pings): no customer to tie them to, left out",
                whole(g.events_without_device)
            ));
        }
        if g.events_without_session > 0 {
            lines.push(format!(
                "GA4: {} events have no ga_session_id and are in no session ({} of them conversions, which count)",
                whole(g.events_without_session),
                whole(g.conversions_without_session)
            ));
        }
        if g.repeated_transactions > 0 {
            let (events, verb) = match g.repeated_transactions {
                1 => ("event", "repeats"),
                _ => ("events", "repeat"),
            };
            lines.push(format!(
                "GA4: {} conversion {events} {verb} an earlier transaction_id, not counted again",
                whole(g.repeated_transactions)
            ));
        }
    }
    if let Some(types) = &s.conversions_by_type {
        let list: Vec<String> = types.iter().map(|(t, n)| format!("{t} {}", whole(*n))).collect();
        lines.push(format!("conversions by type: {}", list.join(", ")));
    }
    if let Some(r) = &s.removed_by_conversion_type {
        lines.push(format!(
            "--conversion-types removed {} conversions of other types (revenue {})",
            whole(r.conversions),
            thousands(r.revenue, 2)
        ));
    }
    if let Some(p) = &s.outside_period {
        lines.push(format!(
            "--from/--to removed {} journeys outside the period ({} conversions, revenue {})",
            whole(p.journeys),
            whole(p.conversions),
            thousands(p.revenue, 2)
        ));
    }
    if let Some(c) = &s.costs {
        let outside = match c.rows_outside_period {
            0 => String::new(),
            n => format!("; {} dated outside the period left out", plural(n, "row", "rows")),
        };
        let or_empty = |x: Option<f64>| x.map_or("-".to_string(), |x| thousands(x, 2));
        lines.push(format!(
            "spend {} from {} ({} rows{outside}); blended CPA {}, ROAS {}",
            thousands(c.total_spend, 2),
            c.file,
            whole(c.rows),
            or_empty(c.blended_cpa),
            or_empty(c.blended_roas)
        ));
    }
    if s.ignored_values > 0 {
        lines.push(format!("ignored values on {} non-converting rows", whole(s.ignored_values)));
    }
    if let (Some(a), Some(b)) = (s.times.first_touch, s.times.last_touch) {
        lines.push(format!("touches from {} to {}", s.zone.format(a), s.zone.format(b)));
    }
    lines.extend(s.notes.iter().cloned());
    lines.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
    lines.extend(notes.iter().cloned());
    lines
}

/// `--on-error skip`: how many rows were skipped and why, when any were.
fn skipped_note(s: &InputSummary) -> Option<String> {
    if s.rows_skipped == 0 {
        return None;
    }
    let reasons = s
        .skipped_by_reason
        .iter()
        .map(|(k, n)| format!("{} {}", thousands(*n as f64, 0), k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "skipped {} bad rows ({reasons}); used {}",
        thousands(s.rows_skipped as f64, 0),
        thousands(s.rows_used as f64, 0)
    ))
}

/// The rows read but not used: skipped (`--on-error skip`), without a
/// customer id, repeating an order; a line for each kind there is.
pub fn rows_left_out(s: &InputSummary) -> Vec<String> {
    let mut lines: Vec<String> = skipped_note(s).into_iter().chain(anonymous_note(s)).collect();
    if s.repeated_orders > 0 {
        lines.push(format!(
            "left out {} repeating an earlier conversion's order id (`--order-col`): each order counts once",
            plural(s.repeated_orders, "conversion row", "conversion rows")
        ));
    }
    lines
}

/// `1 row`, `2 rows`, `1,234 rows`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n as f64, 0), if n == 1 { one } else { many })
}

/// Rows without a customer id, when any were left out.
fn anonymous_note(s: &InputSummary) -> Option<String> {
    if s.rows_anonymous == 0 {
        return None;
    }
    let conversions = match s.anonymous_conversions {
        0 => String::new(),
        n => format!(
            "; {} of them {} (revenue {}), not counted",
            thousands(n as f64, 0),
            if n == 1 { "a conversion" } else { "conversions" },
            thousands(s.anonymous_value, 2)
        ),
    };
    Some(format!(
        "left out {} without a customer id (visitors not yet identified){conversions}",
        plural(s.rows_anonymous, "row", "rows")
    ))
}

/// A note on conversions that had no touch: they are counted when reading
/// but appear in no `what` row.
pub fn unattributed_note(summary: &InputSummary, what: &str) -> Option<String> {
    let n = summary.unattributed_conversions;
    let value = crate::output::fixed(summary.unattributed_value, 2);
    match n {
        0 => None,
        1 => Some(format!(
            "note: 1 unattributed conversion (revenue {value}) had no touch before it and is in no {what}"
        )),
        _ => Some(format!(
            "note: {n} unattributed conversions (revenue {value}) had no touch before them and are in no {what}"
        )),
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
        assert_eq!(ModelConfig::default().position_weights, [0.4, 0.2, 0.4]);
    }
}
