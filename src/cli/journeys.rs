//! `mta journeys`: one row per rebuilt journey
//! (`customer_id,journey,path,touches,converted,value,first_touch_at,converted_at`),
//! to see what the journey rules made of the input.

use anyhow::Result;
use clap::Args;

use super::args::InputConfig;
use super::pipeline;
use super::{InputArgs, OutputArgs};
use crate::journey::export::journey_rows;
use crate::output::views;

/// Arguments of `mta journeys`.
#[derive(Debug, Args)]
pub struct JourneysArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta journeys` writes.
pub(super) const FORMATS: super::args::Formats = super::paths::row_formats("mta journeys");

/// Runs `mta journeys`.
pub fn run(args: JourneysArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    if let InputConfig::Paths { .. } = input {
        return Err(crate::Error::usage(
            "`mta journeys` needs touchpoint events: path aggregates have no customers or times",
            "read the touchpoint events instead of `--paths`, or use `mta paths --paths` to re-aggregate path rows",
        )
        .into());
    }
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let rows = journey_rows(&journeys)?;
    if !out.quiet {
        let converting = rows.iter().filter(|r| r.converted).count();
        let customers = summary.customers.unwrap_or_default();
        let mut lines = vec![format!(
            "journeys: {} journeys from {customers} customers ({converting} converting)",
            rows.len()
        )];
        lines.extend(pipeline::skipped_note(&summary));
        lines.extend(pipeline::unattributed_note(&summary, "journey"));
        pipeline::tell(lines);
    }
    let table = views::Journeys {
        rows: &rows,
        channels: journeys.channels(),
    };
    super::write_output(&out.target, |w| crate::output::write_table(&table, out.format, &out.style, w))
}
