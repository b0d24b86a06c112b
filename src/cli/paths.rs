//! `mta paths`: the rebuilt journeys aggregated into path rows
//! (`path,total_conversions,total_conversion_value,total_null`), the format
//! `mta attribute --paths` and ChannelAttribution read. Also the output flags
//! it shares with `mta journeys`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::InputArgs;
use super::args::{InputConfig, Target};
use crate::journey::export::path_rows;
use crate::output::rows::{RowFormat, Rows, export};
use crate::report::InputSummary;

/// Arguments of `mta paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: RowOutputArgs,
}

/// Output flags of `mta paths` and `mta journeys`.
#[derive(Debug, Args)]
pub struct RowOutputArgs {
    /// Output format [default: from the `-o` extension, else csv].
    #[arg(long, value_enum, help_heading = "Output")]
    format: Option<RowFormat>,
    /// Output file; `-` is stdout.
    #[arg(short, long, value_name = "FILE", help_heading = "Output")]
    output: Option<String>,
    /// No summary on stderr.
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
    /// In CSV, prefix ids and paths starting with `=`, `+`, `-` or `@` with `'` so a spreadsheet does not run them as formulas (such a file no longer reads back as path aggregates).
    #[arg(long, help_heading = "Output")]
    excel_safe: bool,
}

/// Validated output flags of `mta paths` and `mta journeys`.
#[derive(Debug, Clone)]
pub struct RowOutputConfig {
    /// Format.
    pub format: RowFormat,
    /// Destination.
    pub target: Target,
    /// Silence stderr.
    pub quiet: bool,
    /// Defuse formula-like text cells in CSV.
    pub excel_safe: bool,
}

impl RowOutputArgs {
    /// Validates into the output config; Parquet is refused on a terminal.
    pub fn into_config(self, stdout_tty: bool) -> crate::Result<RowOutputConfig> {
        let target = match self.output.as_deref() {
            None | Some("-") => Target::Stdout,
            Some(p) => Target::File(PathBuf::from(p)),
        };
        let format = match (self.format, &target) {
            (Some(f), _) => f,
            (None, Target::File(p)) => RowFormat::from_path(p).ok_or_else(|| {
                crate::Error::usage(
                    format!("cannot tell the output format from `{}`", p.display()),
                    "use a .csv, .json or .parquet extension, or pass `--format`",
                )
            })?,
            (None, Target::Stdout) => RowFormat::Csv,
        };
        if format == RowFormat::Parquet && target == Target::Stdout && stdout_tty {
            return Err(crate::Error::usage(
                "refusing to write binary Parquet to a terminal",
                "pass `-o rows.parquet`, or pipe the output",
            ));
        }
        Ok(RowOutputConfig {
            format,
            target,
            quiet: self.quiet,
            excel_safe: self.excel_safe,
        })
    }
}

impl RowOutputConfig {
    /// Writes the rows where and how configured.
    pub fn write<R: Rows>(&self, rows: &[R]) -> Result<()> {
        super::write_output(&self.target, |w| export(rows, self.format, self.excel_safe, w))
    }
}

/// Runs `mta paths`.
pub fn run(args: PathsArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let out = args.output.into_config(super::stdout_is_terminal())?;
    let (journeys, summary) = super::attribute::load(&input, &journey_cfg)?;
    let rows = path_rows(&journeys)?;
    if !out.quiet {
        let from = match input {
            InputConfig::Events { .. } => format!("{} journeys", journeys.len()),
            InputConfig::Paths { .. } => format!("{} path rows read", summary.rows_read),
        };
        eprintln!("paths: {} path rows from {from}", rows.len());
        if let Some(note) = super::attribute::skipped_note(&summary) {
            eprintln!("{note}");
        }
        if let Some(note) = unattributed_note(&summary, "path") {
            eprintln!("{note}");
        }
    }
    out.write(&rows)
}

/// A note on conversions that had no touch: they are counted when reading
/// but appear in no `what` row.
pub(super) fn unattributed_note(summary: &InputSummary, what: &str) -> Option<String> {
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
