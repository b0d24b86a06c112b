//! Results: the models run in parallel over the same journeys, and their
//! credits become per-channel figures with shares.
//!
//! Everything an exporter shows is computed here (shares, totals), in a fixed
//! order (models as requested, channels by name); exporters only format.

pub mod bootstrap;
pub mod budget;
pub mod calibration;
pub mod compare;
pub mod costs;
pub mod cross_model;
pub mod evaluate;
pub mod findings;
pub mod funnel;
pub mod markov;
pub mod meaningful;
pub mod overview;
pub mod per_conversion;
pub mod periods;
pub mod scorecard;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::input::FileStats;
use crate::journey::{DataTimes, Feed, JourneyStats, Journeys};
use crate::model::{Attribution, AttributionModel, Details, ModelKind, Parameter, Stream};

/// One input file and the rows read from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    /// File name as given (`<stdin>` for standard input).
    pub name: String,
    /// Data rows read, skipped ones included.
    pub rows: u64,
    /// Rows skipped by `--on-error skip`.
    pub skipped: u64,
    /// Rows without a customer id, left out.
    pub anonymous: u64,
}

impl From<&FileStats> for FileSummary {
    fn from(f: &FileStats) -> Self {
        FileSummary {
            name: f.name.clone(),
            rows: f.rows,
            skipped: f.skipped,
            anonymous: f.anonymous,
        }
    }
}

/// What went in, for the stderr summary and the JSON `input` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    /// `events` (touchpoints) or `paths` (path aggregates).
    pub kind: &'static str,
    /// Files read, in order (the conversions file last, when given).
    pub files: Vec<FileSummary>,
    /// Data rows read over all files (= rows used + rows skipped + rows
    /// anonymous + repeated orders + conversion rows merged by id + rows
    /// of people without an account dropped).
    pub rows_read: u64,
    /// Rows that went into journeys.
    pub rows_used: u64,
    /// Rows skipped by `--on-error skip`.
    pub rows_skipped: u64,
    /// Rows without a customer id (visitors not yet identified), left out.
    pub rows_anonymous: u64,
    /// Conversions among the anonymous rows.
    pub anonymous_conversions: u64,
    /// Their revenue.
    pub anonymous_value: f64,
    /// `--order-col`: conversion rows repeating an earlier conversion's
    /// order id, left out.
    pub repeated_orders: u64,
    /// Conversion rows (of the conversions file) dated without a time of
    /// day, each read as the end of its day in `--timezone`.
    #[serde(skip_serializing_if = "is_zero")]
    pub conversions_date_only: u64,
    /// `--milestones`: each milestone type's conversions (they end no journey).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<crate::input::MilestoneCount>>,
    /// `--accounts` / `--account-col`: what keying rows by account did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<crate::input::accounts::AccountStats>,
    /// `--conversion-id-col`: conversion rows merged by their id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_ids: Option<crate::input::MergedIds>,
    /// Skipped rows by reason key (`invalid_timestamp`, `malformed_row`...).
    pub skipped_by_reason: BTreeMap<&'static str, u64>,
    /// Conversions read from the rows used (= attributed + unattributed).
    pub conversions_read: f64,
    /// What journey building did (customers, journeys, conversions,
    /// touches and the touches each step dropped), in its JSON order.
    #[serde(flatten)]
    pub built: JourneyStats,
    /// `--by`: each segment's journeys and conversions (the fields above
    /// add theirs up, so a touch counts once per segment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentSummary>>,
    /// Conversions read of each type (`--type-col`, `--conversion-events`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversions_by_type: Option<BTreeMap<String, u64>>,
    /// Their revenue, per type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_by_type: Option<BTreeMap<String, f64>>,
    /// `--conversion-types`: the conversions of other types, removed before
    /// journeys were built (counted in `conversions_read`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by_conversion_type: Option<crate::input::RemovedByType>,
    /// `--from` / `--to`: the journeys (and their conversions and revenue)
    /// outside the period. Conversions read = attributed + unattributed + these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_period: Option<crate::journey::OutsidePeriod>,
    /// `--costs`: total spend, blended CPA and ROAS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<costs::CostSummary>,
    /// `--ga4`: events, sessions and devices, and the events in no session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ga4: Option<crate::input::ga4::Ga4Stats>,
    /// Values on non-converting rows, which carry no revenue and were ignored.
    pub ignored_values: u64,
    /// The first and last touch and conversion (RFC 3339, UTC in JSON;
    /// epoch ms for what is figured from them: the costs' period,
    /// messages in `--timezone`). A copy of `built.times`, shown last.
    #[serde(flatten)]
    pub times: DataTimes,
    /// `--timezone`: the zone dates are shown in.
    #[serde(skip)]
    pub zone: crate::input::Zone,
    /// How conversions were told apart, for the error when there are none.
    #[serde(skip)]
    pub conversions_from: crate::input::ConversionsFrom,
    /// What the user should hear about how the input was read (lines for
    /// stderr, `note: ` included).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// What the user should hear about the input (printed on stderr).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl InputSummary {
    /// Combines file statistics and journey statistics.
    pub fn new(kind: &'static str, files: &[FileStats], stats: &JourneyStats, ignored_values: u64) -> Self {
        let rows_read = files.iter().map(|f| f.rows).sum();
        let rows_skipped = files.iter().map(|f| f.skipped).sum();
        let rows_anonymous = files.iter().map(|f| f.anonymous).sum();
        InputSummary {
            kind,
            files: files.iter().map(FileSummary::from).collect(),
            rows_read,
            rows_used: rows_read - rows_skipped - rows_anonymous,
            rows_skipped,
            rows_anonymous,
            anonymous_conversions: 0,
            anonymous_value: 0.0,
            repeated_orders: 0,
            conversions_date_only: 0,
            conversion_ids: None,
            accounts: None,
            milestones: None,
            skipped_by_reason: BTreeMap::new(),
            conversions_read: 0.0,
            built: stats.clone(),
            segments: None,
            conversions_by_type: None,
            revenue_by_type: None,
            removed_by_conversion_type: None,
            ga4: None,
            costs: None,
            outside_period: stats.outside_period,
            notes: Vec::new(),
            warnings: stats
                .unknown_transform_channels
                .iter()
                .map(|c| format!("`--path-transform` names channel `{c}`, which the input does not have: it matches nothing"))
                .chain(stats.unknown_filter_channels.iter().map(|c| {
                    format!("the channel filter names `{c}`, which the input does not have (after channel rules): it matches nothing")
                }))
                .collect(),
            ignored_values,
            times: stats.times,
            zone: crate::input::Zone::default(),
            conversions_from: crate::input::ConversionsFrom::default(),
        }
    }
}

