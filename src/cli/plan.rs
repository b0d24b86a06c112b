//! The plan of a run: every flag resolved and checked once, before any
//! work (as ripgrep turns its flags into `HiArgs` once).
//!
//! `args` parses each flag's own value (a duration, a size, weights); here
//! is everything that depends on several flags: the input, journey and
//! output settings, **every refusal of a flag combination** (of every
//! subcommand, in [`refusals`]), and the secondary inputs, the channel rules,
//! the conversions file (its header) and the costs file, opened and checked
//! before the events are read. What
//! only the data can tell (an input past `--memory-limit`, a model that
//! cannot run on it) is for the pipeline.

use std::path::PathBuf;

use super::args::{AccountArgs, ConvArgs, CostArgs, InputArgs, ModelArgs, OutputArgs, RunArgs};
use crate::channels::ChannelRules;
use crate::error::{Error, Result};
use crate::input::accounts::AccountSpec;
use crate::input::costs::{CostFile, CostSpec};
use crate::input::{ColumnMap, ConversionColumns, ConversionsFile, Dialect, InputSpec, OnError, Source, TimeFormat, Zone};
use crate::journey::{JourneyConfig, Period};
use crate::model::{ModelConfig, ModelKind};
use crate::output::{OutputFormat, Style};

/// Everything a run needs, resolved and checked.
#[derive(Debug)]
pub struct Plan {
    /// What to read and how.
    pub input: InputConfig,
    /// How touches become journeys.
    pub journeys: JourneyConfig,
    /// The models asked for (empty: every model the input supports).
    pub models: Vec<ModelKind>,
    /// Their parameters.
    pub model_cfg: ModelConfig,
    /// `--costs`: the costs file, read and checked.
    pub costs: Option<CostFile>,
    /// Whether `--costs` was given (known before the file is opened).
    pub costs_given: bool,
    /// `--lift`: the lift tests, read and checked.
    pub lift: Option<crate::input::lift::Lift>,
    /// `--lift FILE` as given (known before the file is opened).
    pub lift_file: Option<String>,
    /// Where the results go, and how.
    pub output: OutputConfig,
}

/// The flag groups a subcommand has (those it lacks take their defaults).
pub struct Parts {
    /// Input and journey flags.
    pub input: InputArgs,
    /// Model flags, for the subcommands that choose models.
    pub models: Option<ModelArgs>,
    /// Cost flags, for the subcommands that weigh credit against spend.
    pub costs: Option<CostArgs>,
    /// Output flags.
    pub output: OutputArgs,
}

impl Parts {
    /// The groups of a subcommand that reads events and writes what it
    /// made of them, without models or costs (`journeys`, `paths`, `markov`...).
    pub fn events(input: InputArgs, output: OutputArgs) -> Self {
        Parts {
            input,
            models: None,
            costs: None,
            output,
        }
    }
}

impl From<RunArgs> for Parts {
    fn from(run: RunArgs) -> Self {
        Parts {
            input: run.input,
            models: Some(run.models),
            costs: Some(run.costs),
            output: run.output,
        }
    }
}

impl Plan {
    /// Resolves `parts` for a subcommand that writes `formats`: input,
    /// models and output, then the subcommand's own refusals (`refuse`,
    /// given the plan so far), then the conversions and costs files, opened
    /// and checked.
    pub fn new(parts: Parts, formats: &Formats, refuse: impl FnOnce(&Plan) -> Vec<Refusal>) -> Result<Plan> {
        let (input, journeys) = input(parts.input)?;
        let (models, model_cfg) = match parts.models {
            Some(m) => m.into_config()?,
            None => (Vec::new(), ModelConfig::default()),
        };
        let output = output(parts.output, formats, super::terminal())?;
        let lift_file = parts.costs.as_ref().and_then(|c| c.lift.clone());
        let cost_spec = parts.costs.map(|c| costs(c, &input, &journeys)).transpose()?.flatten();
        let mut plan = Plan {
            input,
            journeys,
            models,
            model_cfg,
            costs: None,
            costs_given: cost_spec.is_some(),
            lift: None,
            lift_file,
            output,
        };
        refusals::check(refuse(&plan))?;
        // Opened and checked before the events: a wrong column costs no work.
        if let InputConfig::Events { spec, .. } = &plan.input
            && let Some(conversions) = &spec.conversions
        {
            crate::input::check_conversions(conversions, spec)?;
        }
        plan.costs = cost_spec.as_ref().map(crate::input::costs::load).transpose()?;
        plan.lift = match (&plan.lift_file, &plan.input) {
            (Some(file), InputConfig::Events { spec, .. }) => {
                Some(crate::input::lift::load(&Source::from_arg(file), &spec.dialect, spec.zone)?)
            }
            _ => None,
        };
        Ok(plan)
    }

