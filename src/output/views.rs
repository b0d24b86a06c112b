//! Every tabular result as a [`Table`]: which columns, of which kind, and
//! the cells of each row. Only mapping and formatting: shares, totals, ranks
//! and disagreement come computed from [`crate::report`].

use std::io;

use super::Metric;
use super::table::{Cell, Column, Kind, Table, fixed};
use crate::channels::Mapping;
use crate::input::Rejection;
use crate::journey::export::{JourneyRowSource, PathRow, push_path_text};
use crate::report::compare::{CREDIT_COLUMNS, Comparison};
use crate::report::cross_model::ChannelComparison;
use crate::report::markov::MarkovReport;
use crate::report::per_conversion::ConversionRows;
use crate::report::{ModelReport, Report};

/// A row callback, as [`Table::for_each_row`] takes it.
type RowFn<'f> = dyn FnMut(&[Cell<'_>]) -> io::Result<()> + 'f;

/// Columns from `(name, kind)` pairs.
fn columns(spec: &[(&'static str, Kind)]) -> Vec<Column> {
    spec.iter().map(|&(name, kind)| Column::new(name, kind)).collect()
}

/// A table of one row per item of a slice, with fixed columns: each
/// column's name, kind and cell are declared together, so that the header
/// and the cells cannot get out of step.
pub struct Rows<'a, T, const N: usize> {
    /// The items, in output order.
    pub rows: &'a [T],
    /// Name, kind and cell of each column.
    pub columns: [Field<T>; N],
}

/// A column of [`Rows`]: its name, its kind, and its cell of one item.
pub type Field<T> = (&'static str, Kind, for<'r> fn(&'r T) -> Cell<'r>);

impl<T, const N: usize> Table for Rows<'_, T, N> {
    fn columns(&self) -> Vec<Column> {
        self.columns.iter().map(|&(name, kind, _)| Column::new(name, kind)).collect()
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        self.rows.iter().try_for_each(|r| row(&self.columns.map(|(_, _, cell)| cell(r))))
    }

    /// The leading text columns (at most two: a model and a channel) name
    /// a row: a terminal too narrow for the table repeats them in each
    /// block of the other columns.
    fn key_columns(&self) -> usize {
        self.columns.iter().take(2).take_while(|(_, kind, _)| *kind == Kind::Text).count()
    }
}

/// The credit contract, long (`model,channel,conversions,value,share`, one
/// row per model and channel); `--by` puts a column per dimension first
/// (`conversion_type,model,...`), `--bootstrap` adds its interval columns after.
pub struct Credits<'a>(pub &'a Report);

impl Credits<'_> {
    fn intervals(&self) -> bool {
        self.0.models.iter().any(|m| m.credits.iter().any(|c| c.interval.is_some()))
    }

    fn costs(&self) -> bool {
        self.0.models.iter().any(|m| m.credits.iter().any(|c| c.cost.is_some()))
    }

    fn calibrated(&self) -> bool {
        self.0.models.iter().any(|m| m.credits.iter().any(|c| c.calibration.is_some()))
    }
}

