//! `mta compare BASE NEW`: reads two result files of `mta attribute`,
//! compares them on one figure, writes the differences and a one-line
//! verdict, and exits 1 when any difference is beyond tolerance, so that a
//! CI job can guard attribution results against drift.

use anyhow::Result;
use clap::Args;

use super::plan::{Formats, TABULAR};
use super::{Exit, OutputArgs, pipeline};
use crate::error::Error;
use crate::input::Source;
use crate::output::{Metric, OutputFormat, write_comparison};
use crate::report::compare::{Comparison, Figures, Results, Tolerance};

/// Arguments of `mta compare`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct CompareArgs {
    /// Reference results (CSV, JSON or Parquet written by `mta attribute`); `-` is stdin.
    #[arg(value_name = "BASE")]
    base: String,
    /// Results to check against BASE (CSV, JSON or Parquet); `-` is stdin.
    #[arg(value_name = "NEW")]
    new: String,
    /// Largest difference that still counts as equal (absolute, unless `--relative`).
    #[arg(long, default_value_t = 0.01, value_name = "TOL")]
    tolerance: f64,
    /// Figure compared; `share` is the fraction written in the files (0.25, not 25%), so `--tolerance 0.01` is one point.
    #[arg(long, value_enum, default_value_t = Compared::Share)]
    metric: Compared,
    /// Tolerance relative to the base figure: |new - base| <= TOL * |base| (a base of 0 needs an exact 0).
    #[arg(long)]
    relative: bool,
    /// Show every pair, not only those beyond tolerance.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta compare` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta compare",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// A compare input that cannot be read or parsed. For a CI gate this is the
/// job's setup, not a drift, so it exits 2 like a usage error.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(super) struct UnreadableInput(#[from] Error);

/// Runs `mta compare`: 0 when every pair is within tolerance, 1 otherwise.
pub fn run(args: CompareArgs) -> Result<Exit> {
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(Error::usage(
            format!("`--tolerance {}` is not a non-negative number", args.tolerance),
            "pass e.g. `--tolerance 0.001`, or `--tolerance 0` for exact equality",
        )
        .into());
    }
    let tolerance = Tolerance {
        limit: args.tolerance,
        relative: args.relative,
    };
    let (base, new) = (Source::from_arg(&args.base), Source::from_arg(&args.new));
    if base == Source::Stdin && new == Source::Stdin {
        return Err(Error::usage("BASE and NEW cannot both be stdin (`-`)", "name one of them by file").into());
    }
    if (base == Source::Stdin || new == Source::Stdin) && super::stdin_is_terminal() {
        return Err(Error::usage("stdin (`-`) is a terminal", "pipe the results into mta, or pass both files by name").into());
    }
    let out = super::plan::output(args.output, &FORMATS, super::terminal())?;
    let mut cmp = Comparison::compute(&read(&base)?, &read(&new)?, &args.metric.name(), figure(args.metric), tolerance);
    // Exit 1 (`Exit::Data`): the data differ.
    let exit = if cmp.beyond == 0 { Exit::Ok } else { Exit::Data };
    if !args.all {
        cmp.retain_beyond();
    }
    match super::write_output(&out.target, |w| write_comparison(&cmp, out.format, &out.style, w)) {
        // `mta compare ... | head` must not turn a drift into a pass.
        Err(err) if super::is_broken_pipe(&err) => {}
        result => result?,
    }
    if !out.quiet {
        pipeline::tell([verdict(&cmp)]);
    }
    Ok(exit)
}

/// Reads and parses one input; any failure is an [`UnreadableInput`].
fn read(source: &Source) -> Result<Results, UnreadableInput> {
    Ok(crate::input::results::load(source)?)
}

/// The figures `mta compare` compares: those of every results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Compared {
    /// Credited conversions.
    Conversions,
    /// Credited revenue.
    Value,
    /// Share of the model's attributed conversions.
    Share,
}

impl Compared {
    fn name(self) -> String {
        Metric::from(self).name()
    }
}

impl From<Compared> for Metric {
    fn from(c: Compared) -> Metric {
        match c {
            Compared::Conversions => Metric::Conversions,
            Compared::Value => Metric::Value,
            Compared::Share => Metric::Share,
        }
    }
}

/// The figure `metric` names.
fn figure(metric: Compared) -> fn(&Figures) -> f64 {
    match metric {
        Compared::Conversions => |f| f.conversions,
        Compared::Value => |f| f.value,
        Compared::Share => |f| f.share,
    }
}

/// `compare: 3 of 42 values beyond tolerance 0.001 (share, absolute)`.
fn verdict(cmp: &Comparison) -> String {
    let mode = if cmp.tolerance.relative { "relative" } else { "absolute" };
    let settings = format!("tolerance {} ({}, {mode})", cmp.tolerance.limit, cmp.metric);
    if cmp.beyond == 0 {
        return format!("compare: all {} values within {settings}", cmp.compared);
    }
    let mut line = format!("compare: {} of {} values beyond {settings}", cmp.beyond, cmp.compared);
    let one_sided: Vec<String> = [(cmp.only_in_base, "only in base"), (cmp.only_in_new, "only in new")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !one_sided.is_empty() {
        line.push_str(&format!("; {}", one_sided.join(", ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(base: &str, new: &str, relative: bool) -> Comparison {
        let parse = |t: &str| {
            crate::input::results::tests::parse("r.csv", format!("model,channel,conversions,value,share\n{t}").as_bytes()).unwrap()
        };
        Comparison::compute(
            &parse(base),
            &parse(new),
            "share",
            figure(Compared::Share),
            Tolerance { limit: 0.001, relative },
        )
    }

    #[test]
    fn verdict_lines() {
        let c = comparison("l,a,1,1,0.5\nl,b,1,1,0.5\n", "l,a,1,1,0.5\nl,b,1,1,0.5\n", false);
        assert_eq!(verdict(&c), "compare: all 2 values within tolerance 0.001 (share, absolute)");
        let c = comparison("l,a,1,1,0.5\nl,b,1,1,0.5\n", "l,a,1,1,0.502\nl,c,1,1,0.5\n", true);
        assert_eq!(
            verdict(&c),
            "compare: 3 of 3 values beyond tolerance 0.001 (share, relative); 1 only in base, 1 only in new"
        );
    }

    #[test]
    fn figure_follows_the_metric() {
        let f = Figures {
            conversions: 1.0,
            value: 2.0,
            share: 3.0,
        };
        assert_eq!(
            [Compared::Conversions, Compared::Value, Compared::Share].map(|m| figure(m)(&f)),
            [1.0, 2.0, 3.0]
        );
    }
}
