//! `mta sql`: journey building pushed down to a SQL engine. The query
//! rebuilds every customer's journeys by mta's rules (the same order of
//! ties, the same split at conversions, lookback, max touches, analysis
//! period and channel filters) and returns what is small: path aggregates,
//! or the credits of the rule-based models. mta then runs the exact models
//! on the result (`mta attribute --paths`).
//!
//! A query is a list of [`Step`]s, one common table expression each, with
//! the rule it implements in words (the SQL comment, and `--explain`).

pub mod dialect;
pub mod ga4;

pub use dialect::{Dialect, TimeColumn};
pub use ga4::Ga4Export;

use crate::channels::WrittenSet;
use crate::journey::transform::PathTransform;
use crate::journey::{JourneyConfig, JourneyMode};
use crate::model::{ModelConfig, ModelKind};

/// What the query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlOutput {
    /// `path,total_conversions,total_conversion_value,total_null`, as `mta paths` writes.
    Paths,
    /// `model,channel,conversions,value,share` of the rule-based models, as `mta attribute --format csv` writes.
    Credits,
    /// `from,to,count,value`: the Markov chain of `--markov-order K`, for `mta attribute --transitions`.
    Transitions,
}

/// Whether a query can compute `m`: the rule-based models can, Markov,
/// Shapley and data-driven need mta's solvers, and the milestone models
/// milestone times the query does not carry.
pub fn in_sql(m: ModelKind) -> bool {
    !matches!(
        m,
        ModelKind::Markov | ModelKind::Shapley | ModelKind::DataDriven | ModelKind::WShaped | ModelKind::FullPath
    )
}

/// The models a query can compute, in mta's order (weights are numbered by it).
fn sql_models() -> Vec<ModelKind> {
    ModelKind::ALL.into_iter().filter(|&m| in_sql(m)).collect()
}

/// The source columns, as named in the user's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Customer id.
    pub customer: String,
    /// Touch (and conversion) time.
    pub time: String,
    /// Channel name.
    pub channel: String,
    /// Inline conversion flag (without a conversions table).
    pub conversion: String,
    /// Conversion revenue; `None` when the tables have none.
    pub value: Option<String>,
}

/// The columns channel rules read (`--channel-rules`).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceColumns {
    /// Traffic source.
    pub source: String,
    /// Traffic medium.
    pub medium: String,
    /// Campaign; `None` when the table has none.
    pub campaign: Option<String>,
}

/// Channel rules as one CASE expression: each file's rules in file order
/// (a rule's conditions are regular expressions on the whole trimmed value,
/// case-insensitive; an empty one matches anything), then GA4's default
/// channel group when asked for; `Unassigned` when nothing matches.
fn rules_case(d: Dialect, cols: &SourceColumns, sets: &[WrittenSet]) -> String {
    let text = d.text();
    let trimmed = |col: &str| format!("TRIM(COALESCE(CAST({} AS {text}), ''))", d.quote(col));
    let values = [
        trimmed(&cols.source),
        trimmed(&cols.medium),
        cols.campaign.as_deref().map_or_else(|| "''".to_string(), trimmed),
    ];
    let mut case = String::from("CASE");
    for set in sets {
        match set {
            WrittenSet::Ga4 => {
                for (condition, channel) in ga4_rules(d, cols) {
                    case.push_str(&format!("\n    WHEN {condition} THEN {}", d.literal(channel)));
                }
                break;
            }
            WrittenSet::File { name, rules } => {
                for r in rules {
                    let conditions: Vec<String> = r
                        .patterns
                        .iter()
                        .zip(&values)
                        .filter_map(|(p, v)| p.as_deref().map(|p| d.full_match_ci(v, p)))
                        .collect();
                    let condition = if conditions.is_empty() {
                        "1 = 1".to_string()
                    } else {
                        conditions.join(" AND ")
                    };
                    // The rule's place, so an analyst can find it (no line break in a comment).
                    let place = format!("{name}:{}", r.line).replace(['\n', '\r'], " ");
                    case.push_str(&format!("\n    WHEN {condition} THEN {} -- {place}", d.literal(&r.channel)));
                }
            }
        }
    }
    case.push_str("\n    ELSE 'Unassigned'\n  END");
    case
}

/// GA4's default channel group as CASE conditions: the rules of
/// [`crate::channels`] in the same order, on trimmed lower-case
/// values, with the same source lists (a `www.` prefix ignored); rule 20,
/// `Unassigned`, is the CASE's ELSE.
fn ga4_rules(d: Dialect, cols: &SourceColumns) -> Vec<(String, &'static str)> {
    use crate::channels::{PAID_PATTERN, SHOP_CAMPAIGN_PATTERN, ga4_sources};
    let text = d.text();
    let lower = |col: &str| format!("LOWER(TRIM(COALESCE(CAST({} AS {text}), '')))", d.quote(col));
    let (s, m) = (lower(&cols.source), lower(&cols.medium));
    let c = cols.campaign.as_deref().map_or_else(|| "''".to_string(), lower);
    let list = |names: &[&str]| d.literals(names);
    let on = |names: &[&str]| {
        let l = list(names);
        format!("({s} IN ({l}) OR ({s} LIKE 'www.%' AND SUBSTR({s}, 5) IN ({l})))")
    };
    let src = ga4_sources();
    let paid = d.regex(&m, PAID_PATTERN);
    let shopping = format!("({} OR {})", on(src.shopping), d.regex(&c, SHOP_CAMPAIGN_PATTERN));
    let email = list(&["email", "e-mail", "e_mail", "e mail"]);
    let rules = [
        (
            format!("({s} = '(direct)' AND {m} IN ('(none)', '(not set)')) OR ({s} = '' AND {m} = '')"),
            "Direct",
        ),
        (format!("{c} LIKE '%cross-network%'"), "Cross-network"),
        (format!("{shopping} AND {paid}"), "Paid Shopping"),
        (format!("{} AND {paid}", on(src.search)), "Paid Search"),
        (format!("{} AND {paid}", on(src.social)), "Paid Social"),
        (format!("{} AND {paid}", on(src.video)), "Paid Video"),
        (
            format!("{m} IN ('display', 'banner', 'expandable', 'interstitial', 'cpm')"),
            "Display",
        ),
        (paid.clone(), "Paid Other"),
        (format!("{} OR {m} = 'ai-assistant'", on(src.ai)), "AI Assistant"),
        (shopping.clone(), "Organic Shopping"),
        (
            format!(
                "{} OR {m} IN ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')",
                on(src.social)
            ),
            "Organic Social",
        ),
        (format!("{} OR {m} LIKE '%video%'", on(src.video)), "Organic Video"),
        (format!("{} OR {m} = 'organic'", on(src.search)), "Organic Search"),
        (format!("{m} IN ('referral', 'app', 'link')"), "Referral"),
        (format!("{s} IN ({email}) OR {m} IN ({email})"), "Email"),
        (format!("{m} = 'affiliate'"), "Affiliates"),
        (format!("{m} = 'audio'"), "Audio"),
        (format!("{s} = 'sms' OR {m} = 'sms'"), "SMS"),
        (
            format!("{m} LIKE '%push' OR {m} LIKE '%mobile%' OR {m} LIKE '%notification%' OR {s} = 'firebase'"),
            "Mobile Push Notifications",
        ),
    ];
    rules.to_vec()
}