    /// The events' zone (UTC for path aggregates).
    pub fn zone(&self) -> Zone {
        match &self.input {
            InputConfig::Events { spec, .. } => spec.zone,
            InputConfig::Paths { .. } => Zone::default(),
        }
    }
}

/// One refusal of a flag combination: when `given`, a usage error.
pub struct Refusal {
    /// Whether the combination was given.
    pub given: bool,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Refusal {
    /// A refusal of `message` (with `hint`) when `given`.
    pub fn when(given: bool, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Refusal {
            given,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

pub mod refusals {
    //! Every refusal of a flag combination, by subcommand, in the order
    //! they are checked (the first that applies is the error).

    use super::{InputConfig, Plan, Refusal};
    use crate::error::{Error, Result};
    use crate::journey::{Dimension, JourneyMode};
    use crate::output::OutputFormat;
    use crate::sql::SqlOutput;

    /// The first refusal given, as a usage error.
    pub fn check(refusals: impl IntoIterator<Item = Refusal>) -> Result<()> {
        match refusals.into_iter().find(|r| r.given) {
            Some(r) => Err(Error::usage(r.message, r.hint)),
            None => Ok(()),
        }
    }

    /// Input flags that contradict each other, before any value is read
    /// (the first group of [`super::input`]'s checks).
    pub(super) fn input_flags(a: &crate::cli::InputArgs) -> Vec<Refusal> {
        let on_error = a.on_error;
        let rejects_stdout = a.rejects.as_ref().is_some_and(|p| p.as_os_str() == "-");
        vec![
            Refusal::when(
                a.session_gap.is_some() && !a.ga4.is_empty(),
                "`--session-gap` makes visits of raw rows, and a GA4 export's touches are its sessions already",
                "drop `--session-gap`",
            ),
            Refusal::when(
                (a.accounts.accounts.is_some() || a.accounts.account_col.is_some()) && (a.paths || !a.ga4.is_empty()),
                "accounts merge the people's touches of raw rows, and path aggregates and GA4 exports are read otherwise",
                "export the touches as rows (`customer_id,timestamp,channel`) and give them with the accounts",
            ),
            Refusal::when(
                a.milestones.len() > crate::journey::MAX_MILESTONES,
                format!(
                    "`--milestones` names {} types, and W-shaped and full-path have two milestone positions",
                    a.milestones.len()
                ),
                "name the two funnel stages whose touches count, e.g. `--milestones lead,opportunity`",
            ),
            Refusal::when(
                a.milestones
                    .iter()
                    .any(|m| a.conversion_types.iter().any(|t| t.trim().eq_ignore_ascii_case(m.trim()))),
                "a type is both a milestone (`--milestones`) and credited (`--conversion-types`)",
                "milestones end no journey: credit the later stage, e.g. `--milestones lead,opportunity --conversion-types won`",
            ),
            Refusal::when(
                !a.milestones.is_empty() && a.paths,
                "`--milestones` needs the conversions' types and times, which path aggregates do not have",
                "read the touchpoint events with a conversions file that has a type column",
            ),
            Refusal::when(
                a.journey_mode == JourneyMode::Window && a.paths,
                "`--journey-mode window` needs touch timestamps, which path aggregates do not have",
                "read the touchpoint events instead of `--paths`",
            ),
            Refusal::when(
                a.journey_mode == JourneyMode::Window && a.lookback.is_none(),
                "`--journey-mode window` needs `--lookback`: each conversion's journey is the touches within it",
                "add e.g. `--lookback 30d`",
            ),
            Refusal::when(
                a.rejects.is_some() && on_error == crate::input::OnError::Stop,
                "`--rejects` lists the rows `--on-error skip` skipped, but bad rows stop the run",
                "add `--on-error skip`",
            ),
            Refusal::when(
                rejects_stdout,
                "`--rejects -` would mix rejected rows into the results on stdout",
                "name a file, e.g. `--rejects rejects.csv`",
            ),
            Refusal::when(
                a.ga4.is_empty() && a.ga4_identity.is_some(),
                "`--ga4-identity` applies to GA4 exports, but no `--ga4` files are given",
                "read the export with `--ga4 FILE...`, or drop `--ga4-identity`",
            ),
        ]
    }

    /// Flags that shape events, given with path aggregates.
    pub(super) fn paths_input(a: &crate::cli::InputArgs, channel_filter: bool) -> Vec<Refusal> {
        let events_only = |given: bool, flag: &str| {
            Refusal::when(
                given,
                format!("{flag} work on touchpoint events, before journeys are built; path aggregates are journeys already"),
                "read the touchpoint events instead of `--paths`",
            )
        };
        let needs_times = |given: bool, flag: &str| {
            Refusal::when(
                given,
                format!("{flag} needs touch timestamps, which path aggregates do not have"),
                format!("drop {flag}, or read the touchpoint events instead of `--paths`"),
            )
        };
        vec![
            events_only(a.from.is_some() || a.to.is_some(), "`--from` / `--to`"),
            events_only(channel_filter, "`--include-channels` / `--exclude-channels`"),
            events_only(!a.conversion_events.is_empty(), "`--conversion-events`"),
            events_only(!a.conversion_types.is_empty(), "`--conversion-types`"),
            needs_times(a.session_gap.is_some(), "`--session-gap`"),
            needs_times(a.lookback.is_some(), "`--lookback`"),
            Refusal::when(
                a.conversions.is_some(),
                "`--conversions` cannot be combined with `--paths`",
                "path aggregates carry their own conversion counts",
            ),
            Refusal::when(
                a.sep.is_empty(),
                "`--sep` is empty",
                "pass the separator used in the paths, e.g. `--sep ' > '`",
            ),
        ]
    }

    /// `--lift` with what does not calibrate yet (`others`: each flag's
    /// presence and name), with path aggregates (no conversion times), or
    /// with a subcommand that does not calibrate (`calibrates` false).
    pub fn lift(plan: &Plan, calibrates: bool, command: &str, others: &[(bool, &str)]) -> Vec<Refusal> {
        let given = plan.lift_file.is_some();
        let mut list = vec![
            Refusal::when(
                given && !calibrates,
                format!("`{command}` does not calibrate credit with lift tests"),
                "drop `--lift`; `mta attribute`, `mta budget` and `mta report` take it",
            ),
            Refusal::when(
                given && matches!(plan.input, InputConfig::Paths { .. }),
                "`--lift` weighs each test against the credit of the conversions inside its dates, which path aggregates do not have",
                "read the touchpoint events instead of `--paths`",
            ),
        ];
        list.extend(others.iter().map(|&(other, what)| {
            Refusal::when(
                given && other,
                format!("`--lift` is not combined with {what} yet"),
                format!("drop {what} or `--lift`"),
            )
        }));
        list
    }

    /// `mta attribute`'s own flags (`metric`: the metric shown, and whether
    /// it needs spend).
    pub fn attribute(
        plan: &Plan,
        by: &[Dimension],
        per_conversion: bool,
        compare: bool,
        bootstrap: bool,
        metric: (&str, bool),
    ) -> Vec<Refusal> {
        let costs = plan.costs_given;
        let (metric, metric_needs_costs) = metric;
        let paths = matches!(plan.input, InputConfig::Paths { .. });
        let mut list = self::lift(
            plan,
            true,
            "mta attribute",
            &[(!by.is_empty(), "`--by`"), (per_conversion, "`--per-conversion`")],
        );
        let html_by_period = plan.output.format == OutputFormat::Html && by.iter().all(|d| d.is_period());
        let split = !by.is_empty() && !html_by_period;
        let periods = by.iter().filter(|d| d.is_period()).count();
        list.push(Refusal::when(
            metric_needs_costs && !costs,
            format!("`--metric {metric}` needs spend per channel"),
            "give it with `--costs FILE` (`channel,spend[,date]`)",
        ));
        for (given, what) in [(per_conversion, "`--per-conversion`"), (compare, "`--compare-models`")] {
            list.push(Refusal::when(
                costs && given,
                format!("`--costs` cannot be combined with {what}: spend is per channel (and per period with `--by day|week|month`)"),
                format!("drop {what} or `--costs`"),
            ));
        }
        for (given, what) in [
            (per_conversion, "`--per-conversion`"),
            (compare, "`--compare-models`"),
            (plan.output.format == OutputFormat::Html, "the HTML report"),
        ] {
            let hint = if what == "the HTML report" {
                "`--by day|week|month` alone charts each channel's share over time; run once per type with `--conversion-types TYPE`"
            } else {
                "run it once per conversion type with `--conversion-types TYPE`, or drop `--by`"
            };
            list.push(Refusal::when(split && given, format!("{what} cannot be split by `--by` yet"), hint));
        }
        list.extend(period_refusals(by, paths));
        list.push(Refusal::when(
            split && periods == 1 && bootstrap,
            "`--bootstrap` cannot be split by period yet",
            "drop `--bootstrap` or the period from `--by`",
        ));
        list.push(Refusal::when(
            paths && per_conversion,
            "`--per-conversion` needs touchpoint events: path aggregates have no customers or conversion times",
            "read the events file instead of `--paths`",
        ));
        list.push(Refusal::when(
            paths && split,
            "`--by` splits conversions by their attributes, which path aggregates do not have",
            "read the touchpoint events instead of `--paths`",
        ));
        list
    }

    /// `mta attribute --transitions`: Markov alone, at the order the
    /// transitions were written with.
    pub fn transitions(plan: &Plan) -> Vec<Refusal> {
        let other = plan.models.iter().find(|&&m| m != crate::model::ModelKind::Markov);
        vec![
            Refusal::when(
                other.is_some(),
                format!(
                    "model `{}` needs journeys, which transition counts do not have",
                    other.map(|m| m.to_string()).unwrap_or_default()
                ),
                "run `--models markov` on the transitions, the other models on the paths (`mta sql --output paths`)",
            ),
            Refusal::when(
                plan.model_cfg.markov.order == crate::model::markov::MarkovOrder::Auto,
                "`--markov-order auto` chooses the order from the journeys, which transition counts do not have",
                "pass the order the transitions were written with, e.g. `--markov-order 2`",
            ),
        ]
    }

    /// A period in `--by`: one at most, and only for touchpoint events,
    /// whose conversions have times.
    pub fn period_refusals(by: &[Dimension], paths: bool) -> Vec<Refusal> {
        let periods = by.iter().filter(|d| d.is_period()).count();
        vec![
            Refusal::when(
                periods == 1 && paths,
                "`--by day|week|month` needs conversion times, which path aggregates do not have",
                "read the touchpoint events instead of `--paths`",
            ),
            Refusal::when(
                periods > 1,
                "`--by` takes one period: `day`, `week` or `month`",
                "keep one of them (`--by conversion-type,month` combines a period with the type)",
            ),
        ]
    }

    /// `mta budget --model`: a model, or `all` (`None`); `None` for a name
    /// that is neither (refused by [`budget`]).
    pub fn budget_model(name: &str) -> Option<Option<crate::model::ModelKind>> {
        match name {
            "all" => Some(None),
            name => <crate::model::ModelKind as clap::ValueEnum>::from_str(name, true).ok().map(Some),
        }
    }

    /// `mta budget`'s own flags.
    pub fn budget(plan: &Plan, max_change: f64, total: Option<f64>, allow_new: Option<&[String]>, model: &str) -> Vec<Refusal> {
        let names = allow_new.unwrap_or_default();
        let empty = names.iter().find(|n| n.trim().is_empty());
        // Direct and organic channels come unpaid.
        let unbuyable = names.iter().find(|n| {
            let n = n.trim().to_lowercase();
            n == "direct" || n.starts_with("organic ")
        });
        vec![
            Refusal::when(
                !plan.costs_given,
                "`mta budget` reallocates spend, so it needs today's spend per channel",
                "give it with `--costs FILE` (`channel,spend[,date]`)",
            ),
            max_change_refusal(max_change),
            Refusal::when(
                total.is_some_and(|t| !(t.is_finite() && t >= 0.0)),
                "`--total` must be an amount of 0 or more: the spend to allocate over the period of the cost rows used",
                "e.g. `--total 100000`; the period is `--from`/`--to` (`--from 2026-09-01 --to 2026-10-01` for a month), else the data's days",
            ),
            Refusal::when(
                empty.is_some(),
                format!("`--allow-new` names an empty channel (`{}`)", empty.map_or("", |n| n.as_str())),
                "list channels separated by commas, e.g. `--allow-new Display,Paid Social`",
            ),
            Refusal::when(
                unbuyable.is_some(),
                format!(
                    "`--allow-new {}`: `{}` cannot be bought, so it cannot receive spend",
                    names.join(","),
                    unbuyable.map_or("", |n| n.as_str())
                ),
                "name the paid channels that may get spend (Direct and organic channels come unpaid)",
            ),
            Refusal::when(
                budget_model(model).is_none(),
                format!("unknown model `{model}` for `--model`"),
                "name one model of `--models`, or `all`",
            ),
        ]
    }

    /// `--max-change` (of `mta budget` and `mta report`): a fraction of 0 or more.
    pub fn max_change_refusal(m: f64) -> Refusal {
        Refusal::when(
            !(m.is_finite() && m >= 0.0),
            "`--max-change` must be a fraction of 0 or more",
            "e.g. `--max-change 0.2` for +-20%",
        )
    }

    /// `mta report`'s own flags: `--by` a period, `--max-change`.
    pub fn report(plan: &Plan, max_change: f64, by: Option<Dimension>) -> Vec<Refusal> {
        let paths = matches!(plan.input, InputConfig::Paths { .. });
        let mut list = vec![max_change_refusal(max_change)];
        list.push(Refusal::when(
            by == Some(Dimension::ConversionType) && paths,
            "`--by conversion-type` splits conversions by their type, which path aggregates do not have",
            "read the touchpoint events with a type column",
        ));
        list.extend(period_refusals(by.filter(|d| d.is_period()).as_slice(), paths));
        list
    }

    /// `mta sql`: flags that say how to read files, or rules not in the SQL
    /// yet, refused with the reason (never ignored); then `--no-campaign`
    /// without channel rules.
    pub fn sql(a: &crate::cli::InputArgs, output: SqlOutput, models: &crate::cli::ModelArgs, no_campaign: bool) -> Vec<Refusal> {
        use crate::input::{Encoding, OnError};
        use crate::model::ModelKind;
        use crate::model::markov::MarkovOrder;
        let reading = "`mta sql` reads no file: it writes a query that reads `--table`";
        let not_for_sql = [
            (!a.inputs.is_empty(), "input files are given", reading),
            (a.paths, "`--paths`", reading),
            (
                a.ga4.len() > 1,
                "`--ga4` with several tables",
                "name one: a wildcard table (`project.dataset.events_*`), a view, or an expression that unions them",
            ),
            (
                a.conversions.is_some(),
                "`--conversions FILE`",
                "name the conversions table with `--conversions-table`",
            ),
            (
                a.accounts.accounts.is_some() || a.accounts.account_col.is_some(),
                "accounts (`--accounts`, `--account-col`)",
                "key the rows by account in a view (`COALESCE(account_id, customer_id) AS customer_id`), and name the view with `--table`",
            ),
            (
                !a.milestones.is_empty(),
                "`--milestones`",
                "the milestone models need each journey's milestone times: run `mta attribute` on the exported touches",
            ),
            (a.delimiter.is_some(), "`--delimiter`", reading),
            (a.encoding != Encoding::Utf8, "`--encoding`", reading),
            (a.decimal_comma, "`--decimal-comma`", reading),
            (
                a.on_error != OnError::Stop,
                "`--on-error`",
                "the engine's own casts decide what a bad value does",
            ),
            (
                a.rejects.is_some(),
                "`--rejects`",
                "the engine's own casts decide what a bad value does",
            ),
            (
                a.order_col.is_some(),
                "`--order-col`",
                "keep each order's first conversion in the warehouse (`ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY time) = 1`) in a view, and name the view with `--table`",
            ),
            (
                output == SqlOutput::Paths && !models.models.is_empty(),
                "`--models`",
                "paths carry no model: `--output credits` computes the rule-based ones; `mta attribute --paths` runs any model on the paths",
            ),
            (
                output == SqlOutput::Transitions && models.models.iter().any(|&m| m != ModelKind::Markov),
                "`--models` other than `markov`",
                "transitions are Markov's chain: `--output credits` computes the rule-based models",
            ),
            (
                output != SqlOutput::Transitions && (models.markov.markov_order != MarkovOrder::Fixed(1) || models.markov.keep_repeats),
                "`--markov-order` / `--keep-repeats`",
                "they shape the Markov chain of `--output transitions`; paths and credits do not depend on them",
            ),
        ];
        let mut list: Vec<Refusal> = not_for_sql
            .into_iter()
            .map(|(given, what, why)| Refusal::when(given, format!("{what}: not for `mta sql`"), why))
            .collect();
        list.push(Refusal::when(
            no_campaign && a.channel_rules.is_none(),
            "`--no-campaign` applies to `--channel-rules`",
            "drop `--no-campaign`",
        ));
        list
    }

    /// Subcommands that need touchpoint events (`what` they are for).
    pub fn events_only(plan: &Plan, message: &str, hint: &str) -> Vec<Refusal> {
        vec![Refusal::when(matches!(plan.input, InputConfig::Paths { .. }), message, hint)]
    }
}

/// Validated input settings.
#[derive(Debug, Clone)]
pub enum InputConfig {
    /// Touchpoint events.
    Events {
        /// What to read and how.
        spec: Box<InputSpec>,
        /// Where skipped rows go (`--rejects`).
        rejects: Option<PathBuf>,
    },
    /// Path aggregates.
    Paths {
        /// Files (empty = stdin).
        sources: Vec<Source>,
        /// Delimiter, encoding, decimal comma.
        dialect: Dialect,
        /// Channel separator within a path.
        sep: String,
        /// Stop at or skip bad rows.
        on_error: OnError,
        /// Where skipped rows go (`--rejects`).
        rejects: Option<PathBuf>,
    },
}

/// Output destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A file, written atomically (unless it is a device or a pipe).
    File(PathBuf),
}

impl Target {
    /// The name for messages.
    pub fn name(&self) -> String {
        match self {
            Target::Stdout => "<stdout>".into(),
            Target::File(p) => p.display().to_string(),
        }
    }
}

/// What stdout is, read once from the process's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terminal {
    /// stdout is a terminal.
    pub stdout_tty: bool,
    /// `NO_COLOR` is set (to anything but empty): no borders.
    pub no_color: bool,
    /// The terminal's width in columns, when stdout is one.
    pub width: Option<usize>,
}

/// The formats a subcommand writes, so that any other is refused before
/// input is read.
#[derive(Debug, Clone, Copy)]
pub struct Formats {
    /// The command as the user typed it, for messages (`mta markov`).
    pub command: &'static str,
    /// What it writes, the first in hints.
    pub supported: &'static [OutputFormat],
    /// Without `--format` or an `-o` extension that names one.
    pub default: OutputFormat,
    /// Where to go for a format it does not write, if somewhere.
    pub elsewhere: Option<&'static str>,
}

impl Formats {
    /// `--format`'s help for this command: its formats and its default.
    pub fn help(&self) -> String {
        let names: Vec<String> = self.supported.iter().map(|f| f.name()).collect();
        format!(
            "Output format: {} [default: from the `-o` extension, else {}]",
            or_list(&names),
            self.default.name()
        )
    }
}

/// Every format: what `mta attribute` writes.
pub const EVERY: &[OutputFormat] = &[
    OutputFormat::Table,
    OutputFormat::Csv,
    OutputFormat::Json,
    OutputFormat::Markdown,
    OutputFormat::Parquet,
    OutputFormat::Html,
];

/// Every tabular format: what a command writes whose results are tables.
pub const TABULAR: &[OutputFormat] = EVERY.split_at(5).0;

/// Validated output settings.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// Format.
    pub format: OutputFormat,
    /// Destination.
    pub target: Target,
    /// Borders, width, `--excel-safe`.
    pub style: Style,
    /// Silence stderr.
    pub quiet: bool,
}

/// The input and journey settings of `a`: each flag's value parsed, their
/// combinations checked ([`refusals::input_flags`], and with `--paths`
/// [`refusals::paths_input`]), the sources listed (directories and globs
/// expanded) and the channel rules read.
pub fn input(a: InputArgs) -> Result<(InputConfig, JourneyConfig)> {
    use super::args::{channel_filter, parse_delimiter, parse_duration};
    let dialect = Dialect {
        delimiter: a.delimiter.as_deref().map(|d| parse_delimiter(d, "--delimiter")).transpose()?,
        encoding: a.encoding,
        decimal_comma: a.decimal_comma,
    };
    let time_format: TimeFormat = a.time_format.parse().map_err(|m: String| {
        Error::usage(
            format!("`--time-format`: {m}"),
            "pass `auto` (the default), `epoch-s`, `epoch-ms`, or a pattern such as `%d/%m/%Y %H:%M`",
        )
    })?;
    let duration = |s: &Option<String>, flag| {
        s.as_deref()
            .map(|s| parse_duration(s, flag))
            .transpose()
            .map(|d| d.map(|ms| ms as i64))
    };
    let mut journey = JourneyConfig {
        lookback_ms: duration(&a.lookback, "--lookback")?,
        max_touches: match a.max_touches {
            Some(0) => return Err(Error::usage("`--max-touches 0` would leave every journey empty", "pass 1 or more")),
            n => n,
        },
        transforms: a.path_transform.clone(),
        mode: a.journey_mode,
        period: Period::default(),
        channel_filter: channel_filter(&a.include_channels, &a.exclude_channels)?,
        session_gap_ms: duration(&a.session_gap, "--session-gap")?,
    };
    refusals::check(refusals::input_flags(&a))?;
    let sources = sources(&a)?;
    if a.paths {
        refusals::check(refusals::paths_input(&a, journey.channel_filter.is_some()))?;
        let paths = InputConfig::Paths {
            sources,
            dialect,
            sep: a.sep,
            on_error: a.on_error,
            rejects: a.rejects,
        };
        return Ok((paths, journey));
    }
    let zone: Zone = a
        .timezone
        .parse()
        .map_err(|m: String| Error::usage(m, "see `--timezone` in `mta attribute --help`"))?;
    journey.period = period(&a, zone)?;
    let spec = events_spec(a, sources, dialect, time_format, zone)?;
    Ok((spec, journey))
}

/// The touchpoint sources: files as given (`mta sql`'s table names), or
/// with directories and globs expanded; stdin at most once.
fn sources(a: &InputArgs) -> Result<Vec<Source>> {
    let files = if a.ga4.is_empty() { &a.inputs } else { &a.ga4 };
    let sources = match a.literal_inputs {
        true => files.iter().map(|s| Source::from_arg(s)).collect(),
        false => crate::input::expand::expand(files)?,
    };
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        return Err(Error::usage("stdin (`-`) is given more than once", "name `-` once"));
    }
    Ok(sources)
}