impl Table for Credits<'_> {
    fn columns(&self) -> Vec<Column> {
        let kinds = [Kind::Text, Kind::Text, Kind::Number, Kind::Number, Kind::Number];
        let mut cols: Vec<Column> = self.0.by.iter().map(|d| Column::new(d.column(), Kind::Text)).collect();
        cols.extend(CREDIT_COLUMNS.iter().zip(kinds).map(|(&n, k)| Column::new(n, k)));
        if self.costs() {
            cols.extend(["spend", "cpa", "roas"].map(|n| Column::new(n, Kind::Number)));
        }
        if self.calibrated() {
            cols.extend(["calibration_factor", "calibrated_conversions", "calibrated_value"].map(|n| Column::new(n, Kind::Number)));
        }
        if self.intervals() {
            cols.extend(["conversions_lo", "conversions_hi", "value_lo", "value_hi"].map(|n| Column::new(n, Kind::Number)));
            if self.costs() {
                cols.extend(["cpa_lo", "cpa_hi", "roas_lo", "roas_hi"].map(|n| Column::new(n, Kind::Number)));
            }
            if self.calibrated() {
                cols.extend(
                    [
                        "calibrated_conversions_lo",
                        "calibrated_conversions_hi",
                        "calibrated_value_lo",
                        "calibrated_value_hi",
                    ]
                    .map(|n| Column::new(n, Kind::Number)),
                );
            }
        }
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        for m in &self.0.models {
            for c in &m.credits {
                let mut cells: Vec<Cell<'_>> = m.segment.0.iter().map(|(_, v)| Cell::from(v.as_str())).collect();
                cells.extend([
                    Cell::from(m.model.name()),
                    Cell::from(&*c.channel),
                    c.conversions.into(),
                    c.value.into(),
                    c.share.into(),
                ]);
                if let Some(k) = &c.cost {
                    cells.extend([Cell::from(k.spend), k.cpa.into(), k.roas.into()]);
                }
                if let Some(k) = &c.calibration {
                    cells.extend([k.calibration_factor, k.calibrated_conversions, k.calibrated_value].map(Cell::from));
                }
                if let Some(i) = &c.interval {
                    cells.extend([i.conversions_lo, i.conversions_hi, i.value_lo, i.value_hi].map(Cell::from));
                    if let Some(k) = c.cost.as_ref().and_then(|k| k.interval) {
                        cells.extend([k.cpa_lo, k.cpa_hi, k.roas_lo, k.roas_hi].map(Cell::from));
                    }
                    if let Some(k) = c.calibration.as_ref().and_then(|k| k.interval) {
                        cells.extend(
                            [
                                k.calibrated_conversions_lo,
                                k.calibrated_conversions_hi,
                                k.calibrated_value_lo,
                                k.calibrated_value_hi,
                            ]
                            .map(Cell::from),
                        );
                    }
                }
                row(&cells)?;
            }
        }
        Ok(())
    }
}

/// Credits as a channel x model grid of one figure, with a total row (the
/// sum of each column, as the report computed it).
pub struct CreditGrid<'a> {
    /// The models' results (of one segment, with `--by`).
    pub models: Vec<&'a ModelReport>,
    /// The figure shown.
    pub metric: Metric,
    /// `--costs`: all spend kept, for the total row (spend on channels no
    /// model credited included, so the blended CPA and ROAS are the summary's).
    pub total_spend: Option<f64>,
    /// Column headings instead of the model names (one model's periods
    /// side by side, `--by month --metric share`).
    pub headings: Option<Vec<String>>,
}