/// Conversion types (`--type-col`, `--conversion-events`, `--conversion-types`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeRules {
    /// The type column of inline conversions or of the conversions table
    /// (an empty cell is `(not set)`).
    pub column: Option<String>,
    /// `--conversion-events`: the event name column, and the events whose
    /// rows are conversions of that type (the other rows are touches).
    pub events: Option<(String, Vec<String>)>,
    /// `--conversion-types`: the types kept (case-insensitive); the others
    /// neither close journeys nor get credit.
    pub keep: Option<Vec<String>>,
}

impl TypeRules {
    /// The conversion events whose type (their name) `--conversion-types` keeps.
    fn kept_events(&self, events: &[String]) -> Vec<String> {
        events
            .iter()
            .filter(|e| {
                self.keep
                    .as_ref()
                    .is_none_or(|k| k.iter().any(|k| k.trim().eq_ignore_ascii_case(e.trim())))
            })
            .cloned()
            .collect()
    }
}

/// The rule sets in words, in the order they are tried.
fn describe_rules(sets: &[WrittenSet]) -> String {
    sets.iter()
        .map(|s| match s {
            WrittenSet::Ga4 => "GA4's default channel group".to_string(),
            WrittenSet::File { name, .. } => format!("the rules of {name}"),
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

/// Everything a query is built from.
#[derive(Debug, Clone)]
pub struct SqlSpec {
    /// The engine.
    pub dialect: Dialect,
    /// The touchpoint table (or expression), inserted as written.
    pub table: String,
    /// A separate conversions table (customer, time, value), inserted as written.
    pub conversions_table: Option<String>,
    /// Column names.
    pub columns: Columns,
    /// `--channel-rules`: channels from these columns by these rules
    /// instead of `columns.channel`.
    pub rules: Option<(SourceColumns, Vec<WrittenSet>)>,
    /// How the time column holds instants.
    pub time: TimeColumn,
    /// `--ga4`: the table is a GA4 export (its own schema: the columns above do not apply).
    pub ga4: Option<Ga4Export>,
    /// Conversion types.
    pub types: TypeRules,
    /// Journey rules.
    pub journeys: JourneyConfig,
    /// What the query returns.
    pub output: SqlOutput,
    /// `--output credits`: the models, in output order.
    pub models: Vec<ModelKind>,
    /// Their parameters.
    pub model_cfg: ModelConfig,
}

/// One common table expression: its name, the rule it implements, its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The CTE's name.
    pub name: String,
    /// The rule, in words (a SQL comment, and `--explain`).
    pub rule: String,
    /// The SELECT, indented by the renderer.
    pub body: String,
}

/// A query: steps, then the final SELECT.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The first comment line: what the query is.
    pub title: String,
    /// The CTEs, in order.
    pub steps: Vec<Step>,
    /// What the final SELECT returns, in words.
    pub result: String,
    /// The final SELECT.
    pub select: String,
}

impl Query {
    /// The SQL text: a comment per step, `WITH` the steps, the final SELECT.
    pub fn render(&self) -> String {
        let mut s = format!("-- {}\n", self.title);
        for (k, step) in self.steps.iter().enumerate() {
            s.push_str(if k == 0 { "WITH\n" } else { ",\n" });
            for line in wrap(&step.rule, 76) {
                s.push_str(&format!("-- {line}\n"));
            }
            s.push_str(&format!("{} AS (\n", step.name));
            for line in step.body.lines() {
                s.push_str(&format!("  {line}\n"));
            }
            s.push(')');
        }
        s.push('\n');
        for line in wrap(&self.result, 76) {
            s.push_str(&format!("-- {line}\n"));
        }
        s.push_str(&self.select);
        s.push_str(";\n");
        s
    }

    /// The steps in words, numbered.
    pub fn explain(&self) -> String {
        let mut s = format!("{}\n\n", self.title);
        for (k, step) in self.steps.iter().enumerate() {
            s.push_str(&format!("{:>2}. {}: {}\n", k + 1, step.name, step.rule));
        }
        s.push_str(&format!("{:>2}. result: {}\n", self.steps.len() + 1, self.result));
        s
    }
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A double literal, cast so that no engine keeps it as an exact decimal.
fn double(d: Dialect, x: f64) -> String {
    format!("CAST({x:?} AS {})", d.double())
}

/// The query of `spec`, or why the journey rules asked for cannot be
/// expressed (a reason for the user).
pub fn query(spec: &SqlSpec) -> Result<Query, String> {
    if spec.output == SqlOutput::Credits
        && let Some(m) = spec.models.iter().find(|&&m| !in_sql(m))
    {
        return Err(format!(
            "model `{m}` needs mta's solver: write the paths with `--output paths` and run `mta attribute --paths - --models {m}` on them"
        ));
    }
    let cfg = &spec.journeys;
    let mut steps = event_steps(spec)?;
    steps.push(Step {
        name: "mta_ordered".into(),
        rule: "Each customer's rows in mta's order, never the engine's: time, then touches before a conversion at the same time, then channel name (bytewise), then value.".into(),
        body: format!(
            "SELECT\n  e.*,\n  ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY t, converts, {}, value) AS seq\nFROM mta_events AS e",
            spec.dialect.bytewise("channel")
        ),
    });
    let rows = match cfg.session_gap_ms {
        Some(gap) => {
            steps.push(visits(gap));
            "mta_visits"
        }
        None => "mta_ordered",
    };
    match cfg.mode {
        JourneyMode::Split => split_journeys(cfg, rows, &mut steps),
        JourneyMode::Window => window_journeys(spec.dialect, cfg, rows, &mut steps)?,
    }
    let last = trimmed_and_transformed(spec, &mut steps);
    let title = format!(
        "mta sql ({} {}): {} of {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        match spec.output {
            SqlOutput::Paths => "path aggregates",
            SqlOutput::Credits => "rule-based credits",
            SqlOutput::Transitions => "Markov transition counts",
        },
        spec.table.replace('\n', " ")
    );
    let (result, select) = match spec.output {
        SqlOutput::Paths => paths_result(spec.dialect, &mut steps, &last),
        SqlOutput::Transitions => transitions_result(spec, &mut steps, &last)?,
        SqlOutput::Credits => credits_result(spec, &mut steps, &last),
    };
    Ok(Query {
        title,
        steps,
        result,
        select,
    })
}

/// The step `mta_events` (and, for a GA4 export, those before it): one row
/// per touch or conversion with `customer_id, t, channel, converts, value,
/// is_touch`, as the conversions come (inline flags, conversion events, a
/// conversions table, or a GA4 export).
fn event_steps(spec: &SqlSpec) -> Result<Vec<Step>, String> {
    let e = EventSql::new(spec);
    let types = &spec.types;
    if let Some(export) = &spec.ga4 {
        if spec.conversions_table.is_some() {
            return Err("a GA4 export holds its conversions (`--conversion-events`): drop `--conversions-table`".into());
        }
        // Types are event names: `--conversion-types` narrows the events.
        let kept = types.kept_events(&export.events);
        let default_rules = [WrittenSet::Ga4];
        let rules = spec.rules.as_ref().map_or(&default_rules[..], |(_, sets)| sets.as_slice());
        return ga4::steps(spec.dialect, &spec.table, export, rules, &e.is_touch, &kept);
    }
    let step = match (&spec.conversions_table, &types.events) {
        (Some(_), Some(_)) => {
            return Err("`--conversion-events` names conversions among the touch rows; a conversions table has its own".into());
        }
        (None, Some((event_col, events))) => e.conversion_events(event_col, events),
        (None, None) => e.inline(),
        (Some(conversions), None) => e.conversions_table(conversions),
    };
    Ok(vec![step])
}

/// The SQL expressions of an events table's columns, as `mta_events`
/// writes them.
struct EventSql<'a> {
    spec: &'a SqlSpec,
    /// The trimmed customer id.
    customer: String,
    /// Rows with a customer id (an anonymous visitor's row is left out, as
    /// mta leaves it out; NULL fails the comparison too).
    identified: String,
    /// Epoch milliseconds.
    time: String,
    /// The channel, from its column or by the channel rules.
    channel: String,
    /// How channels are made, in words.
    channel_rule: String,
    /// 1 for a touch the channel filter keeps.
    is_touch: String,
    /// The revenue column, 0 when empty.
    value: String,
    /// `--conversion-types` on a type column: the condition that keeps one.
    kept_type: Option<String>,
    /// `--conversion-types`, in words.
    keep_rule: String,
}