impl InputSummary {
    /// Adds what only the reader knows: conversions counted on the rows
    /// read (before journeys), and the skipped rows by reason.
    pub fn with_input_counts(mut self, conversions_read: f64, rejections: &[crate::input::Rejection]) -> Self {
        self.conversions_read = conversions_read;
        self.skipped_by_reason = crate::input::rejects::count_by_reason(rejections);
        self
    }
}

/// One segment's journeys (`--by`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentSummary {
    /// Its value of each dimension.
    #[serde(flatten)]
    pub segment: crate::journey::Segment,
    /// Journeys built for it.
    #[serde(serialize_with = "crate::format::serialize_count")]
    pub journeys: f64,
    /// Those closed by one of its conversions.
    #[serde(serialize_with = "crate::format::serialize_count")]
    pub converting_journeys: f64,
    /// Its conversions attributed.
    pub conversions: f64,
    /// Their revenue.
    pub revenue: f64,
    /// Its conversions with no touch before them.
    pub unattributed_conversions: u64,
}

/// One channel's credit under one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCredit {
    /// Channel name, shared by every model's row (a million channels times
    /// eleven models made a `String` each a gigabyte).
    pub channel: std::sync::Arc<str>,
    /// Credited conversions.
    pub conversions: f64,
    /// Credited revenue.
    pub value: f64,
    /// Credited conversions / conversions attributed by the model (0 when none).
    pub share: f64,
    /// With `--costs`: spend, CPA and ROAS (boxed for the same reason as
    /// the interval below).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Box<costs::CostFigures>>,
    /// With `--bootstrap`: 95% percentile intervals of conversions and value.
    /// (Boxed: most runs have none, and a row per channel and model adds up.)
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Box<bootstrap::Interval>>,
    /// With `--lift`: the factor and the calibrated credit.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Box<calibration::Calibration>>,
}

/// The models run over journeys that come in parts, in canonical order
/// (customer partitions, out of core): the same report as
/// [`Report::compute`] over all the parts' journeys at once, to the bit.
pub struct StreamedRun<'a> {
    models: &'a [Box<dyn AttributionModel>],
    streams: Vec<Box<dyn Stream + 'a>>,
    feed: Feed,
    totals: (f64, f64),
}

