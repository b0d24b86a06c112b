//! `mta journeys`: one row per rebuilt journey
//! (`customer_id,journey,path,touches,converted,value,first_touch_at,converted_at`),
//! to see what the journey rules made of the input.

use anyhow::Result;
use clap::Args;

use super::InputArgs;
use super::args::InputConfig;
use super::paths::RowOutputArgs;
use crate::journey::export::journey_rows;

/// Arguments of `mta journeys`.
#[derive(Debug, Args)]
pub struct JourneysArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: RowOutputArgs,
}

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
    let out = args.output.into_config(super::stdout_is_terminal())?;
    let (journeys, summary) = super::attribute::load(&input, &journey_cfg)?;
    let rows = journey_rows(&journeys)?;
    if !out.quiet {
        let converting = rows.iter().filter(|r| r.converted).count();
        let customers = summary.customers.unwrap_or_default();
        eprintln!(
            "journeys: {} journeys from {customers} customers ({converting} converting)",
            rows.len()
        );
        if let Some(note) = super::attribute::skipped_note(&summary) {
            eprintln!("{note}");
        }
        if let Some(note) = super::paths::unattributed_note(&summary, "journey") {
            eprintln!("{note}");
        }
    }
    out.write(&rows)
}