/// `--from` / `--to` in `zone`; a period that holds nothing is refused.
fn period(a: &InputArgs, zone: Zone) -> Result<Period> {
    use super::args::parse_instant;
    let period = Period {
        from_ms: a.from.as_deref().map(|s| parse_instant(s, "--from", zone)).transpose()?,
        to_ms: a.to.as_deref().map(|s| parse_instant(s, "--to", zone)).transpose()?,
    };
    if let (Some(f), Some(t)) = (period.from_ms, period.to_ms) {
        refusals::check([Refusal::when(
            t <= f,
            "`--to` is not after `--from`: the period is empty",
            "`--to` is exclusive: `--from 2026-01-01 --to 2026-02-01` is January",
        )])?;
    }
    Ok(period)
}

/// What to read of touchpoint events, and how: columns, conversions
/// (inline, events, a file, a GA4 export), the channel rules read and
/// checked, the memory limit.
fn events_spec(a: InputArgs, sources: Vec<Source>, dialect: Dialect, time_format: TimeFormat, zone: Zone) -> Result<InputConfig> {
    use super::args::{default_memory_limit, names_list, parse_rule_sources};
    let ga4 = !a.ga4.is_empty();
    let columns = ColumnMap {
        customer: a.customer_col,
        timestamp: a.time_col,
        channel: a.channel_col,
        conversion: a.conversion_col,
        value_required: a.value_col.is_some(),
        value: a.value_col.unwrap_or_else(|| "value".into()),
        utm_fallback: a.source_col.is_none() && a.medium_col.is_none() && a.campaign_col.is_none(),
        source: a.source_col.unwrap_or_else(|| "source".into()),
        medium: a.medium_col.unwrap_or_else(|| "medium".into()),
        campaign: a.campaign_col.unwrap_or_else(|| "campaign".into()),
        order: a.order_col,
        type_required: a.type_col.is_some(),
        conversion_type: a.type_col.unwrap_or_else(|| "conversion_type".into()),
        event: a.event_col,
    };
    let rule_sources = a.channel_rules.as_deref().map(parse_rule_sources).transpose()?;
    let conversions = a
        .conversions
        .as_deref()
        .map(|file| conversions_file(Source::from_arg(file), a.conv, &columns, dialect, &time_format))
        .transpose()?;
    refusals::check([Refusal::when(
        conversions.as_ref().is_some_and(|c| c.source == Source::Stdin) && (sources.is_empty() || sources.contains(&Source::Stdin)),
        "touchpoints and conversions cannot both come from stdin",
        "pass the touchpoint file(s) by name",
    )])?;
    // An accounts file is read (and its errors reported) before any event.
    let accounts = account_spec(a.accounts, &columns, dialect)?;
    let spec = InputSpec {
        sources,
        accounts,
        conversions,
        columns,
        dialect,
        time_format,
        zone,
        on_error: a.on_error,
        // A rules file is read (and its errors reported) before any event.
        channel_rules: rule_sources.as_deref().map(ChannelRules::load).transpose()?,
        conversion_events: match names_list(&a.conversion_events, "--conversion-events")? {
            None if ga4 => Some(vec![crate::input::ga4::DEFAULT_CONVERSION_EVENT.to_string()]),
            events => events,
        },
        milestones: names_list(&a.milestones, "--milestones")?,
        conversion_types: names_list(&a.conversion_types, "--conversion-types")?,
        ga4: ga4.then(|| a.ga4_identity.unwrap_or_default()),
        out_of_core: Some(crate::input::OutOfCore {
            limit: a.memory_limit.unwrap_or_else(default_memory_limit),
            temp_dir: a.temp_dir,
        }),
        touches_only: false,
        chunk_bytes: None,
    };
    Ok(InputConfig::Events {
        spec: Box::new(spec),
        rejects: a.rejects,
    })
}