impl<'a> StreamedRun<'a> {
    /// A run of `models` over journeys with these channels (sorted).
    pub fn new(channels: &[String], timed: bool, models: &'a [Box<dyn AttributionModel>]) -> Result<Self> {
        Ok(StreamedRun {
            streams: models.iter().map(|m| m.stream(channels)).collect::<Result<_>>()?,
            models,
            feed: Feed::new(channels.to_vec(), timed, crate::model::BLOCK),
            totals: (0.0, 0.0),
        })
    }

    /// Adds the next part's journeys.
    pub fn add(&mut self, part: Journeys) -> Result<()> {
        match self.feed.push(part) {
            Some(block) => self.run(&block),
            None => Ok(()),
        }
    }

    fn run(&mut self, block: &Journeys) -> Result<()> {
        self.totals = block.add_totals(self.totals);
        self.streams.par_iter_mut().try_for_each(|s| s.add(block))
    }

    /// The per-conversion splits of the models fitted on every part added,
    /// in model order (`None` for a model without one).
    pub fn into_splits(mut self) -> Result<Vec<Option<Box<dyn crate::model::JourneySplit + 'a>>>> {
        let rest = std::mem::replace(&mut self.feed, Feed::new(Vec::new(), false, 1)).finish();
        self.run(&rest)?;
        self.streams.into_iter().map(|s| s.into_split()).collect()
    }

    /// The report over every part added.
    pub fn finish(mut self, input: InputSummary) -> Result<Report> {
        let rest = std::mem::replace(&mut self.feed, Feed::new(Vec::new(), false, 1)).finish();
        self.run(&rest)?;
        let channels = rest.channels().to_vec();
        let runs: Vec<Attribution> = self.streams.into_par_iter().map(|s| s.finish()).collect::<Result<_>>()?;
        Ok(Report::of_runs(input, &channels, self.models, runs, self.totals.0))
    }
}

/// One model's results.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    /// With `--by`: the segment these results are of (`conversion_type`
    /// first in each JSON entry); empty otherwise.
    #[serde(flatten)]
    pub segment: crate::journey::Segment,
    /// The model.
    pub model: ModelKind,
    /// Its parameters in effect (those chosen from the data included).
    pub parameters: BTreeMap<&'static str, Parameter>,
    /// Per channel, sorted by channel name; every channel of the input appears.
    pub credits: Vec<ChannelCredit>,
    /// Conversions the model attributed (sum of the credits' conversions).
    #[serde(skip)]
    pub conversions: f64,
    /// Revenue the model attributed (sum of the credits' values).
    #[serde(skip)]
    pub value: f64,
    /// Sum of the credits' shares: 1 for a model whose credits sum to the
    /// conversions, more for participation (0 without conversions).
    #[serde(skip)]
    pub share: f64,
    /// What the model has to show beyond credits (Markov's solved chain).
    #[serde(skip)]
    pub details: Option<Details>,
    /// With `--lift`: what calibrated credit leaves unexplained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<calibration::Baseline>,
}

impl ModelReport {
    /// The report of `credits` (per channel, named by `names`), with
    /// shares relative to `share_base` and the sums filled in.
    pub fn new(
        model: ModelKind,
        parameters: BTreeMap<&'static str, Parameter>,
        names: &[std::sync::Arc<str>],
        credits: &crate::model::Credits,
        share_base: f64,
        details: Option<Details>,
    ) -> ModelReport {
        let credits: Vec<ChannelCredit> = names
            .iter()
            .enumerate()
            .map(|(i, name)| ChannelCredit {
                channel: name.clone(),
                conversions: credits.conversions[i],
                value: credits.value[i],
                share: if share_base > 0.0 {
                    credits.conversions[i] / share_base
                } else {
                    0.0
                },
                cost: None,
                interval: None,
                calibration: None,
            })
            .collect();
        ModelReport {
            segment: Default::default(),
            model,
            parameters,
            share: credits.iter().map(|c| c.share).sum(),
            conversions: credits.iter().map(|c| c.conversions).sum(),
            value: credits.iter().map(|c| c.value).sum(),
            credits,
            details,
            baseline: None,
        }
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The input summary.
    pub input: InputSummary,
    /// `--by`: the dimensions the models' results are split by (each
    /// model entry carries its segment); empty without.
    #[serde(skip)]
    pub by: Vec<crate::journey::Dimension>,
    /// One entry per model, in the order asked for.
    pub models: Vec<ModelReport>,
    /// What the models decided from the data (printed on stderr as notes).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Things the user should know about the results (printed on stderr).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// With `--compare-models`: every channel's share and rank under each model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Vec<cross_model::ChannelComparison>>,
}

impl Report {
    /// Runs `models` in parallel over `journeys`; output order = `models` order.
    pub fn compute(input: InputSummary, journeys: &Journeys, models: &[Box<dyn AttributionModel>]) -> Result<Report> {
        // The rule-based models in one pass over the journeys, the others
        // beside it.
        let rules: Vec<&dyn crate::model::WeightRule> = models.iter().filter_map(|m| m.rule()).collect();
        let (fused, others) = rayon::join(
            || {
                (rules.len() > 1)
                    .then(|| crate::model::distribute_rules(journeys, &rules))
                    .flatten()
            },
            || {
                models
                    .par_iter()
                    .map(|m| match m.rule() {
                        Some(_) if rules.len() > 1 => Ok(None),
                        _ => m.run(journeys).map(Some),
                    })
                    .collect::<Result<Vec<Option<Attribution>>>>()
            },
        );
        let (mut fused, others) = (fused.map(Vec::into_iter), others?);
        let runs: Vec<Attribution> = models
            .iter()
            .zip(others)
            .map(|(m, run)| match (run, &mut fused) {
                (Some(run), _) => Ok(run),
                (None, Some(credits)) => Ok(m.run_of(journeys, credits.next().expect("one sum per rule"))),
                // Too many channels for one pass: each rule alone.
                (None, None) => m.run(journeys),
            })
            .collect::<Result<_>>()?;
        Ok(Report::of_runs(
            input,
            journeys.channels(),
            models,
            runs,
            journeys.total_conversions(),
        ))
    }