impl Table for CreditGrid<'_> {
    fn columns(&self) -> Vec<Column> {
        let mut cols = vec![Column::new("channel", Kind::Text)];
        match &self.headings {
            Some(names) => cols.extend(names.iter().map(|n| Column::new(n.clone(), Kind::Figure))),
            None => cols.extend(self.models.iter().map(|m| Column::new(m.model.name(), Kind::Figure))),
        }
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        let models = &self.models;
        let with = |x: f64, interval: Option<(f64, f64)>| match interval {
            Some((lo, hi)) => format!("{} ({}-{})", fixed(x, 2), fixed(lo, 2), fixed(hi, 2)),
            None => fixed(x, 2),
        };
        let percent = |x: f64| format!("{}%", fixed(x * 100.0, 2));
        let maybe = |x: Option<f64>, interval: Option<(Option<f64>, Option<f64>)>| match (x, interval) {
            (None, _) => String::new(),
            (Some(x), Some((Some(lo), Some(hi)))) => with(x, Some((lo, hi))),
            (Some(x), _) => fixed(x, 2),
        };
        for i in 0..models.first().map_or(0, |m| m.credits.len()) {
            let mut cells = vec![Cell::from(&*models[0].credits[i].channel)];
            cells.extend(models.iter().map(|m| {
                let c = &m.credits[i];
                Cell::from(match self.metric {
                    Metric::Conversions => with(c.conversions, c.interval.as_ref().map(|i| (i.conversions_lo, i.conversions_hi))),
                    Metric::Value => with(c.value, c.interval.as_ref().map(|i| (i.value_lo, i.value_hi))),
                    Metric::Share => percent(c.share),
                    Metric::Spend => c.cost.as_ref().map_or(String::new(), |k| fixed(k.spend, 2)),
                    Metric::Cpa => c
                        .cost
                        .as_ref()
                        .map_or(String::new(), |k| maybe(k.cpa, k.interval.map(|i| (i.cpa_lo, i.cpa_hi)))),
                    Metric::Roas => c
                        .cost
                        .as_ref()
                        .map_or(String::new(), |k| maybe(k.roas, k.interval.map(|i| (i.roas_lo, i.roas_hi)))),
                })
            }));
            row(&cells)?;
        }
        let mut total = vec![Cell::from("total")];
        total.extend(models.iter().map(|m| {
            Cell::from(match self.metric {
                Metric::Conversions => fixed(m.conversions, 2),
                Metric::Value => fixed(m.value, 2),
                Metric::Share => percent(m.share),
                // Blended over the channels: total spend, its CPA and ROAS.
                Metric::Spend | Metric::Cpa | Metric::Roas => {
                    let spend = self.total_spend.unwrap_or(0.0);
                    let figure = match self.metric {
                        Metric::Spend => Some(spend),
                        Metric::Cpa => (m.conversions > 0.0).then(|| spend / m.conversions),
                        _ => (spend > 0.0).then(|| m.value / spend),
                    };
                    figure.map_or(String::new(), |x| fixed(x, 2))
                }
            })
        }));
        row(&total)
    }

    fn key_columns(&self) -> usize {
        1
    }
}

/// `--compare-models`, long: `channel,model,share,rank,disagreement`.
pub struct Standings<'a>(pub &'a [ChannelComparison]);

impl Table for Standings<'_> {
    fn columns(&self) -> Vec<Column> {
        columns(&[
            ("channel", Kind::Text),
            ("model", Kind::Text),
            ("share", Kind::Number),
            ("rank", Kind::Integer),
            ("disagreement", Kind::Number),
        ])
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        for c in self.0 {
            for m in &c.models {
                row(&[
                    Cell::from(c.channel.as_str()),
                    Cell::from(m.model.name()),
                    m.share.into(),
                    Cell::Integer(m.rank as i64),
                    c.disagreement.into(),
                ])?;
            }
        }
        Ok(())
    }
}

/// `--compare-models` as a grid: share and rank per model, and the spread.
pub struct StandingGrid<'a> {
    /// The results (for the model order).
    pub report: &'a Report,
    /// Every channel's standing.
    pub comparison: &'a [ChannelComparison],
}

impl Table for StandingGrid<'_> {
    fn columns(&self) -> Vec<Column> {
        let mut cols = vec![Column::new("channel", Kind::Text)];
        cols.extend(
            self.report
                .models
                .iter()
                .map(|m| Column::new(format!("{} (rank)", m.model), Kind::Figure)),
        );
        cols.push(Column::new("disagreement", Kind::Text));
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        for c in self.comparison {
            let mut cells = vec![Cell::from(c.channel.as_str())];
            cells.extend(
                c.models
                    .iter()
                    .map(|m| Cell::from(format!("{}% ({})", fixed(m.share * 100.0, 2), m.rank))),
            );
            cells.push(Cell::from(format!(
                "{} pts ({} vs {})",
                fixed(c.disagreement * 100.0, 2),
                c.extremes.0,
                c.extremes.1
            )));
            row(&cells)?;
        }
        Ok(())
    }

    fn key_columns(&self) -> usize {
        1
    }
}

/// `--per-conversion`: `customer_id,converted_at,model,channel,credit,value`.
pub struct PerConversionRows<'a>(pub &'a dyn ConversionRows);

