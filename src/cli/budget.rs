//! `mta budget`: input -> journeys -> models -> credits and spend ->
//! proposed spend per channel, limited and reconciled to a total.

use anyhow::Result;
use clap::Args;

use super::args::RunArgs;
use super::pipeline::{self, AddOns};
use super::plan::{Formats, Plan, TABULAR, refusals};
use crate::model::ModelKind;
use crate::output::{OutputFormat, views};
use crate::report::Report;
use crate::report::budget::{NewSpend, Resampled, ShareOf, reallocate};

/// Arguments of `mta budget`.
#[derive(Debug, Args)]
#[command(mut_arg("format", |a| a.help(FORMATS.help()).hide_possible_values(true)))]
pub struct BudgetArgs {
    #[command(flatten)]
    run: RunArgs,
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
    #[command(flatten)]
    robust: super::args::RobustArgs,
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
    let (max_change, total) = (args.max_change, args.total);
    let mut plan = Plan::new(args.run.into(), &FORMATS, |plan| {
        let mut list = refusals::budget(plan, max_change, total, args.allow_new.as_deref(), &args.model);
        list.extend(refusals::lift(plan, true, "mta budget", &[]));
        list.push(args.robust.refusal());
        list
    })?;
    let lookbacks = args.robust.lookbacks_ms()?;
    let new_spend = match args.allow_new {
        None => NewSpend::Nowhere,
        Some(names) if names.is_empty() => NewSpend::Anywhere,
        Some(names) => NewSpend::Only(names),
    };
    let chosen = refusals::budget_model(&args.model).expect("`--model` was checked with the flags");
    if let Some(k) = chosen
        && !plan.models.is_empty()
        && !plan.models.contains(&k)
    {
        plan.models.push(k);
    }
    let add = AddOns {
        journeys: true,
        ..AddOns::default()
    };
    let mut run = pipeline::run(&plan, add)?;
    if let Some(k) = chosen
        && !run.models.iter().any(|m| m.kind() == k)
    {
        return Err(crate::Error::usage(format!("model `{k}` cannot run on this input"), "choose another with `--model`").into());
    }
    // `--lift`: the proposal follows the calibrated credit.
    if plan.lift.is_some() {
        crate::report::calibration::use_calibrated(&mut run.report);
    }
    let report = &run.report;
    let costs = plan
        .costs
        .as_ref()
        .expect("`mta budget` needs costs")
        .totals(report.input.times.span());
    let shown: Vec<ModelKind> = match chosen {
        Some(k) => vec![k],
        None => report.models.iter().map(|m| m.model).collect(),
    };
    let journeys = run.journeys.as_ref().expect("kept in memory");
    let mut runs = args
        .bootstrap
        .map(|n| crate::report::bootstrap::replicate_credits(report, journeys, &run.models, n as usize, args.seed))
        .transpose()?;
    // `--lift`: each replicate's credit calibrated by the run's factors.
    if let Some(runs) = runs.as_mut().filter(|_| plan.lift.is_some()) {
        crate::report::calibration::calibrate_replicates(report, runs);
    }
    let resampled = runs.as_ref().map(|runs| Resampled { runs });
    let mut notes = unknown_new_channels(&new_spend, report);
    let reallocated = reallocate(report, &costs, total, args.share_of, max_change, &new_spend, &shown, resampled);
    let (rows, unreachable) = reallocated.map_err(|(model, u)| {
        let target = total.unwrap_or_else(|| costs.total());
        crate::Error::usage(
            unreachable_message(model, target, max_change, u),
            "raise `--max-change`, change `--total` (the spend of the period of the cost rows used), or name channels without spend that may get some with `--allow-new CH,...`",
        )
    })?;
    let mut rows = rows;
    if args.robust.robust {
        let shared = Shared {
            total,
            share_of: args.share_of,
            max_change,
            new_spend: &new_spend,
        };
        let bootstrap = args.bootstrap.map(|n| (n as usize, args.seed));
        let robust = robust(
            &mut plan,
            report,
            (&lookbacks, &args.robust.lookbacks),
            args.robust.agreement,
            (&shared, bootstrap),
            &mut notes,
        )?;
        for r in &mut rows {
            r.robust = robust.get(&r.channel.trim().to_lowercase()).copied();
        }
    }
    if unreachable > 0 {
        notes.push(format!(
            "note: {unreachable} bootstrap replicates credited too few channels to reach the total within the limits; the intervals leave them out"
        ));
    }
    let out = &plan.output;
    if !out.quiet {
        notes.push(models_agree_note(report));
        run.notes.extend(notes);
        pipeline::tell(run.summary());
    }
    super::write_output(&out.target, |w| {
        crate::output::write_table(&views::Budget(&rows), out.format, &out.style, w)
    })
}

/// The budget flags every scenario of `--robust` shares.
pub(super) struct Shared<'a> {
    /// `--total`.
    pub total: Option<f64>,
    /// `--by`.
    pub share_of: ShareOf,
    /// `--max-change`.
    pub max_change: f64,
    /// `--allow-new`.
    pub new_spend: &'a NewSpend,
}

