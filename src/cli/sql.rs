//! `mta sql`: the journey rules (and the rule-based models) as one
//! read-only SQL query for a warehouse; nothing is read, the query goes to
//! stdout.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::plan::{InputConfig, refusals};
use super::{InputArgs, ModelArgs};
use crate::input::TimeFormat;
use crate::sql::{Columns, Dialect, SqlOutput, SqlSpec, TimeColumn};

/// Arguments of `mta sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL engine the query is written for.
    #[arg(long, value_enum, value_name = "DIALECT", help_heading = "Query")]
    dialect: Dialect,
    /// The touchpoint table, inserted as written: a name (`analytics.events`) or an expression (`read_parquet('events/*.parquet')`). With `--ga4 TABLE` instead, a GA4 BigQuery export (`project.dataset.events_*`).
    #[arg(
        long,
        value_name = "TABLE",
        help_heading = "Query",
        required_unless_present = "ga4",
        conflicts_with = "ga4"
    )]
    table: Option<String>,
    /// A separate conversions table (customer, time and value columns of the same names), inserted as written.
    #[arg(long, value_name = "TABLE", help_heading = "Query")]
    conversions_table: Option<String>,
    /// What the query returns: `paths` (as `mta paths` writes, for `mta attribute --paths`), `credits` (the rule-based models, as `mta attribute --format csv`) or `transitions` (`from,to,count,value` of the Markov chain of `--markov-order K`, for `mta attribute --transitions`).
    #[arg(long, value_enum, value_name = "OUTPUT", help_heading = "Query")]
    output: SqlOutput,
    /// The tables have no revenue column: every conversion's revenue is 0.
    #[arg(long, help_heading = "Query", conflicts_with_all = ["value_col", "ga4"])]
    no_value: bool,
    /// With `--channel-rules`: the table has no campaign column.
    #[arg(long, help_heading = "Query")]
    no_campaign: bool,
    /// Print the query's steps in words instead of the query.
    #[arg(long, help_heading = "Query")]
    explain: bool,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
}

/// Runs `mta sql`.
pub fn run(mut args: SqlArgs) -> Result<()> {
    refusals::check(refusals::sql(&args.input, args.output, &args.models, args.no_campaign))?;
    let value = match (&args.input.value_col, args.no_value) {
        (_, true) => None,
        (Some(v), false) => Some(v.clone()),
        (None, false) => Some("value".to_string()),
    };
    let columns = Columns {
        customer: args.input.customer_col.clone(),
        time: args.input.time_col.clone(),
        channel: args.input.channel_col.clone(),
        conversion: args.input.conversion_col.clone(),
        value,
    };
    let source_columns = crate::sql::SourceColumns {
        source: args.input.source_col.clone().unwrap_or_else(|| "source".into()),
        medium: args.input.medium_col.clone().unwrap_or_else(|| "medium".into()),
        campaign: (!args.no_campaign).then(|| args.input.campaign_col.clone().unwrap_or_else(|| "campaign".into())),
    };
    let ga4_table = args.input.ga4.first().cloned();
    // `--ga4 project.dataset.events_*` is a table, not a glob of files.
    args.input.literal_inputs = true;
    let (input, journeys) = super::plan::input(args.input)?;
    let (models, model_cfg) = args.models.into_config()?;
    let InputConfig::Events { spec: input, .. } = input else {
        unreachable!("`--paths` was refused above")
    };
    let time = match &input.time_format {
        TimeFormat::Auto => TimeColumn::Timestamp(input.zone),
        TimeFormat::EpochSeconds => TimeColumn::EpochSeconds,
        TimeFormat::EpochMillis => TimeColumn::EpochMillis,
        TimeFormat::Pattern(p) => {
            return Err(crate::Error::usage(
                format!("`--time-format {p}` parses text, which the SQL does not do"),
                "give the time as a timestamp column (parse it in the warehouse), or as `epoch-s` / `epoch-ms` integers",
            )
            .into());
        }
    };
    // The rules file was read (and its errors reported) with the flags; the query carries its rules.
    let rules = input.channel_rules.as_ref().map(|rules| (source_columns, rules.written()));
    let types = crate::sql::TypeRules {
        column: (input.columns.type_required || input.conversion_types.is_some()).then(|| input.columns.conversion_type.clone()),
        // A GA4 export's conversion events are its own (below).
        events: input
            .conversion_events
            .clone()
            .filter(|_| input.ga4.is_none())
            .map(|e| (input.columns.event.clone(), e)),
        keep: input.conversion_types.clone(),
    };
    let ga4 = input.ga4.map(|identity| crate::sql::Ga4Export {
        identity,
        events: input
            .conversion_events
            .clone()
            .unwrap_or_else(|| vec![crate::input::ga4::DEFAULT_CONVERSION_EVENT.into()]),
    });
    let table = match (args.table, ga4.is_some()) {
        (Some(t), false) => t,
        _ => ga4_table.expect("clap requires `--table` or `--ga4`"),
    };
    let spec = SqlSpec {
        dialect: args.dialect,
        table,
        ga4,
        conversions_table: args.conversions_table,
        columns,
        rules,
        types,
        time,
        journeys,
        output: args.output,
        models,
        model_cfg,
    };
    let query =
        crate::sql::query(&spec).map_err(|why| crate::Error::usage(why, "see `mta sql --help` and the README's \"Warehouse scale\""))?;
    let text = if args.explain { query.explain() } else { query.render() };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