/// `--accounts FILE` (read here) or `--account-col`, with
/// `--account-missing`; that flag alone is refused.
fn account_spec(a: AccountArgs, columns: &ColumnMap, dialect: Dialect) -> Result<Option<AccountSpec>> {
    use crate::input::accounts::{self, AccountSource};
    let source = match (a.accounts, a.account_col) {
        (Some(file), _) => {
            let source = Source::from_arg(&file);
            let map = accounts::load(&source, &columns.customer, &dialect)?;
            AccountSource::File {
                name: source.name(),
                map: std::sync::Arc::new(map),
            }
        }
        (None, Some(col)) => AccountSource::Column {
            conversions: a.conv_account_col.unwrap_or_else(|| col.clone()),
            touches: col,
        },
        (None, None) => {
            refusals::check([Refusal::when(
                a.account_missing.is_some(),
                "`--account-missing` says what becomes of people without an account, but no accounts are given",
                "add `--accounts FILE` or `--account-col NAME`",
            )])?;
            return Ok(None);
        }
    };
    Ok(Some(AccountSpec {
        source,
        missing: a.account_missing.unwrap_or_default(),
    }))
}

/// The conversions file: its own columns and formats (`--conv-*`) where
/// given, else the touch files'.
fn conversions_file(source: Source, c: ConvArgs, touch: &ColumnMap, dialect: Dialect, time_format: &TimeFormat) -> Result<ConversionsFile> {
    let time_format = match c.conv_time_format {
        Some(f) => f.parse().map_err(|m: String| {
            Error::usage(
                format!("`--conv-time-format`: {m}"),
                "pass `auto`, `epoch-s`, `epoch-ms`, or a pattern such as `%d.%m.%Y`",
            )
        })?,
        None => time_format.clone(),
    };
    let delimiter = match c.conv_delimiter.as_deref() {
        Some(d) => Some(super::args::parse_delimiter(d, "--conv-delimiter")?),
        None => dialect.delimiter,
    };
    Ok(ConversionsFile {
        source,
        columns: ConversionColumns {
            customer: c.conv_customer_col.unwrap_or_else(|| touch.customer.clone()),
            timestamp: c.conv_time_col.unwrap_or_else(|| touch.timestamp.clone()),
            value_required: touch.value_required || c.conv_value_col.is_some(),
            value: c.conv_value_col.unwrap_or_else(|| touch.value.clone()),
            type_required: touch.type_required || c.conv_type_col.is_some(),
            conversion_type: c.conv_type_col.unwrap_or_else(|| touch.conversion_type.clone()),
            id: c.conversion_id_col,
        },
        dialect: Dialect {
            delimiter,
            encoding: c.conv_encoding.unwrap_or(dialect.encoding),
            decimal_comma: c.conv_decimal_comma.unwrap_or(dialect.decimal_comma),
        },
        time_format,
    })
}

