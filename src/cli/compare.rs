//! `mta compare BASE NEW`: reads two result files of `mta attribute`,
//! compares them on one figure, writes the differences and a one-line
//! verdict, and exits 1 when any difference is beyond tolerance, so that a
//! CI job can guard attribution results against drift.

use anyhow::Result;
use clap::Args;

use super::args::{Formats, OutputConfig, TABULAR, Terminal};
use super::{Exit, OutputArgs, pipeline};
use crate::error::Error;
use crate::input::Source;
use crate::output::{Metric, OutputFormat, write_comparison};
use crate::report::compare::{Comparison, Figures, Results, Tolerance};

/// Arguments of `mta compare`.
#[derive(Debug, Args)]
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
    #[arg(long, value_enum, default_value_t = Metric::Share)]
    metric: Metric,
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
const FORMATS: Formats = Formats {
    command: "mta compare",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// Validated settings of `mta compare`.
#[derive(Debug)]
struct CompareConfig {
    base: Source,
    new: Source,
    metric: Metric,
    tolerance: Tolerance,
    all: bool,
    out: OutputConfig,
}

/// A compare input that cannot be read or parsed. For a CI gate this is the
/// job's setup, not a drift, so it exits 2 like a usage error.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(super) struct UnreadableInput(#[from] Error);

impl CompareArgs {
    fn into_config(self, terminal: Terminal) -> crate::Result<CompareConfig> {
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(Error::usage(
                format!("`--tolerance {}` is not a non-negative number", self.tolerance),
                "pass e.g. `--tolerance 0.001`, or `--tolerance 0` for exact equality",
            ));
        }
        let (base, new) = (Source::from_arg(&self.base), Source::from_arg(&self.new));
        if base == Source::Stdin && new == Source::Stdin {
            return Err(Error::usage("BASE and NEW cannot both be stdin (`-`)", "name one of them by file"));
        }
        if (base == Source::Stdin || new == Source::Stdin) && super::stdin_is_terminal() {
            return Err(Error::usage(
                "stdin (`-`) is a terminal",
                "pipe the results into mta, or pass both files by name",
            ));
        }
        Ok(CompareConfig {
            base,
            new,
            metric: self.metric,
            tolerance: Tolerance {
                limit: self.tolerance,
                relative: self.relative,
            },
            all: self.all,
            out: self.output.into_config(&FORMATS, terminal)?,
        })
    }
}

/// Runs `mta compare`: 0 when every pair is within tolerance, 1 otherwise.
pub fn run(args: CompareArgs) -> Result<Exit> {
    let cfg = args.into_config(super::terminal())?;
    let base = read(&cfg.base)?;
    let new = read(&cfg.new)?;
    let mut cmp = Comparison::compute(&base, &new, &cfg.metric.name(), figure(cfg.metric), cfg.tolerance);
    // Exit 1 (`Exit::Data`): the data differ.
    let exit = if cmp.beyond == 0 { Exit::Ok } else { Exit::Data };
    if !cfg.all {
        cmp.retain_beyond();
    }
    let out = &cfg.out;
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

/// The figure `metric` names.
fn figure(metric: Metric) -> fn(&Figures) -> f64 {
    match metric {
        Metric::Conversions => |f| f.conversions,
        Metric::Value => |f| f.value,
        Metric::Share => |f| f.share,
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
            figure(Metric::Share),
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
            [Metric::Conversions, Metric::Value, Metric::Share].map(|m| figure(m)(&f)),
            [1.0, 2.0, 3.0]
        );
    }
}