impl<'a> EventSql<'a> {
    fn new(spec: &'a SqlSpec) -> Self {
        let d = spec.dialect;
        let q = |name: &str| d.quote(name);
        let text = d.text();
        let c = &spec.columns;
        // Channel filters drop touches, not conversions (an inline conversion
        // on a dropped touch still closes its journey); they see derived channels.
        let is_touch = match &spec.journeys.channel_filter {
            None => "1".to_string(),
            Some(f) => {
                let names = d.literals(f.names.iter().map(|n| n.trim().to_lowercase()));
                let (yes, no) = if f.include { (1, 0) } else { (0, 1) };
                format!("CASE WHEN LOWER(channel) IN ({names}) THEN {yes} ELSE {no} END")
            }
        };
        let customer = format!("TRIM(CAST({} AS {text}))", q(&c.customer));
        let (channel, channel_rule) = match &spec.rules {
            None => (format!("TRIM(CAST({} AS {text}))", q(&c.channel)), "channels trimmed".to_string()),
            Some((cols, sets)) => (
                rules_case(d, cols, sets),
                format!(
                    "channels from source / medium / campaign by {} (`--channel-rules`)",
                    describe_rules(sets)
                ),
            ),
        };
        let types = &spec.types;
        EventSql {
            spec,
            identified: format!("{customer} <> ''"),
            customer,
            time: d.epoch_ms(&q(&c.time), spec.time),
            channel,
            channel_rule,
            is_touch,
            value: match &c.value {
                Some(v) => format!("COALESCE(CAST({} AS {}), 0)", q(v), d.double()),
                None => format!("CAST(0 AS {})", d.double()),
            },
            kept_type: match (&types.column, &types.keep) {
                (Some(col), Some(keep)) => Some(format!(
                    "LOWER(COALESCE(NULLIF(TRIM(CAST({} AS {text})), ''), '(not set)')) IN ({})",
                    q(col),
                    d.literals(keep.iter().map(|n| n.trim().to_lowercase()))
                )),
                _ => None,
            },
            keep_rule: types
                .keep
                .as_ref()
                .map(|k| format!(" Only conversions of the types {} are kept (`--conversion-types`, case-insensitive); the others neither close journeys nor get credit.", k.join(", ")))
                .unwrap_or_default(),
        }
    }

    /// The SELECT of the table's rows with `channel`, `converts` and
    /// `value` as given, rows without a customer id left out.
    fn rows(&self, channel: &str, converts: &str, value: &str) -> String {
        format!(
            "SELECT\n  {} AS customer_id,\n  {} AS t,\n  {channel} AS channel,\n  {converts} AS converts,\n  {value} AS value\nFROM {}\nWHERE {}",
            self.customer, self.time, self.spec.table, self.identified
        )
    }

