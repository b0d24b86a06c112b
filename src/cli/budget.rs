//! `mta budget`: input -> journeys -> models -> credits and spend ->
//! proposed spend per channel, limited and reconciled to a total.

use anyhow::Result;
use clap::Args;

use super::args::{CostArgs, Formats, TABULAR};
use super::{InputArgs, ModelArgs, OutputArgs, pipeline};
use crate::model::ModelKind;
use crate::output::{OutputFormat, views};
use crate::report::Report;
use crate::report::budget::{NewSpend, Resampled, ShareOf, reallocate};

/// Arguments of `mta budget`.
#[derive(Debug, Args)]
pub struct BudgetArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    models: ModelArgs,
    #[command(flatten)]
    costs: CostArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// The model whose credits set the proposal (`all`: one block per model that ran).
    #[arg(long, default_value = "markov", value_name = "MODEL", help_heading = "Budget")]
    model: String,
    /// The largest change of a channel's spend, as a fraction of it (0.2 = +-20%).
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION", help_heading = "Budget")]
    max_change: f64,
    /// The total to allocate over the period of the cost rows used (the analysis period: `--from`/`--to`, else the data's days; `--from 2026-09-01 --to 2026-10-01` makes it a month) [default: their total spend].
    #[arg(long, value_name = "AMOUNT", help_heading = "Budget")]
    total: Option<f64>,
    /// Allocate in proportion to credited `value` or `conversions`.
    #[arg(long = "by", value_enum, default_value_t = ShareOf::Value, value_name = "FIGURE", help_heading = "Budget")]
    share_of: ShareOf,
    /// Channels without spend today that may get some (without a limit), e.g. `--allow-new Display,Paid Social`; bare, any of them; otherwise they keep 0. Direct and organic channels cannot be bought.
    #[arg(long, num_args = 0.., value_delimiter = ',', value_name = "CH", help_heading = "Budget")]
    allow_new: Option<Vec<String>>,
    /// Resample journeys N times: each channel's change gets a 95% interval, and `direction` is `unclear` when it spans 0.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..), help_heading = "Uncertainty")]
    bootstrap: Option<u32>,
    /// Seed of the bootstrap's resampling (same seed, same intervals).
    #[arg(long, default_value_t = 0, value_name = "S", help_heading = "Uncertainty")]
    seed: u64,
}

/// What `mta budget` writes.
pub(super) const FORMATS: Formats = Formats {
    command: "mta budget",
    supported: TABULAR,
    default: OutputFormat::Table,
    elsewhere: None,
};

