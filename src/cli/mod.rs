//! The command line: parse, validate, wire the stages, report.
//!
//! Only this layer prints, reads the environment or knows about clap (besides
//! the `ValueEnum` derives on closed sets). Each subcommand has its own file.

mod args;
mod attribute;
mod budget;
mod channels;
mod compare;
mod completions;
mod evaluate;
mod journeys;
mod markov;
mod paths;
mod pipeline;
mod plan;
mod progress;
mod report;
mod scorecard;
mod simulate;
mod sql;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use args::{InputArgs, MarkovArgs, ModelArgs, OutputArgs};

/// Multi-touch attribution from touchpoint exports.
#[derive(Debug, Parser)]
#[command(name = "mta", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rebuild journeys and credit channels under each model.
    Attribute(attribute::AttributeArgs),
    /// Propose spend per channel in proportion to credited value, each change limited to +-`--max-change`, summing to `--total`.
    Budget(budget::BudgetArgs),
    /// Details of the Markov model: removal effects, transition matrix, P(conversion).
    Markov(markov::MarkovCmdArgs),
    /// Compare two result files of `mta attribute` (CSV, JSON or Parquet); exit 1 when any figure drifted beyond tolerance.
    Compare(compare::CompareArgs),
    /// Write a self-contained HTML report (to report.html unless `-o`): charts of every model's credit, their disagreement, top paths and Markov details.
    Report(report::ReportArgs),
    /// Score every model against a truth file (`channel,share`, e.g. from `mta simulate`): nmae, rank correlation, top-3 overlap, largest error; best first.
    Evaluate(evaluate::EvaluateArgs),
    /// Simulate customers shaped like the input under a known causal process: touchpoints.csv, conversions.csv, truth.csv (each channel's true incremental conversions) and meta.json, for `mta evaluate`.
    Simulate(simulate::SimulateArgs),
    /// Aggregate the rebuilt journeys into path rows, readable by `attribute --paths`.
    Paths(paths::PathsArgs),
    /// One row per rebuilt journey: customer, journey number, path, touches, conversion, value and times.
    Journeys(journeys::JourneysArgs),
    /// One row per channel: touches, customers, journeys, conversion rate, roles in converting journeys (first, middle, last, only), median hours to conversion, and a model's credit.
    Scorecard(scorecard::ScorecardArgs),
    /// How `--channel-rules` mapped source / medium / campaign: one row per distinct value with its channel, rule and rows.
    Channels(channels::ChannelsArgs),
    /// Print one read-only SQL query that rebuilds journeys in a warehouse (DuckDB, Spark, BigQuery, Snowflake, Postgres) and returns path aggregates or rule-based credits.
    Sql(sql::SqlArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff): `mta man > mta.1`.
    Man,
}

/// Exit codes: 0 ok, 1 data or I/O error, 2 usage error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Bad data or an I/O failure.
    Data = 1,
    /// Bad invocation.
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// Runs a parsed command line and returns the exit code; errors are printed
/// once, with their whole chain, on stderr.
pub fn run(cli: Cli) -> Exit {
    // Ctrl-C ends the process without destructors: partition files of a run
    // out of core (`--memory-limit`) must still go. 130 = killed by SIGINT.
    let _ = ctrlc::set_handler(|| {
        progress::clear_on_interrupt();
        crate::input::spill::remove_temp_dirs_and_exit(130)
    });
    progress::start();
    let result = match cli.command {
        Command::Attribute(args) => attribute::run(args).map(|()| Exit::Ok),
        Command::Budget(args) => budget::run(args).map(|()| Exit::Ok),
        Command::Markov(args) => markov::run(args).map(|()| Exit::Ok),
        Command::Compare(args) => compare::run(args),
        Command::Completions(args) => completions::completions(args).map(|()| Exit::Ok),
        Command::Man => completions::man().map(|()| Exit::Ok),
        Command::Paths(args) => paths::run(args).map(|()| Exit::Ok),
        Command::Journeys(args) => journeys::run(args).map(|()| Exit::Ok),
        Command::Channels(args) => channels::run(args).map(|()| Exit::Ok),
        Command::Scorecard(args) => scorecard::run(args).map(|()| Exit::Ok),
        Command::Evaluate(args) => evaluate::run(args).map(|()| Exit::Ok),
        Command::Simulate(args) => simulate::run(args).map(|()| Exit::Ok),
        Command::Report(args) => report::run(args).map(|()| Exit::Ok),
        Command::Sql(args) => sql::run(args).map(|()| Exit::Ok),
    };
    progress::finish();
    match result {
        Ok(exit) => exit,
        Err(err) if is_broken_pipe(&err) => Exit::Ok,
        Err(err) => {
            let usage = err
                .chain()
                .any(|e| e.downcast_ref::<crate::Error>().is_some_and(crate::Error::is_usage) || e.is::<compare::UnreadableInput>());
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            if usage { Exit::Usage } else { Exit::Data }
        }
    }
}

/// A closed pipe (`mta ... | head -1`) is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// What stdout is: a terminal (borders, the Parquet guard), of which width
/// (wide tables are split to fit), and whether `NO_COLOR` asks for plain output.
fn terminal() -> plan::Terminal {
    let stdout_tty = std::io::stdout().is_terminal();
    let width = stdout_tty
        .then(|| {
            let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
            columns.or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        })
        .flatten()
        .filter(|&w| w > 0);
    plan::Terminal {
        stdout_tty,
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        width,
    }
}

/// Whether stdin is a terminal (then reading it would hang waiting for typing).
fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Writes to stdout, or to a file: a regular file atomically (a temp file
/// in the same directory, then renamed) so that an interrupted run never
/// leaves half a report where a previous one was; a device or a pipe
/// (`-o /dev/stdout`) in place, since renaming over it would replace it.
/// A failure names the destination once.
fn write_output(target: &plan::Target, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    progress::finish();
    let buffered = |out: &mut dyn Write| {
        let mut w = std::io::BufWriter::new(out);
        write(&mut w).and_then(|()| w.flush())
    };
    let written = match target {
        plan::Target::Stdout => buffered(&mut std::io::stdout().lock()),
        plan::Target::File(path) if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) => std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .and_then(|mut f| buffered(&mut f)),
        plan::Target::File(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let tmp = dir.join(format!(".{name}.mta-tmp-{}", std::process::id()));
            let result = std::fs::File::create(&tmp)
                .and_then(|mut f| buffered(&mut f))
                .and_then(|()| std::fs::rename(&tmp, path));
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            result
        }
    };
    written.map_err(|source| {
        crate::Error::Write {
            path: target.name(),
            source,
        }
        .into()
    })
}