/// The output settings of a subcommand that writes `formats`: an
/// unsupported format is refused here, before any input is read, and so is
/// binary Parquet on a terminal.
pub fn output(a: OutputArgs, formats: &Formats, terminal: Terminal) -> Result<OutputConfig> {
    let target = match a.output.as_deref() {
        None | Some("-") => Target::Stdout,
        Some(p) => Target::File(PathBuf::from(p)),
    };
    let (format, why) = match (a.format, &target) {
        (Some(f), _) => (f, "`--format`"),
        (None, Target::File(p)) => match OutputFormat::from_path(p) {
            Some(f) => (f, "the `-o` extension"),
            None if formats.supported.len() == 1 => (formats.default, ""),
            None => {
                let extensions: Vec<&str> = formats.supported.iter().map(|f| f.extension()).collect();
                return Err(Error::usage(
                    format!("cannot tell the output format from `{}`", p.display()),
                    format!("use a {} extension, or pass `--format`", or_list(&extensions)),
                ));
            }
        },
        (None, Target::Stdout) => (formats.default, ""),
    };
    let mut hint = format!("pass `--format {}`", formats.default.name());
    if let Some(elsewhere) = formats.elsewhere {
        hint = format!("{hint}, or {elsewhere}");
    }
    refusals::check([
        Refusal::when(
            !formats.supported.contains(&format),
            format!(
                "`{}` writes {}, not {} (asked for by {why})",
                formats.command,
                or_list(&formats.supported.iter().map(|f| f.name()).collect::<Vec<_>>()),
                format.name()
            ),
            hint,
        ),
        Refusal::when(
            format == OutputFormat::Parquet && target == Target::Stdout && terminal.stdout_tty,
            "refusing to write binary Parquet to a terminal",
            "pass `-o results.parquet`, or pipe the output",
        ),
    ])?;
    let on_terminal = terminal.stdout_tty && target == Target::Stdout;
    Ok(OutputConfig {
        format,
        style: Style {
            borders: on_terminal && !terminal.no_color,
            width: terminal.width.filter(|_| on_terminal),
            excel_safe: a.excel_safe,
        },
        target,
        quiet: a.quiet,
    })
}