    /// `--conversion-events`: rows of the events named are conversions.
    fn conversion_events(&self, event_col: &str, events: &[String]) -> Step {
        let d = self.spec.dialect;
        // Types are event names: `--conversion-types` narrows the events.
        let keep = self.spec.types.kept_events(events);
        let dropped: Vec<&str> = events.iter().filter(|e| !keep.contains(e)).map(|e| e.trim()).collect();
        let event = format!("COALESCE(TRIM(CAST({} AS {})), '')", d.quote(event_col), d.text());
        let is_conversion = if keep.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("{event} IN ({})", d.literals(keep.iter().map(|e| e.trim())))
        };
        let channel = format!("CASE WHEN {is_conversion} THEN '' ELSE {} END", self.channel);
        let mut rows = self.rows(&channel, &format!("CASE WHEN {is_conversion} THEN 1 ELSE 0 END"), &self.value);
        if !dropped.is_empty() {
            rows.push_str(&format!("\n  AND {event} NOT IN ({})", d.literals(&dropped)));
        }
        Step {
            name: "mta_events".into(),
            rule: format!(
                "An event-level table (`--conversion-events`): rows of the events {} are conversions of that type (no touch, no channel), every other row is a touch. Ids trimmed (rows without one left out), {}, time in epoch milliseconds, revenue 0 when empty; is_touch 0 for a touch the channel filter drops.{}",
                events.join(", "),
                self.channel_rule,
                self.keep_rule
            ),
            body: format!(
                "SELECT\n  r.*,\n  CASE WHEN converts = 1 THEN 0 ELSE {} END AS is_touch\nFROM (\n{}\n) AS r",
                self.is_touch,
                indent(&rows)
            ),
        }
    }

    /// Touches with inline conversion flags.
    fn inline(&self) -> Step {
        let d = self.spec.dialect;
        let flag = format!(
            "CASE WHEN LOWER(TRIM(CAST({} AS {}))) IN ('1', 'true', 'yes', 'y', 't'){} THEN 1 ELSE 0 END",
            d.quote(&self.spec.columns.conversion),
            d.text(),
            self.kept_type.as_ref().map(|k| format!(" AND {k}")).unwrap_or_default()
        );
        let rows = self.rows(&self.channel, &flag, &self.value);
        let removed = if self.kept_type.is_some() {
            " (a conversion of another type stays as a touch)"
        } else {
            ""
        };
        Step {
            name: "mta_events".into(),
            rule: format!(
                "Touches with inline conversions: ids trimmed (rows without one left out), {}, time in epoch milliseconds, the conversion flag as 0/1 (1, true, yes, y, t), revenue 0 when empty; is_touch 0 for a touch the channel filter drops.{}{removed}",
                self.channel_rule, self.keep_rule
            ),
            body: format!("SELECT\n  r.*,\n  {} AS is_touch\nFROM (\n{}\n) AS r", self.is_touch, indent(&rows)),
        }
    }

    /// Touches, and the conversions of a separate table.
    fn conversions_table(&self, conversions: &str) -> Step {
        let rows = self.rows(&self.channel, "0", &format!("CAST(0 AS {})", self.spec.dialect.double()));
        Step {
            name: "mta_events".into(),
            rule: format!(
                "Touches, and the conversions of the separate table as rows of their own (converts 1, no touch): ids trimmed (rows without one left out), {}, time in epoch milliseconds, revenue 0 when empty; is_touch 0 for a touch the channel filter drops.{}",
                self.channel_rule, self.keep_rule
            ),
            body: format!(
                "SELECT\n  r.*,\n  {} AS is_touch\nFROM (\n{}\n) AS r\nUNION ALL\nSELECT\n  {},\n  {},\n  '',\n  1,\n  {},\n  0\nFROM {conversions}\nWHERE {}{}",
                self.is_touch,
                indent(&rows),
                self.customer,
                self.time,
                self.value,
                self.identified,
                self.kept_type.as_ref().map(|k| format!("\n  AND {k}")).unwrap_or_default(),
            ),
        }
    }
}