/// `--robust`: each channel's direction over the scenarios, every model of
/// `report` (participation aside) at each lookback: the journeys built
/// again with the lookback, the models run on them, each model's proposal
/// made as `mta budget --model M --models M --lookback L` makes it (its
/// period's spend, the same limits). A scenario whose total cannot be
/// reached is left out with a note. The summary names the robust channels.
pub(super) fn robust(
    plan: &mut Plan,
    report: &Report,
    (lookbacks, names): (&[f64], &[String]),
    agreement: f64,
    (s, bootstrap): (&Shared<'_>, Option<(usize, u64)>),
    notes: &mut Vec<String>,
) -> Result<std::collections::BTreeMap<String, crate::report::budget::Robust>> {
    let kinds: Vec<ModelKind> = report
        .models
        .iter()
        .map(|m| m.model)
        .filter(|&k| k != ModelKind::Participation)
        .collect();
    let saved = (std::mem::replace(&mut plan.models, kinds.clone()), plan.journeys.lookback_ms);
    let mut changes: Vec<Vec<(String, f64)>> = Vec::new();
    let mut unreachable = Vec::new();
    for (&lookback, text) in lookbacks.iter().zip(names) {
        plan.journeys.lookback_ms = Some(lookback as i64);
        let add = AddOns {
            journeys: bootstrap.is_some(),
            ..AddOns::default()
        };
        let mut run = pipeline::run(plan, add)?;
        // With `--bootstrap N`, each replicate of each model is a scenario.
        let mut replicates = match (bootstrap, &run.journeys) {
            (Some((n, seed)), Some(journeys)) => Some(crate::report::bootstrap::replicate_credits(
                &run.report,
                journeys,
                &run.models,
                n,
                seed,
            )?),
            _ => None,
        };
        if plan.lift.is_some() {
            if let Some(r) = replicates.as_mut() {
                crate::report::calibration::calibrate_replicates(&run.report, r);
            }
            crate::report::calibration::use_calibrated(&mut run.report);
        }
        let reports: Vec<Report> = match &replicates {
            Some(r) => (0..r.len())
                .map(|i| crate::report::calibration::replicate_report(&run.report, r, i))
                .collect(),
            None => vec![run.report.clone()],
        };
        let costs = plan
            .costs
            .as_ref()
            .expect("`mta budget` needs costs")
            .totals(run.report.input.times.span());
        for (i, scenario) in reports.iter().enumerate() {
            for &k in &kinds {
                match reallocate(scenario, &costs, s.total, s.share_of, s.max_change, s.new_spend, &[k], None) {
                    Ok((rows, _)) => changes.push(
                        rows.iter()
                            .filter(|r| r.model == k)
                            .map(|r| (r.channel.clone(), r.change))
                            .collect(),
                    ),
                    Err(_) if replicates.is_some() => unreachable.push(format!("{k} at {text}, replicate {}", i + 1)),
                    Err(_) => unreachable.push(format!("{k} at {text}")),
                }
            }
        }
    }
    (plan.models, plan.journeys.lookback_ms) = saved;
    if !unreachable.is_empty() {
        notes.push(format!(
            "note: `--robust` left out the scenarios whose total cannot be reached within `--max-change`: {}",
            unreachable.join(", ")
        ));
    }
    let robust = crate::report::budget::robust(&changes, agreement);
    let named = |dir: &str| -> String {
        let list: Vec<String> = report.models[0]
            .credits
            .iter()
            .filter(|c| {
                robust
                    .get(&c.channel.trim().to_lowercase())
                    .is_some_and(|r| r.robust_direction == dir)
            })
            .map(|c| c.channel.to_string())
            .collect();
        if list.is_empty() { "none".into() } else { list.join(", ") }
    };
    notes.push(format!(
        "robust over {} scenarios ({} models x {} lookbacks{}), agreement {}: increase {}; decrease {}; the rest unclear",
        changes.len(),
        kinds.len(),
        lookbacks.len(),
        bootstrap.map_or_else(String::new, |(n, _)| format!(" x {n} replicates")),
        agreement,
        named("increase"),
        named("decrease"),
    ));
    Ok(robust)
}

/// Warnings for the channels `--allow-new` names that no journey has.
fn unknown_new_channels(new_spend: &NewSpend, report: &Report) -> Vec<String> {
    let NewSpend::Only(names) = new_spend else { return Vec::new() };
    let channels = report.models.first().map(|m| &m.credits[..]).unwrap_or_default();
    names
        .iter()
        .filter(|name| !channels.iter().any(|c| c.channel.eq_ignore_ascii_case(name.trim())))
        .map(|name| format!("warning: `--allow-new` names `{name}`, which no journey has: it matches nothing"))
        .collect()
}

/// Which models `models_agree` and the range compare (participation aside).
fn models_agree_note(report: &Report) -> String {
    let participation = ModelKind::Participation;
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
    format!(
        "note: models_agree and models_change_min/max compare every model that ran ({}){aside}",
        compared.join(", ")
    )
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