/// The costs to read, if any: dates in the events' zone and period; the
/// text read like the events' (encoding, decimal comma) unless the cost
/// flags say otherwise, the delimiter detected on its own; channels from
/// source and medium by the events' rules.
fn costs(a: CostArgs, input: &InputConfig, journey: &JourneyConfig) -> Result<Option<CostSpec>> {
    let date_format: TimeFormat = a.cost_date_format.parse().map_err(|m: String| {
        Error::usage(
            format!("`--cost-date-format`: {m}"),
            "pass `auto` (the default) or a pattern such as `%d.%m.%Y`",
        )
    })?;
    let Some(costs) = a.costs else { return Ok(None) };
    let (dialect, zone, rules) = match input {
        InputConfig::Events { spec, .. } => (spec.dialect, spec.zone, spec.channel_rules.clone()),
        InputConfig::Paths { dialect, .. } => (*dialect, Zone::default(), None),
    };
    Ok(Some(CostSpec {
        source: Source::from_arg(&costs),
        channel_col: a.cost_channel_col,
        spend_col: a.cost_col,
        date_required: a.cost_date_col.is_some(),
        date_col: a.cost_date_col.unwrap_or_else(|| "date".into()),
        date_format,
        dialect: Dialect {
            delimiter: None,
            encoding: a.cost_encoding.unwrap_or(dialect.encoding),
            decimal_comma: a.cost_decimal_comma.unwrap_or(dialect.decimal_comma),
        },
        zone,
        from_ms: journey.period.from_ms,
        to_ms: journey.period.to_ms,
        rules,
    }))
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list<S: AsRef<str>>(items: &[S]) -> String {
    match items.split_last() {
        Some((last, [])) => last.as_ref().to_string(),
        Some((last, rest)) => format!(
            "{} or {}",
            rest.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
        None => String::new(),
    }
}