/// `sql` indented by two spaces, line by line.
fn indent(sql: &str) -> String {
    sql.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

/// `--max-touches` and the path transforms, as steps after `mta_kept`;
/// returns the name of the last step.
fn trimmed_and_transformed(spec: &SqlSpec, steps: &mut Vec<Step>) -> String {
    let cfg = &spec.journeys;
    let mut last = "mta_kept".to_string();
    if let Some(max) = cfg.max_touches {
        steps.push(Step {
            name: "mta_trimmed".into(),
            rule: format!("The last {max} touches of each journey (`--max-touches`)."),
            body: format!(
                "SELECT customer_id, journey, seq, t, channel, converts, converted_at, value\nFROM (\n  SELECT k.*, ROW_NUMBER() OVER (PARTITION BY customer_id, journey ORDER BY seq DESC) AS from_end\n  FROM mta_kept AS k\n) AS r\nWHERE from_end <= {max}"
            ),
        });
        last = "mta_trimmed".to_string();
    }
    for (k, t) in cfg.transforms.iter().enumerate() {
        if let Some(step) = transform(spec.dialect, t, &last, k + 1) {
            last = step.name.clone();
            steps.push(step);
        }
    }
    last
}

/// `--output paths`: journeys joined into paths, summed (`mta paths`'
/// columns); the result in words and the final SELECT.
fn paths_result(d: Dialect, steps: &mut Vec<Step>, last: &str) -> (String, String) {
    steps.push(Step {
        name: "mta_paths".into(),
        rule: "Each journey's channels joined by ` > ` in order; a conversion left without touches is unattributed and has no path.".into(),
        body: format!(
            "SELECT\n  customer_id,\n  journey,\n  {} AS path,\n  MAX(converts) AS converts,\n  MAX(value) AS value\nFROM {last}\nGROUP BY customer_id, journey",
            d.string_agg("channel", " > ", "seq")
        ),
    });
    (
        "Journeys with the same path summed: conversions, their revenue, and journeys without a conversion (`mta paths`' columns).".into(),
        format!(
            "SELECT\n  path,\n  SUM(converts) AS total_conversions,\n  SUM(value) AS total_conversion_value,\n  SUM(1 - converts) AS total_null\nFROM mta_paths\nGROUP BY path\nORDER BY {}",
            d.bytewise("path")
        ),
    )
}

/// `--output transitions`: the Markov chain of `--markov-order K`.
fn transitions_result(spec: &SqlSpec, steps: &mut Vec<Step>, last: &str) -> Result<(String, String), String> {
    let d = spec.dialect;
    let (order, keep_repeats) = match spec.model_cfg.markov.order {
        crate::model::markov::MarkovOrder::Fixed(k) => (k, spec.model_cfg.markov.keep_repeats),
        crate::model::markov::MarkovOrder::Auto => {
            return Err(
                "`--markov-order auto` chooses the order from the journeys: give the order (1 to 4) for `--output transitions`".into(),
            );
        }
    };
    transitions(d, order, keep_repeats, steps, last);
    let q = |n: &str| d.quote(n);
    Ok((
        "Walks taking the same transition summed: their count, and the revenue of those that convert from the state (`mta attribute --transitions`' columns).".into(),
        format!(
            "SELECT\n  from_state AS {},\n  to_state AS {},\n  SUM(walks) AS {},\n  SUM(value) AS {}\nFROM mta_transitions\nGROUP BY from_state, to_state\nORDER BY {}, {}",
            q("from"),
            q("to"),
            q("count"),
            q("value"),
            d.bytewise("from_state"),
            d.bytewise("to_state"),
        ),
    ))
}

/// `--output credits`: every channel under every model asked for (`mta
/// attribute --format csv`'s columns).
fn credits_result(spec: &SqlSpec, steps: &mut Vec<Step>, last: &str) -> (String, String) {
    let d = spec.dialect;
    credits(spec, steps, last, "PARTITION BY customer_id, journey");
    let models = if spec.models.is_empty() {
        sql_models()
    } else {
        spec.models.clone()
    };
    let parts: Vec<String> = models
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let base = if *m == ModelKind::Participation { "t.conversions".to_string() } else { format!("t.c_{}", index(*m)) };
            let conv = format!("COALESCE(c.c_{}, 0)", index(*m));
            format!(
                "SELECT\n  {k} AS model_order,\n  {} AS model,\n  ch.channel,\n  {conv} AS conversions,\n  COALESCE(c.v_{i}, 0) AS value,\n  CASE WHEN {base} > 0 THEN {conv} / {base} ELSE 0 END AS share\nFROM mta_channels AS ch\nLEFT JOIN mta_credited AS c ON c.channel = ch.channel\nCROSS JOIN mta_totals AS t",
                d.literal(m.name()),
                i = index(*m)
            )
        })
        .collect();
    let union = parts
        .join("\nUNION ALL\n")
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    (
        "Every channel under every model asked for: credited conversions, revenue and share of the model's conversions (participation: of all conversions), in model order, then by channel (`mta attribute --format csv`'s columns).".into(),
        format!(
            "SELECT model, channel, conversions, value, share\nFROM (\n{union}\n) AS r\nORDER BY model_order, {}",
            d.bytewise("channel")
        ),
    )
}

