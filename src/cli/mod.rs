//! The command line: parse, validate, wire the stages, report.
//!
//! Only this layer prints, reads the environment or knows about clap (besides
//! the `ValueEnum` derives on closed sets). Each subcommand has its own file.

mod args;
mod attribute;
mod compare;
mod completions;
mod journeys;
mod markov;
mod paths;
mod report;

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
    /// Details of the Markov model: removal effects, transition matrix, P(conversion).
    Markov(markov::MarkovCmdArgs),
    /// Compare two result files of `mta attribute` (CSV or JSON); exit 1 when any figure drifted beyond tolerance.
    Compare(compare::CompareArgs),
    /// Write a self-contained HTML report: charts of every model's credit, their disagreement, top paths and Markov details.
    Report(report::ReportArgs),
    /// Aggregate the rebuilt journeys into path rows, readable by `attribute --paths`.
    Paths(paths::PathsArgs),
    /// One row per rebuilt journey: customer, journey number, path, touches, conversion, value and times.
    Journeys(journeys::JourneysArgs),
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
    let result = match cli.command {
        Command::Attribute(args) => attribute::run(args).map(|()| Exit::Ok),
        Command::Markov(args) => markov::run(args).map(|()| Exit::Ok),
        Command::Compare(args) => compare::run(args),
        Command::Completions(args) => completions::completions(args).map(|()| Exit::Ok),
        Command::Man => completions::man().map(|()| Exit::Ok),
        Command::Paths(args) => paths::run(args).map(|()| Exit::Ok),
        Command::Journeys(args) => journeys::run(args).map(|()| Exit::Ok),
        Command::Report(args) => report::run(args).map(|()| Exit::Ok),
    };
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

/// Whether stdout is a terminal (for styling and the Parquet guard).
fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Whether stdin is a terminal (then reading it would hang waiting for typing).
fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Writes to stdout, or atomically to a file (a temp file in the same
/// directory, then renamed) so that an interrupted run never leaves half a
/// report where a previous one was.
fn write_output(target: &args::Target, write: impl FnOnce(&mut dyn Write) -> crate::Result<()>) -> anyhow::Result<()> {
    use anyhow::Context;
    match target {
        args::Target::Stdout => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write(&mut w)?;
            w.flush().context("cannot write to stdout")?;
        }
        args::Target::File(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let tmp = dir.join(format!(".{name}.mta-tmp-{}", std::process::id()));
            let result = (|| -> anyhow::Result<()> {
                let file = std::fs::File::create(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
                let mut w = std::io::BufWriter::new(file);
                write(&mut w)?;
                w.flush()?;
                std::fs::rename(&tmp, path)?;
                Ok(())
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            result.with_context(|| format!("cannot write `{}`", path.display()))?;
        }
    }
    Ok(())
}