    /// The report of `runs` (one per model, in order) over journeys with
    /// `conversions` in all.
    fn of_runs(
        input: InputSummary,
        channels: &[String],
        models: &[Box<dyn AttributionModel>],
        runs: Vec<Attribution>,
        conversions: f64,
    ) -> Report {
        let names: Vec<std::sync::Arc<str>> = channels.iter().map(|n| n.as_str().into()).collect();
        let mut report = Report {
            input,
            by: Vec::new(),
            models: Vec::with_capacity(runs.len()),
            notes: Vec::new(),
            warnings: Vec::new(),
            comparison: None,
        };
        for (m, run) in models.iter().zip(runs) {
            let credits = run.credits;
            // Participation credits every channel in full: its shares are
            // relative to the conversions, and sum to more than 1.
            let share_base = if m.sums_to_conversions() {
                credits.conversions.iter().sum()
            } else {
                conversions
            };
            report.models.push(ModelReport::new(
                m.kind(),
                run.parameters,
                &names,
                &credits,
                share_base,
                run.details,
            ));
            report.notes.extend(run.notes);
            report.warnings.extend(run.warnings);
        }
        report
    }

    /// The report of `kind`, if it ran.
    pub fn model(&self, kind: ModelKind) -> Option<&ModelReport> {
        self.models.iter().find(|m| m.model == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelConfig;

    #[test]
    fn a_run_over_parts_gives_the_report_of_all_journeys_to_the_bit() {
        let names: Vec<String> = (0..6).map(|i| format!("ch{i}")).collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let at = 1_700_000_000_000i64;
        let (mut all, mut part) = (Journeys::new(names.clone(), true), Journeys::new(names.clone(), true));
        let mut parts = Vec::new();
        // Two and a half blocks, cut into uneven parts that straddle them.
        for _ in 0..(2 * crate::model::BLOCK + crate::model::BLOCK / 2 + 7) {
            let len = 1 + next(6) as usize;
            let touches: Vec<u32> = (0..len).map(|_| next(6) as u32).collect();
            let times: Vec<i64> = (0..len as i64)
                .map(|k| at - (len as i64 - k) * 3_600_000 * (1 + next(50) as i64))
                .collect();
            let (conversions, value, nulls, end) = match next(3) {
                0 => (0.0, 0.0, 1.0, None),
                _ => (1.0, next(100_000) as f64 / 7.0, 0.0, Some(at)),
            };
            for j in [&mut all, &mut part] {
                j.push(&touches, Some(&times), conversions, value, nulls, end);
            }
            if next(3000) == 0 {
                parts.push(std::mem::replace(&mut part, Journeys::new(names.clone(), true)));
            }
        }
        parts.push(part);
        assert!(parts.len() > 5, "{} parts", parts.len());
        let cfg = ModelConfig::default();
        let models: Vec<_> = ModelKind::ALL.iter().map(|k| k.build(&cfg)).collect();
        let input = InputSummary::new("events", &[], &JourneyStats::default(), 0);
        let whole = Report::compute(input.clone(), &all, &models).unwrap();
        let mut run = StreamedRun::new(&names, true, &models).unwrap();
        for p in parts {
            run.add(p).unwrap();
        }
        let streamed = run.finish(input).unwrap();
        assert_eq!(whole.models.len(), ModelKind::ALL.len());
        // Debug prints every f64 in its shortest round-trip form: equal text, equal bits.
        assert_eq!(format!("{:?}", streamed.models), format!("{:?}", whole.models));
        assert_eq!(streamed.warnings, whole.warnings);
    }

    #[test]
    fn shares_sum_to_one_and_models_keep_their_order() {
        let j = Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["b"], 1.0, 5.0, 0.0)]);
        let cfg = ModelConfig::default();
        let models: Vec<_> = [ModelKind::Linear, ModelKind::FirstClick].iter().map(|k| k.build(&cfg)).collect();
        let input = InputSummary::new("paths", &[], &JourneyStats::default(), 0);
        let r = Report::compute(input, &j, &models).unwrap();
        assert_eq!(r.models[0].model, ModelKind::Linear);
        assert_eq!(r.models[1].model, ModelKind::FirstClick);
        // first-click: a 3 of 4, b 1 of 4.
        assert_eq!(r.models[1].credits[0].share, 0.75);
        assert_eq!(r.models[1].credits[1].share, 0.25);
        // linear: a 1.5, b 1.5 + 1 = 2.5 of 4.
        assert_eq!(r.models[0].credits[1].conversions, 2.5);
        assert_eq!(r.models[0].conversions, 4.0);
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::collections::BTreeMap;