/// The within-period condition (`--from`/`--to`) on the epoch
/// milliseconds `col`, `None` without a period.
fn within(period: &crate::journey::Period, col: &str) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(f) = period.from_ms {
        parts.push(format!("{col} >= {f}"));
    }
    if let Some(t) = period.to_ms {
        parts.push(format!("{col} < {t}"));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// `--session-gap`: a touch that continues the visit of the touch before
/// it (same channel, less than `gap` ms after the customer's previous row,
/// touch or conversion) is no touch of its own; an inline conversion on it
/// still closes its journey, as on a touch the channel filter drops.
fn visits(gap: i64) -> Step {
    Step {
        name: "mta_visits".into(),
        rule: format!(
            "One touch per visit (`--session-gap`): a touch with the same channel as the customer's touch before it, less than {gap} ms after the customer's previous row (touch or conversion), continues that visit and is no touch of its own (is_touch 0; an inline conversion on it still closes its journey). Channels are compared before the channel filter."
        ),
        body: "SELECT
  customer_id,
  t,
  channel,
  converts,
  value,
  CASE WHEN channel <> '' AND prev_channel = channel AND t - prev_t < {gap} THEN 0 ELSE is_touch END AS is_touch,
  seq
FROM (
  SELECT
    o.*,
    LAG(t) OVER (PARTITION BY customer_id ORDER BY seq) AS prev_t,
    LAG(channel) OVER (PARTITION BY customer_id, CASE WHEN channel = '' THEN 0 ELSE 1 END ORDER BY seq) AS prev_channel
  FROM mta_ordered AS o
) AS r"
            .replace("{gap}", &gap.to_string()),
    }
}

/// `--journey-mode split`: each conversion closes the journey of the rows
/// (of the step `rows`) since the previous one; steps up to `mta_kept`.
fn split_journeys(cfg: &JourneyConfig, rows: &str, steps: &mut Vec<Step>) {
    let by_customer = "PARTITION BY customer_id";
    steps.push(Step {
        name: "mta_numbered".into(),
        rule: "Journey number of every row: the conversions before it. A conversion closes the journey of the rows since the previous one (inline: its own touch is the last); rows after the last conversion form a journey that does not convert.".into(),
        body: format!(
            "SELECT\n  o.*,\n  COALESCE(SUM(converts) OVER ({by_customer} ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS journey\nFROM {rows} AS o"
        ),
    });
    let by_journey = "PARTITION BY customer_id, journey";
    steps.push(Step {
        name: "mta_journeys".into(),
        rule: "Every row with its journey's figures (window aggregates, no join): whether the journey converts, when, its revenue, and its last touch.".into(),
        body: format!(
            "SELECT\n  n.*,\n  MAX(converts) OVER ({by_journey}) AS j_converts,\n  MAX(CASE WHEN converts = 1 THEN t END) OVER ({by_journey}) AS converted_at,\n  SUM(CASE WHEN converts = 1 THEN value ELSE 0 END) OVER ({by_journey}) AS j_value,\n  MAX(CASE WHEN is_touch = 1 THEN t END) OVER ({by_journey}) AS last_touch\nFROM mta_numbered AS n"
        ),
    });
    let mut conditions = vec!["is_touch = 1".to_string()];
    let mut rules = vec!["The touches of each journey".to_string()];
    if let (Some(converted), Some(last)) = (within(&cfg.period, "converted_at"), within(&cfg.period, "last_touch")) {
        conditions.push(format!("((j_converts = 1 AND {converted}) OR (j_converts = 0 AND {last}))"));
        rules.push("of journeys in the analysis period (`--from`/`--to`: a converting journey by its conversion time, another by its last touch; earlier touches still count)".into());
    }
    if let Some(l) = cfg.lookback_ms {
        conditions.push(format!("(j_converts = 0 OR converted_at - t <= {l})"));
        rules.push(format!("within the lookback ({l} ms) before the conversion"));
    }
    steps.push(Step {
        name: "mta_kept".into(),
        rule: format!("{}; each carries its journey's conversion and revenue.", rules.join(", ")),
        body: format!(
            "SELECT\n  customer_id,\n  journey,\n  seq,\n  t,\n  channel,\n  j_converts AS converts,\n  converted_at,\n  j_value AS value\nFROM mta_journeys\nWHERE {}",
            conditions.join("\n  AND ")
        ),
    });
}

/// `--journey-mode window`: each conversion's journey is every touch at or
/// before it within the lookback, earlier conversions or not (the paths of
/// fractribution and Snowplow), from the step `rows`; steps up to `mta_kept`.
fn window_journeys(d: Dialect, cfg: &JourneyConfig, rows: &str, steps: &mut Vec<Step>) -> Result<(), String> {
    let Some(lookback) = cfg.lookback_ms else {
        return Err("`--journey-mode window` needs `--lookback`".into());
    };
    let by_customer = "PARTITION BY customer_id";
    let in_period = |col: &str| within(&cfg.period, col).unwrap_or_else(|| "1 = 1".into());
    steps.push(Step {
        name: "mta_customers".into(),
        rule: "Every row with its customer's figures: whether it is a conversion in the analysis period (`--from`/`--to`; any conversion without them), whether the customer has one, and the last touch the channel filter keeps. (One flag for the conversions that close journeys keeps the planners' row estimates sane.)".into(),
        body: format!(
            "SELECT\n  r.*,\n  MAX(closes) OVER ({by_customer}) AS converted_in_period\nFROM (\n  SELECT\n    o.*,\n    CASE WHEN converts = 1 AND {} THEN 1 ELSE 0 END AS closes,\n    MAX(CASE WHEN is_touch = 1 THEN t END) OVER ({by_customer}) AS last_touch\n  FROM {rows} AS o\n) AS r",
            in_period("t")
        ),
    });
    steps.push(Step {
        name: "mta_kept".into(),
        rule: format!("`--journey-mode window`: each conversion in the period gets a journey of its own (numbered by its row), every touch at or before it (inline: up to its own touch) within the lookback ({lookback} ms), not cut at earlier conversions; a customer without a conversion in the period has one journey that does not convert (numbered 0), the touches within the lookback before the last touch, if that touch is in the period."),
        body: format!(
            "SELECT\n  c.customer_id,\n  c.seq AS journey,\n  o.seq,\n  o.t,\n  o.channel,\n  1 AS converts,\n  c.t AS converted_at,\n  c.value\nFROM mta_customers AS c\nJOIN mta_customers AS o\n  ON o.customer_id = c.customer_id\n  AND o.is_touch = 1\n  AND o.seq <= c.seq\n  AND c.t - o.t <= {lookback}\nWHERE c.closes = 1\nUNION ALL\nSELECT\n  customer_id,\n  0,\n  seq,\n  t,\n  channel,\n  0,\n  NULL,\n  {zero}\nFROM mta_customers\nWHERE converted_in_period = 0\n  AND is_touch = 1\n  AND last_touch - t <= {lookback}\n  AND {}",
            in_period("last_touch"),
            zero = double(d, 0.0),
        ),
    });
    Ok(())
}

/// The step of one path transform (`None` for `unique`), on the touches of
/// `last`; fractribution's and Snowplow's semantics, as mta applies them.
fn transform(d: Dialect, t: &PathTransform, last: &str, k: usize) -> Option<Step> {
    let by_journey = "PARTITION BY customer_id, journey";
    let cols = "customer_id, journey, seq, t, channel, converts, converted_at, value";
    let set = |names: &[String]| d.literals(names);
    let (rule, inner, keep) = match t {
        PathTransform::Unique => return None,
        PathTransform::Exposure => (
            "`--path-transform exposure`: consecutive touches of the same channel become the first of them.".to_string(),
            format!("LAG(channel) OVER ({by_journey} ORDER BY seq) AS previous"),
            "previous IS NULL OR previous <> channel".to_string(),
        ),
        PathTransform::First => (
            "`--path-transform first`: only each channel's first touch in the journey.".to_string(),
            "ROW_NUMBER() OVER (PARTITION BY customer_id, journey, channel ORDER BY seq) AS nth".to_string(),
            "nth = 1".to_string(),
        ),
        PathTransform::RemoveIfNotAll(names) => (
            format!(
                "`--path-transform remove-if-not-all`: every touch of {} dropped, unless the journey has only such touches.",
                names.join(", ")
            ),
            format!(
                "SUM(CASE WHEN channel IN ({}) THEN 0 ELSE 1 END) OVER ({by_journey}) AS others",
                set(names)
            ),
            format!("others = 0 OR channel NOT IN ({})", set(names)),
        ),
        PathTransform::RemoveIfLastAndNotAll(names) => (
            format!(
                "`--path-transform remove-if-last-and-not-all`: the trailing run of touches of {} dropped, unless the journey has only such touches.",
                names.join(", ")
            ),
            format!(
                "MAX(CASE WHEN channel IN ({}) THEN NULL ELSE seq END) OVER ({by_journey}) AS last_other",
                set(names)
            ),
            "last_other IS NULL OR seq <= last_other".to_string(),
        ),
    };
    Some(Step {
        name: format!("mta_transformed_{k}"),
        rule,
        body: format!("SELECT {cols}\nFROM (\n  SELECT l.*, {inner}\n  FROM {last} AS l\n) AS r\nWHERE {keep}"),
    })
}

/// The steps of `--output transitions`: each journey's walk on the chain
/// of order `order` (mta's conventions, src/model/markov.rs), then its
/// transitions.
fn transitions(d: Dialect, order: usize, keep_repeats: bool, steps: &mut Vec<Step>, last: &str) {
    let w = "PARTITION BY customer_id, journey";
    let sep = d.literal(" > ");
    let mut state = "channel".to_string();
    for k in 1..order {
        state.push_str(&format!(" || COALESCE({sep} || LEAD(channel, {k}) OVER ({w} ORDER BY seq), '')"));
    }
    let window = if order == 1 {
        "one state per touch".to_string()
    } else {
        format!(
            "a state per window of {order} consecutive touches (a journey of n >= {order} touches has n - {} of them; a shorter one is one state of all its channels)",
            order - 1
        )
    };
    steps.push(Step {
        name: "mta_states".into(),
        rule: format!("The states each journey walks through at `--markov-order {order}`: {window}, named by its channels joined by ` > `."),
        body: format!(
            "SELECT customer_id, journey, i, state, converts, value\nFROM (\n  SELECT\n    customer_id,\n    journey,\n    converts,\n    value,\n    ROW_NUMBER() OVER ({w} ORDER BY seq) AS i,\n    COUNT(*) OVER ({w}) AS n,\n    {state} AS state\n  FROM {last}\n) AS r\nWHERE i <= GREATEST(n - {}, 1)",
            order - 1
        ),
    });
    let mut walk = "mta_states".to_string();
    if !keep_repeats {
        steps.push(Step {
            name: "mta_walks".into(),
            rule: "Consecutive identical states collapsed into one, as the reference tool does (no self-loops; `--keep-repeats` keeps them).".into(),
            body: format!(
                "SELECT customer_id, journey, i, state, converts, value\nFROM (\n  SELECT s.*, LAG(state) OVER ({w} ORDER BY i) AS previous\n  FROM mta_states AS s\n) AS r\nWHERE previous IS NULL OR previous <> state"
            ),
        });
        walk = "mta_walks".into();
    }
    let (conversion, null, start) = (d.literal("(conversion)"), d.literal("(null)"), d.literal("(start)"));
    let zero = double(d, 0.0);
    steps.push(Step {
        name: "mta_steps".into(),
        rule: "Each state of a walk with the next one (none after the last).".into(),
        body: format!(
            "SELECT\n  state,\n  LEAD(state) OVER ({w} ORDER BY i) AS next_state,\n  ROW_NUMBER() OVER ({w} ORDER BY i) AS k,\n  converts,\n  value\nFROM {walk}"
        ),
    });
    steps.push(Step {
        name: "mta_transitions".into(),
        rule: "Every transition a journey's walk takes, once per journey: `(start)` to its first state, state to state, and its last state to `(conversion)` (with the journey's revenue) or `(null)`.".into(),
        body: format!(
            "SELECT {start} AS from_state, state AS to_state, 1 AS walks, {zero} AS value\nFROM mta_steps\nWHERE k = 1\nUNION ALL\nSELECT\n  state,\n  COALESCE(next_state, CASE WHEN converts = 1 THEN {conversion} ELSE {null} END),\n  1,\n  CASE WHEN next_state IS NULL AND converts = 1 THEN value ELSE {zero} END\nFROM mta_steps"
        ),
    });
}

/// The column suffix of a model's weights.
fn index(m: ModelKind) -> usize {
    sql_models().iter().position(|k| *k == m).expect("only SQL models get weights")
}

/// The steps of `--output credits`: positions, each model's weight of
/// every touch, credits per channel, totals.
fn credits(spec: &SqlSpec, steps: &mut Vec<Step>, last: &str, by_journey: &str) {
    let d = spec.dialect;
    let cfg = &spec.model_cfg;
    let direct = d.literal(&cfg.direct_channel.to_lowercase());
    steps.push(Step {
        name: "mta_positioned".into(),
        rule: "Touches of converting journeys with their position (i of n), the position of the last touch not on the direct channel, the time to conversion of the youngest touch, and whether the touch is its channel's first in the journey.".into(),
        body: format!(
            "SELECT\n  l.*,\n  ROW_NUMBER() OVER ({by_journey} ORDER BY seq) AS i,\n  COUNT(*) OVER ({by_journey}) AS n,\n  MAX(CASE WHEN LOWER(channel) <> {direct} THEN seq END) OVER ({by_journey}) AS last_non_direct,\n  MIN(converted_at - t) OVER ({by_journey}) AS youngest,\n  ROW_NUMBER() OVER (PARTITION BY customer_id, journey, channel ORDER BY seq) AS nth_of_channel\nFROM {last} AS l\nWHERE converts = 1"
        ),
    });
    let shape = |[first, middle, last]: [f64; 3]| {
        let ends = first + last;
        let (a, b) = if ends > 0.0 { (first / ends, last / ends) } else { (0.5, 0.5) };
        format!(
            "CASE WHEN n = 1 THEN {one} WHEN n = 2 THEN (CASE WHEN i = 1 THEN {} ELSE {} END) WHEN i = 1 THEN {} WHEN i = n THEN {} ELSE {} / (n - 2) END",
            double(d, a),
            double(d, b),
            double(d, first),
            double(d, last),
            double(d, middle),
            one = double(d, 1.0),
        )
    };
    let (one, zero) = (double(d, 1.0), double(d, 0.0));
    let weight = |m: ModelKind| -> String {
        match m {
            ModelKind::FirstClick => format!("CASE WHEN i = 1 THEN {one} ELSE {zero} END"),
            ModelKind::LastClick => format!("CASE WHEN i = n THEN {one} ELSE {zero} END"),
            ModelKind::LastNonDirect => {
                format!("CASE WHEN seq = COALESCE(last_non_direct, MAX(seq) OVER ({by_journey})) THEN {one} ELSE {zero} END")
            }
            ModelKind::Linear => format!("{one} / n"),
            ModelKind::PositionBased => shape(cfg.position_weights),
            ModelKind::JShaped => shape([0.2, 0.2, 0.6]),
            ModelKind::InverseJ => shape([0.6, 0.2, 0.2]),
            ModelKind::TimeDecay => format!(
                "POWER({two}, -CAST(converted_at - t - youngest AS {dbl}) / {half}) / SUM(POWER({two}, -CAST(converted_at - t - youngest AS {dbl}) / {half})) OVER ({by_journey})",
                two = double(d, 2.0),
                dbl = d.double(),
                half = double(d, cfg.half_life_ms),
            ),
            ModelKind::Participation => format!("CASE WHEN nth_of_channel = 1 THEN {one} ELSE {zero} END"),
            ModelKind::Markov | ModelKind::Shapley | ModelKind::DataDriven | ModelKind::WShaped | ModelKind::FullPath => {
                unreachable!("refused above")
            }
        }
    };
    let all = sql_models();
    let weights: Vec<String> = all.iter().enumerate().map(|(k, &m)| format!("  {} AS w_{k}", weight(m))).collect();
    steps.push(Step {
        name: "mta_weights".into(),
        rule: format!(
            "Each model's share of a journey's conversion for each touch (README, \"Models and their conventions\"): first-click, last-click, last-non-direct (direct = `{}`), linear, position-based {:?}, J-shaped [0.2, 0.2, 0.6], inverse J [0.6, 0.2, 0.2], time-decay (half-life {} ms, relative to the youngest touch), participation (each channel's first touch).",
            cfg.direct_channel, cfg.position_weights, cfg.half_life_ms
        ),
        body: format!("SELECT\n  channel,\n  value,\n{}\nFROM mta_positioned", weights.join(",\n")),
    });
    let sums: Vec<String> = (0..all.len())
        .map(|k| format!("  SUM(w_{k}) AS c_{k},\n  SUM(w_{k} * value) AS v_{k}"))
        .collect();
    steps.push(Step {
        name: "mta_credited".into(),
        rule: "Credits per channel: the weights summed, and weighted by each journey's revenue.".into(),
        body: format!("SELECT\n  channel,\n{}\nFROM mta_weights\nGROUP BY channel", sums.join(",\n")),
    });
    let totals: Vec<String> = (0..all.len()).map(|k| format!("  SUM(c_{k}) AS c_{k}")).collect();
    steps.push(Step {
        name: "mta_totals".into(),
        rule: "Each model's credited conversions, and the attributed conversions (journeys with a touch), the bases of the shares.".into(),
        body: format!(
            "SELECT\n{},\n  (SELECT COUNT(*) FROM mta_positioned WHERE i = 1) AS conversions\nFROM mta_credited",
            totals.join(",\n")
        ),
    });
    steps.push(Step {
        name: "mta_channels".into(),
        rule: "Every channel of the touches the channel filter keeps, credited or not.".into(),
        body: "SELECT DISTINCT channel\nFROM mta_events\nWHERE is_touch = 1".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(output: SqlOutput) -> SqlSpec {
        SqlSpec {
            dialect: Dialect::Duckdb,
            table: "events".into(),
            conversions_table: None,
            columns: Columns {
                customer: "customer_id".into(),
                time: "timestamp".into(),
                channel: "channel".into(),
                conversion: "conversion".into(),
                value: Some("value".into()),
            },
            time: TimeColumn::Timestamp(crate::input::Zone::Utc),
            rules: None,
            ga4: None,
            types: TypeRules::default(),
            journeys: JourneyConfig::default(),
            output,
            models: Vec::new(),
            model_cfg: ModelConfig::default(),
        }
    }

    #[test]
    fn steps_render_as_commented_ctes_and_explain_in_words() {
        let q = query(&spec(SqlOutput::Paths)).unwrap();
        let sql = q.render();
        let names: Vec<&str> = q.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["mta_events", "mta_ordered", "mta_numbered", "mta_journeys", "mta_kept", "mta_paths"]
        );
        assert!(sql.starts_with("-- mta sql (mta "), "{sql}");
        for name in names {
            assert_eq!(sql.matches(&format!("\n{name} AS (\n")).count(), 1, "{name}");
        }
        assert!(sql.ends_with("ORDER BY path;\n"), "{sql}");
        assert_eq!(sql.matches("WITH\n").count(), 1);
        let explain = q.explain();
        assert!(
            explain.contains(" 2. mta_ordered: Each customer's rows in mta's order"),
            "{explain}"
        );
        assert!(explain.contains(" 7. result: "), "{explain}");
    }

    #[test]
    fn journey_rules_add_steps_or_conditions() {
        let mut s = spec(SqlOutput::Paths);
        s.journeys.max_touches = Some(3);
        s.journeys.lookback_ms = Some(86_400_000);
        s.journeys.period.from_ms = Some(1000);
        let sql = query(&s).unwrap().render();
        assert!(sql.contains("WHERE from_end <= 3"), "{sql}");
        assert!(sql.contains("(j_converts = 0 OR converted_at - t <= 86400000)"), "{sql}");
        assert!(
            sql.contains("((j_converts = 1 AND converted_at >= 1000) OR (j_converts = 0 AND last_touch >= 1000))"),
            "{sql}"
        );
        s.journeys.mode = JourneyMode::Window;
        let window = query(&s).unwrap().render();
        // Each conversion's own lookback, touches up to it, not cut at earlier conversions.
        assert!(window.contains("AND o.seq <= c.seq\n    AND c.t - o.t <= 86400000"), "{window}");
        assert!(
            window.contains("CASE WHEN converts = 1 AND t >= 1000 THEN 1 ELSE 0 END AS closes"),
            "{window}"
        );
        assert!(window.contains("WHERE c.closes = 1"), "{window}");
        assert!(
            window.contains("AND last_touch - t <= 86400000\n    AND last_touch >= 1000"),
            "{window}"
        );
        assert!(!window.contains("mta_numbered"), "{window}");
        s.journeys.lookback_ms = None;
        assert!(query(&s).unwrap_err().contains("needs `--lookback`"));
    }

    #[test]
    fn credits_refuse_the_models_that_need_mta() {
        let mut s = spec(SqlOutput::Credits);
        s.models = vec![ModelKind::Linear, ModelKind::Shapley];
        assert!(query(&s).unwrap_err().contains("model `shapley` needs mta's solver"));
        s.models = vec![ModelKind::Linear];
        let sql = query(&s).unwrap().render();
        assert!(sql.contains("'linear' AS model"), "{sql}");
        assert!(!sql.contains("'first-click' AS model"), "{sql}");
    }

    #[test]
    fn text_wraps_at_word_boundaries() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("", 5), Vec::<String>::new());
    }
}