impl Table for PerConversionRows<'_> {
    fn columns(&self) -> Vec<Column> {
        columns(&[
            ("customer_id", Kind::Text),
            ("converted_at", Kind::Time),
            ("model", Kind::Text),
            ("channel", Kind::Text),
            ("credit", Kind::Number),
            ("value", Kind::Number),
        ])
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        self.0.for_each_row(&mut |r| {
            row(&[
                Cell::from(r.customer_id),
                r.converted_at.map_or(Cell::Null, Cell::Time),
                Cell::from(r.model),
                Cell::from(r.channel),
                r.credit.into(),
                r.value.into(),
            ])
        })
    }
}

/// `mta markov`: `channel,removal_effect,conversions,value`.
pub fn removal_effects(report: &MarkovReport) -> impl Table + '_ {
    Rows {
        rows: &report.removal_effects,
        columns: [
            ("channel", Kind::Text, |r| r.channel.as_str().into()),
            ("removal_effect", Kind::Number, |r| r.removal_effect.into()),
            ("conversions", Kind::Number, |r| r.conversions.into()),
            ("value", Kind::Number, |r| r.value.into()),
        ],
    }
}

/// `mta markov --transitions`: `from,to,probability,count`.
pub fn transitions(report: &MarkovReport) -> impl Table + '_ {
    Rows {
        rows: &report.transitions,
        columns: [
            ("from", Kind::Text, |t| t.from.as_str().into()),
            ("to", Kind::Text, |t| t.to.as_str().into()),
            ("probability", Kind::Number, |t| t.probability.into()),
            ("count", Kind::Number, |t| t.count.into()),
        ],
    }
}

/// `mta compare`: `model,channel,base,new,difference,status`, after a
/// column per segment dimension of `mta attribute --by` results.
pub fn diffs(cmp: &Comparison) -> impl Table + '_ {
    // Results of `mta attribute --by` lead with their segment's columns.
    Diffs {
        cmp,
        dims: cmp.dimensions.clone(),
    }
}

/// `mta compare`'s rows, after a column per segment dimension present.
struct Diffs<'a> {
    cmp: &'a Comparison,
    dims: Vec<&'static str>,
}

impl Table for Diffs<'_> {
    fn columns(&self) -> Vec<Column> {
        let mut cols: Vec<Column> = self.dims.iter().map(|&d| Column::new(d, Kind::Text)).collect();
        cols.extend(columns(&[
            ("model", Kind::Text),
            ("channel", Kind::Text),
            ("base", Kind::Number),
            ("new", Kind::Number),
            ("difference", Kind::Number),
            ("status", Kind::Text),
        ]));
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        for r in &self.cmp.rows {
            let mut cells: Vec<Cell<'_>> = self
                .dims
                .iter()
                .map(|d| {
                    r.segment
                        .0
                        .iter()
                        .find(|(k, _)| k == d)
                        .map_or(Cell::Null, |(_, v)| v.as_str().into())
                })
                .collect();
            cells.extend([
                r.model.as_str().into(),
                r.channel.as_str().into(),
                r.base.into(),
                r.new.into(),
                r.difference.into(),
                r.status.name().into(),
            ]);
            row(&cells)?;
        }
        Ok(())
    }
}

/// `mta paths`: `path,total_conversions,total_conversion_value,total_null`.
pub fn paths(rows: &[PathRow]) -> impl Table + '_ {
    Rows {
        rows,
        columns: [
            ("path", Kind::Text, |p| p.path.as_str().into()),
            ("total_conversions", Kind::Count, |p| p.total_conversions.into()),
            ("total_conversion_value", Kind::Number, |p| p.total_conversion_value.into()),
            ("total_null", Kind::Count, |p| p.total_null.into()),
        ],
    }
}

/// `mta journeys`: `customer_id,journey,path,touches,converted,value,first_touch_at,converted_at`.
pub struct Journeys<'a> {
    /// The rows, in output order.
    pub rows: &'a dyn JourneyRowSource,
    /// Channel names, by id.
    pub channels: &'a [String],
}

