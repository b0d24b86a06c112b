//! `mta channels`: how channel rules mapped the input's source / medium /
//! campaign values, one row per distinct triple with its channel, the rule
//! that matched and its rows, so that an analyst can audit the mapping.

use anyhow::Result;
use clap::Args;

use super::plan::{Formats, InputConfig, Parts, Plan, TABULAR, refusals};
use super::{InputArgs, OutputArgs, pipeline};
use crate::output::{OutputFormat, views};

/// Arguments of `mta channels`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct ChannelsArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// What `mta channels` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta channels",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// Runs `mta channels`.
pub fn run(args: ChannelsArgs) -> Result<()> {
    let plan = Plan::new(Parts::events(args.input, args.output), &FORMATS, |plan| {
        refusals::events_only(
            plan,
            "`mta channels` maps the source and medium of touchpoint events; path aggregates carry channels already",
            "read the touchpoint events instead of `--paths`",
        )
    })?;
    let (input, out) = (&plan.input, &plan.output);
    let InputConfig::Events { spec, .. } = input else {
        unreachable!("path aggregates were refused with the flags")
    };
    pipeline::refuse_terminal_stdin(input)?;
    // Channels are a property of touches: a file without conversions maps too.
    let spec = crate::input::InputSpec {
        touches_only: true,
        ..(**spec).clone()
    };
    let events = crate::input::load(&spec)?;
    let Some(mapping) = events.channel_mapping else {
        return Err(crate::Error::usage(
            format!("no channel rules were applied: the input has a `{}` column", spec.columns.channel),
            "pass `--channel-rules ga4` (or a rules file) to derive channels from source and medium instead",
        )
        .into());
    };
    if !out.quiet {
        let rows: u64 = mapping.iter().map(|m| m.rows).sum();
        let mut channels: Vec<&str> = mapping.iter().map(|m| m.channel.as_str()).collect();
        channels.sort_unstable();
        channels.dedup();
        let mut lines = events.notes.clone();
        lines.push(format!(
            "channels: {} distinct source/medium/campaign values in {rows} rows, {} channels",
            mapping.len(),
            channels.len()
        ));
        pipeline::tell(lines);
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::channel_mappings(&mapping), out.format, &out.style, w)
    })
}