    use super::{ChannelCredit, InputSummary, ModelReport, Report};
    use crate::model::{ModelKind, Parameter};

    /// A small fixed report for exporter snapshots.
    pub fn report() -> Report {
        let credit = |channel: &str, conversions: f64, value: f64, share: f64| ChannelCredit {
            cost: None,
            interval: None,
            calibration: None,
            channel: channel.into(),
            conversions,
            value,
            share,
        };
        Report {
            by: Vec::new(),
            input: InputSummary {
                kind: "events",
                files: vec![crate::report::FileSummary {
                    name: "events.csv".into(),
                    rows: 7,
                    skipped: 0,
                    anonymous: 0,
                }],
                rows_read: 7,
                rows_used: 7,
                rows_skipped: 0,
                rows_anonymous: 0,
                anonymous_conversions: 0,
                anonymous_value: 0.0,
                repeated_orders: 0,
                conversions_date_only: 0,
                conversion_ids: None,
                accounts: None,
                milestones: None,
                skipped_by_reason: BTreeMap::new(),
                conversions_read: 3.0,
                built: crate::journey::JourneyStats {
                    customers: Some(3),
                    journeys: 4.0,
                    converting_journeys: 3.0,
                    nulls: 1.0,
                    conversions: 3.0,
                    revenue: 60.0,
                    touches: 7,
                    ..Default::default()
                },
                segments: None,
                conversions_by_type: None,
                revenue_by_type: None,
                removed_by_conversion_type: None,
                ga4: None,
                costs: None,
                outside_period: None,
                ignored_values: 0,
                times: crate::journey::DataTimes {
                    first_touch: Some(1_735_689_600_000),
                    last_touch: Some(1_736_380_800_000),
                    ..Default::default()
                },
                zone: Default::default(),
                conversions_from: Default::default(),
                notes: Vec::new(),
                warnings: Vec::new(),
            },
            models: vec![
                ModelReport {
                    segment: Default::default(),
                    model: ModelKind::FirstClick,
                    parameters: BTreeMap::new(),
                    credits: vec![credit("Email", 1.0, 10.0, 1.0 / 3.0), credit("Paid <Search>", 2.0, 50.0, 2.0 / 3.0)],
                    conversions: 3.0,
                    value: 60.0,
                    share: 1.0,
                    details: None,
                    baseline: None,
                },
                ModelReport {
                    segment: Default::default(),
                    model: ModelKind::PositionBased,
                    parameters: BTreeMap::from([("position_weights", Parameter::Numbers(vec![0.4, 0.2, 0.4]))]),
                    credits: vec![credit("Email", 1.5, 25.0, 0.5), credit("Paid <Search>", 1.5, 35.0, 0.5)],
                    conversions: 3.0,
                    value: 60.0,
                    share: 1.0,
                    details: None,
                    baseline: None,
                },
            ],
            notes: Vec::new(),
            warnings: Vec::new(),
            comparison: None,
        }
    }
}

/// For `skip_serializing_if`: a count that only shows when there is one.
fn is_zero(n: &u64) -> bool {
    *n == 0
}