impl Table for Journeys<'_> {
    fn columns(&self) -> Vec<Column> {
        columns(&[
            ("customer_id", Kind::Text),
            ("journey", Kind::Integer),
            ("path", Kind::Text),
            ("touches", Kind::Integer),
            ("converted", Kind::Bool),
            ("value", Kind::Number),
            ("first_touch_at", Kind::Time),
            ("converted_at", Kind::Time),
        ])
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        let mut path = String::new();
        self.rows.for_each_row(&mut |r| {
            path.clear();
            push_path_text(&mut path, self.channels, r.touches);
            row(&[
                Cell::from(r.customer_id),
                Cell::Integer(r.journey as i64),
                Cell::from(path.as_str()),
                Cell::Integer(r.touches.len() as i64),
                Cell::Bool(r.converted),
                r.value.into(),
                Cell::Time(r.first_touch_at),
                r.converted_at.map_or(Cell::Null, Cell::Time),
            ])
        })
    }
}

/// `mta channels`: `source,medium,campaign,channel,rule,rows`.
pub fn channel_mappings(rows: &[Mapping]) -> impl Table + '_ {
    Rows {
        rows,
        columns: [
            ("source", Kind::Text, |m| m.source.as_str().into()),
            ("medium", Kind::Text, |m| m.medium.as_str().into()),
            ("campaign", Kind::Text, |m| m.campaign.as_str().into()),
            ("channel", Kind::Text, |m| m.channel.as_str().into()),
            ("rule", Kind::Text, |m| m.rule.to_string().into()),
            ("rows", Kind::Integer, |m| Cell::Integer(m.rows as i64)),
        ],
    }
}

/// `--rejects FILE`: `file,line,row,reason,column,value,detail,record`,
/// a contract for tools that read the file.
pub fn rejects(rows: &[Rejection]) -> impl Table + '_ {
    Rows {
        rows,
        columns: [
            ("file", Kind::Text, |r| r.file.as_str().into()),
            ("line", Kind::Integer, |r| r.line.map_or(Cell::Null, |l| Cell::Integer(l as i64))),
            ("row", Kind::Integer, |r| Cell::Integer(r.row as i64)),
            ("reason", Kind::Text, |r| r.reason.key().into()),
            ("column", Kind::Text, |r| r.column.as_str().into()),
            ("value", Kind::Text, |r| r.value.as_str().into()),
            ("detail", Kind::Text, |r| r.detail.as_str().into()),
            ("record", Kind::Text, |r| r.record.as_str().into()),
        ],
    }
}

/// `mta budget`: `model,channel,spend,proposed_spend,change,change_pct,
/// credited_share,spend_share,roas`, then `direction`, the bootstrap
/// interval of the change (`change_lo,change_hi`, empty without
/// `--bootstrap`) and its range over every model that ran (`models_agree`).
pub fn budget(rows: &[crate::report::budget::BudgetRow]) -> impl Table + '_ {
    Rows {
        rows,
        columns: [
            ("model", Kind::Text, |r| r.model.name().into()),
            ("channel", Kind::Text, |r| r.channel.as_str().into()),
            ("spend", Kind::Number, |r| r.spend.into()),
            ("proposed_spend", Kind::Number, |r| r.proposed_spend.into()),
            ("change", Kind::Number, |r| r.change.into()),
            ("change_pct", Kind::Number, |r| r.change_pct.into()),
            ("credited_share", Kind::Number, |r| r.credited_share.into()),
            ("spend_share", Kind::Number, |r| r.spend_share.into()),
            ("roas", Kind::Number, |r| r.roas.into()),
            ("direction", Kind::Text, |r| r.direction.into()),
            ("change_lo", Kind::Number, |r| r.change_lo.into()),
            ("change_hi", Kind::Number, |r| r.change_hi.into()),
            ("models_change_min", Kind::Number, |r| r.models_change_min.into()),
            ("models_change_max", Kind::Number, |r| r.models_change_max.into()),
            ("models_agree", Kind::Bool, |r| Cell::Bool(r.models_agree)),
        ],
    }
}

/// [`budget`], and with `--robust` its four columns after them:
/// `scenarios,increase_share,decrease_share,robust_direction`.
pub struct Budget<'a>(pub &'a [crate::report::budget::BudgetRow]);