/// Runs `mta budget`.
pub fn run(args: BudgetArgs) -> Result<()> {
    let (input, journey_cfg) = args.input.into_config()?;
    let (mut asked, model_cfg) = args.models.into_config()?;
    let out = args.output.into_config(&FORMATS, super::terminal())?;
    let Some(cost_spec) = args.costs.into_spec(&input, &journey_cfg)? else {
        return Err(crate::Error::usage(
            "`mta budget` reallocates spend, so it needs today's spend per channel",
            "give it with `--costs FILE` (`channel,spend[,date]`)",
        )
        .into());
    };
    check_max_change(args.max_change)?;
    if args.total.is_some_and(|t| !(t.is_finite() && t >= 0.0)) {
        return Err(crate::Error::usage(
            "`--total` must be an amount of 0 or more: the spend to allocate over the period of the cost rows used",
            "e.g. `--total 100000`; the period is `--from`/`--to` (`--from 2026-09-01 --to 2026-10-01` for a month), else the data's days",
        )
        .into());
    }
    let new_spend = new_spend(args.allow_new.as_deref())?;
    let chosen: Option<ModelKind> = match args.model.as_str() {
        "all" => None,
        name => Some(<ModelKind as clap::ValueEnum>::from_str(name, true).map_err(|_| {
            crate::Error::usage(
                format!("unknown model `{name}` for `--model`"),
                "name one model of `--models`, or `all`",
            )
        })?),
    };
    if let Some(k) = chosen
        && !asked.is_empty()
        && !asked.contains(&k)
    {
        asked.push(k);
    }
    pipeline::refuse_terminal_stdin(&input)?;
    // Read and checked before the events: a wrong column costs no work.
    let cost_file = crate::input::costs::load(&cost_spec)?;
    let (journeys, summary) = pipeline::load(&input, &journey_cfg)?;
    let (models, mut notes) = pipeline::models(&asked, &model_cfg, &journeys)?;
    if let Some(k) = chosen
        && !models.iter().any(|m| m.kind() == k)
    {
        return Err(crate::Error::usage(format!("model `{k}` cannot run on this input"), "choose another with `--model`").into());
    }
    let mut report = Report::compute(summary, &journeys, &models)?;
    let costs = crate::report::costs::apply_file(&mut report, &cost_file);
    let shown: Vec<ModelKind> = match chosen {
        Some(k) => vec![k],
        None => report.models.iter().map(|m| m.model).collect(),
    };

    let runs = args
        .bootstrap
        .map(|n| crate::report::bootstrap::replicate_credits(&report, &journeys, &models, n as usize, args.seed))
        .transpose()?;
    let resampled = runs.as_ref().map(|runs| Resampled { runs });
    if let NewSpend::Only(names) = &new_spend {
        let channels = report.models.first().map(|m| &m.credits[..]).unwrap_or_default();
        for name in names {
            if !channels.iter().any(|c| c.channel.eq_ignore_ascii_case(name.trim())) {
                notes.push(format!(
                    "warning: `--allow-new` names `{name}`, which no journey has: it matches nothing"
                ));
            }
        }
    }
    let reallocated = reallocate(
        &report,
        &costs,
        args.total,
        args.share_of,
        args.max_change,
        &new_spend,
        &shown,
        resampled,
    );
    let (rows, unreachable) = reallocated.map_err(|(model, u)| {
        let target = args.total.unwrap_or_else(|| costs.total());
        crate::Error::usage(
            unreachable_message(model, target, args.max_change, u),
            "raise `--max-change`, change `--total` (the spend of the period of the cost rows used), or name channels without spend that may get some with `--allow-new CH,...`",
        )
    })?;
    if unreachable > 0 {
        notes.push(format!(
            "note: {unreachable} bootstrap replicates credited too few channels to reach the total within the limits; the intervals leave them out"
        ));
    }
    if !out.quiet {
        let participation = crate::model::ModelKind::Participation;
        let compared: Vec<String> = report
            .models
            .iter()
            .filter(|m| m.model != participation)
            .map(|m| m.model.to_string())
            .collect();
        let aside = match report.models.iter().any(|m| m.model == participation) && !compared.is_empty() {
            true => "; participation is left out: it gives every channel of a journey full credit, so its credits sum past the conversions",
            false => "",
        };
        let compared = match compared.is_empty() {
            true => vec![participation.to_string()],
            false => compared,
        };
        notes.push(format!(
            "note: models_agree and models_change_min/max compare every model that ran ({}){aside}",
            compared.join(", ")
        ));
        pipeline::tell(crate::output::summary::lines(&report.input, &pipeline::run_notes(notes, &report)));
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::budget(&rows), out.format, &out.style, w)
    })
}

/// `--allow-new`: absent, bare, or the channels named (those that cannot
/// be bought refused).
fn new_spend(names: Option<&[String]>) -> Result<NewSpend> {
    let Some(names) = names else { return Ok(NewSpend::Nowhere) };
    if names.is_empty() {
        return Ok(NewSpend::Anywhere);
    }
    if let Some(name) = names.iter().find(|n| n.trim().is_empty()) {
        return Err(crate::Error::usage(
            format!("`--allow-new` names an empty channel (`{name}`)"),
            "list channels separated by commas, e.g. `--allow-new Display,Paid Social`",
        )
        .into());
    }
    let unbuyable = |n: &str| {
        let n = n.trim().to_lowercase();
        n == "direct" || n.starts_with("organic ")
    };
    if let Some(name) = names.iter().find(|n| unbuyable(n)) {
        return Err(crate::Error::usage(
            format!(
                "`--allow-new {}`: `{name}` cannot be bought, so it cannot receive spend",
                names.join(",")
            ),
            "name the paid channels that may get spend (Direct and organic channels come unpaid)",
        )
        .into());
    }
    Ok(NewSpend::Only(names.to_vec()))
}

/// `--max-change` (of `mta budget` and `mta report`): a fraction of 0 or more.
pub(super) fn check_max_change(m: f64) -> Result<()> {
    if m.is_finite() && m >= 0.0 {
        return Ok(());
    }
    Err(crate::Error::usage(
        "`--max-change` must be a fraction of 0 or more",
        "e.g. `--max-change 0.2` for +-20%",
    )
    .into())
}

/// Why no reallocation under `model` sums to `target` within +-`max_change`.
pub(super) fn unreachable_message(model: ModelKind, target: f64, max_change: f64, u: crate::report::budget::Unreachable) -> String {
    format!(
        "under `{model}`, no allocation of {} keeps every channel within +-{}% of its spend: the limits allow {} to {}",
        crate::output::fixed(target, 2),
        crate::output::fixed(max_change * 100.0, 0),
        crate::output::fixed(u.min, 2),
        crate::output::fixed(u.max, 2)
    )
}