impl Table for Budget<'_> {
    fn key_columns(&self) -> usize {
        2
    }

    fn columns(&self) -> Vec<Column> {
        let mut cols = budget(self.0).columns();
        if self.0.iter().any(|r| r.robust.is_some()) {
            cols.extend([
                Column::new("scenarios", Kind::Integer),
                Column::new("increase_share", Kind::Number),
                Column::new("decrease_share", Kind::Number),
                Column::new("robust_direction", Kind::Text),
            ]);
        }
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        if !self.0.iter().any(|r| r.robust.is_some()) {
            return budget(self.0).for_each_row(row);
        }
        let mut i = 0;
        budget(self.0).for_each_row(&mut |cells: &[Cell<'_>]| {
            let r = &self.0[i];
            i += 1;
            let mut all = cells.to_vec();
            match &r.robust {
                Some(k) => all.extend([
                    Cell::Integer(i64::from(k.scenarios)),
                    Cell::Number(k.increase_share),
                    Cell::Number(k.decrease_share),
                    Cell::from(k.robust_direction),
                ]),
                None => all.extend([Cell::Null, Cell::Null, Cell::Null, Cell::Null]),
            }
            row(&all)
        })
    }
}

/// `mta evaluate`: `model,nmae,rank_correlation,top3_overlap,max_abs_error`
/// (a contract), best model first.
pub fn evaluation(rows: &[crate::report::evaluate::Score]) -> impl Table + '_ {
    Rows {
        rows,
        columns: [
            ("model", Kind::Text, |r| r.model.name().into()),
            ("nmae", Kind::Number, |r| r.nmae.into()),
            ("rank_correlation", Kind::Number, |r| r.rank_correlation.into()),
            ("top3_overlap", Kind::Number, |r| r.top3_overlap.into()),
            ("max_abs_error", Kind::Number, |r| r.max_abs_error.into()),
        ],
    }
}

/// `mta scorecard`: `channel,touches,customers,journeys,converting_journeys,
/// conversion_rate,as_first,as_middle,as_last,as_only,
/// median_hours_to_conversion,conversions,value` (a contract), then
/// `spend,cpa,roas` with `--costs`.
pub struct Scorecard<'a>(pub &'a [crate::report::scorecard::ScoreRow]);

impl Table for Scorecard<'_> {
    fn key_columns(&self) -> usize {
        1
    }

    fn columns(&self) -> Vec<Column> {
        let mut cols = columns(&[
            ("channel", Kind::Text),
            ("touches", Kind::Count),
            ("customers", Kind::Integer),
            ("journeys", Kind::Count),
            ("converting_journeys", Kind::Count),
            ("conversion_rate", Kind::Number),
            ("as_first", Kind::Count),
            ("as_middle", Kind::Count),
            ("as_last", Kind::Count),
            ("as_only", Kind::Count),
            ("median_hours_to_conversion", Kind::Number),
            ("conversions", Kind::Number),
            ("value", Kind::Number),
        ]);
        if self.0.iter().any(|r| r.cost.is_some()) {
            cols.extend(["spend", "cpa", "roas"].map(|n| Column::new(n, Kind::Number)));
        }
        cols
    }

    fn for_each_row(&self, row: &mut RowFn<'_>) -> io::Result<()> {
        for r in self.0 {
            let mut cells = vec![
                Cell::from(r.channel.as_str()),
                Cell::Number(r.touches),
                r.customers.map_or(Cell::Null, |c| Cell::Integer(c as i64)),
                Cell::Number(r.journeys),
                Cell::Number(r.converting_journeys),
                r.conversion_rate.into(),
                Cell::Number(r.as_first),
                Cell::Number(r.as_middle),
                Cell::Number(r.as_last),
                Cell::Number(r.as_only),
                r.median_hours_to_conversion.into(),
                r.conversions.into(),
                r.value.into(),
            ];
            if let Some(k) = &r.cost {
                cells.extend([Cell::from(k.spend), k.cpa.into(), k.roas.into()]);
            }
            row(&cells)?;
        }
        Ok(())
    }
}
