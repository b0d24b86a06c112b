//! The HTML report: one self-contained page (inline CSS, SVG and a few lines
//! of JS, nothing fetched from the network) with the input summary, the
//! credit of every channel under every model as charts and a sortable table,
//! the models' disagreement, and, when given, journey and Markov details.
//!
//! Like every exporter it formats and never computes: shares and ranks come
//! from [`crate::report`]; journey figures from
//! [`crate::report::overview::JourneyOverview`]. Every string from the data
//! (channels, paths, file names, parameters) goes through [`escape`].

mod assets;
mod lang;

pub use lang::Lang;

use std::fmt::Write as _;
use std::io::{self, Write};

use super::table::{count, fixed};
use crate::report::Report;
use crate::report::cross_model::{ChannelComparison, by_disagreement};
use crate::report::markov::{CONVERSION, MarkovReport, NULL, START};
use crate::report::overview::{Bucket, JourneyOverview};
use crate::report::periods::ChannelShares;
use lang::t;

/// Longest in-cell bar of the top-paths table, in CSS pixels.
const INBAR_WIDTH: f64 = 80.0;

/// The most frequent Markov states shown in the transition heatmap.
pub const MAX_MARKOV_STATES: usize = 30;

/// Appends formatted text to a `String` (which cannot fail).
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {
        let _ = write!($dst, $($arg)*);
    };
}

/// What the page shows besides the [`Report`]: `attribute --format html` has
/// only the report; `mta report` adds journey figures and Markov details.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Top paths and histograms.
    pub overview: Option<&'a JourneyOverview>,
    /// Removal effects and transitions, when the Markov model ran.
    pub markov: Option<&'a MarkovReport>,
    /// With `--costs` in `mta report`: the proposed reallocation of one model.
    pub budget: Option<&'a [crate::report::budget::BudgetRow]>,
    /// Each channel's reach, roles and timing (`mta report`).
    pub scorecard: Option<&'a [crate::report::scorecard::ScoreRow]>,
    /// `mta report --by day|week|month`: the data-driven model's shares per period.
    pub over_time: Option<&'a crate::report::periods::ShareOverTime>,
    /// `mta report --by conversion-type`: each stage's credits and cost.
    pub funnel: Option<&'a crate::report::funnel::Funnel>,
    /// `mta report --truth`: every model scored against the truth, best first.
    pub evaluation: Option<&'a [crate::report::evaluate::Score]>,
    /// `mta report --lang`: the language of headings, labels, numbers and dates.
    pub lang: Lang,
}

/// Writes the HTML report, with whatever [`Extras`] it was given.
pub fn write(report: &Report, extras: Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report, extras).as_bytes())
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s`, with an ellipsis when cut (for SVG labels; the full text goes in a tooltip).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn pct(x: f64) -> String {
    match lang::current() {
        Lang::En => format!("{}%", lang::number(x * 100.0, 1)),
        Lang::De => format!("{} %", lang::number(x * 100.0, 1)),
    }
}

/// `x` with `places` decimals and thousands separators, in the page's language.
fn num(x: f64, places: usize) -> String {
    lang::number(x, places)
}

/// A row's label, right-aligned at `x`: `name` cut to `max` characters,
/// the whole name as its tooltip.
fn row_label(s: &mut String, x: f64, y: f64, name: &str, max: usize) {
    w!(
        s,
        "<text class=\"label\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\"><title>{}</title>{}</text>\n",
        escape(name),
        escape(&clip(name, max))
    );
}

/// A round axis step giving about five ticks up to `max`.
fn nice_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let k = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    k * mag
}

/// The colour class of a model: one per model, the same in every report
/// whatever else ran. The 8 Okabe-Ito colours go to the models read most
/// (the data-driven ones first, so that Markov's and Shapley's bars are
/// solid), the rest get the same colours hatched.
fn model_class(kind: crate::model::ModelKind) -> String {
    use crate::model::ModelKind as K;
    const SLOTS: [K; 14] = [
        K::Markov,
        K::Shapley,
        K::DataDriven,
        K::LastClick,
        K::FirstClick,
        K::Linear,
        K::PositionBased,
        K::TimeDecay,
        K::LastNonDirect,
        K::JShaped,
        K::InverseJ,
        K::Participation,
        K::WShaped,
        K::FullPath,
    ];
    let i = SLOTS.iter().position(|&k| k == kind).unwrap_or(SLOTS.len() - 1);
    if i < 8 { format!("m{i}") } else { format!("m{i} h{}", i % 8) }
}

/// Reads one figure off a credit.
type Of = fn(&crate::report::ChannelCredit) -> f64;

/// The figures a credit chart shows: name, and how to read it off a credit.
const FIGURES: [(&str, Of); 2] = [("conversions", |c| c.conversions), ("value", |c| c.value)];

/// The whole page.
pub fn render(report: &Report, extras: Extras<'_>) -> String {
    let _lang = lang::scope(extras.lang);
    let mut s = String::with_capacity(64 * 1024);
    w!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"mta {v}\">\n<title>{heading}: {title}</title>\n<style>{css}</style>\n</head>\n<body>\n",
        v = env!("CARGO_PKG_VERSION"),
        code = extras.lang.code(),
        heading = t("title"),
        title = escape(&report.input.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")),
        css = assets::CSS,
    );
    s.push_str(assets::PATTERNS);
    header(&mut s, report, &extras);
    s.push_str("<main>\n");
    summary_section(&mut s, report, &extras);
    credit_section(&mut s, report);
    disagreement_section(&mut s, report, report.comparison.as_deref().unwrap_or_default());
    if let Some(scores) = extras.evaluation {
        evaluation_section(&mut s, scores);
    }
    if report.input.costs.is_some() {
        spend_section(&mut s, report, extras.budget);
    }
    if let Some(shares) = extras.over_time {
        over_time_section(&mut s, shares);
    }
    if let Some(funnel) = extras.funnel {
        funnel_section(&mut s, funnel);
    }
    if let Some(rows) = extras.scorecard {
        roles_section(&mut s, rows);
    }
    journeys_section(&mut s, extras.overview);
    if let Some(m) = extras.markov {
        markov_section(&mut s, m);
    }
    w!(
        s,
        "</main>\n<footer>{} <strong>mta {}</strong>. Self-contained: no network requests. Charts use the Okabe-Ito colour-blind safe palette.</footer>\n<script>{}</script>\n</body>\n</html>\n",
        t("generated"),
        env!("CARGO_PKG_VERSION"),
        assets::JS
    );
    lang::localize(s)
}

fn header(s: &mut String, report: &Report, extras: &Extras<'_>) {
    let i = &report.input;
    w!(s, "<header>\n<h1>{}</h1>\n<p class=\"sub\">", t("title"));
    let files: Vec<String> = i
        .files
        .iter()
        .map(|f| format!("<code>{}</code> ({} rows)", escape(&f.name), num(f.rows as f64, 0)))
        .collect();
    w!(
        s,
        "{} input: {} · mta {}</p>\n<dl class=\"summary\">\n",
        escape(i.kind),
        if files.is_empty() { "none".to_string() } else { files.join(", ") },
        env!("CARGO_PKG_VERSION")
    );
    summary_cards(s, i);
    s.push_str("</dl>\n");
    if !report.warnings.is_empty() {
        s.push_str("<ul class=\"warnings\">");
        for wn in &report.warnings {
            w!(s, "<li>warning: {}</li>", escape(wn));
        }
        s.push_str("</ul>\n");
    }
    models_and_parameters(s, report);
    nav(s, report, extras);
}

/// The summary's cards: rows, customers, journeys, conversions, revenue,
/// spend, dates and what the journey rules dropped.
fn summary_cards(s: &mut String, i: &crate::report::InputSummary) {
    let item = |s: &mut String, k: &str, v: String| {
        w!(s, "<div><dt>{k}</dt><dd>{v}</dd></div>\n");
    };
    let paths = i.built.distinct_paths.is_some();
    item(s, if paths { "path rows read" } else { "rows read" }, num(i.rows_read as f64, 0));
    if i.rows_skipped > 0 {
        let reasons: Vec<String> = i
            .skipped_by_reason
            .iter()
            .map(|(k, n)| format!("{} {}", num(*n as f64, 0), escape(k)))
            .collect();
        item(
            s,
            "rows skipped",
            format!("{} ({})", num(i.rows_skipped as f64, 0), reasons.join(", ")),
        );
    }
    if let Some(c) = i.built.customers {
        item(s, "customers", num(c as f64, 0));
    }
    if let Some(n) = i.built.distinct_paths {
        item(s, "distinct paths", num(n as f64, 0));
    }
    item(s, "journeys", count(i.built.journeys));
    item(s, "converting journeys", count(i.built.converting_journeys));
    item(s, "conversions", count(i.built.conversions));
    item(s, "revenue", num(i.built.revenue, 2));
    item(
        s,
        "unattributed conversions",
        format!(
            "{} <small>(revenue {})</small>",
            num(i.built.unattributed_conversions as f64, 0),
            num(i.built.unattributed_value, 2)
        ),
    );
    if let Some(c) = &i.costs {
        let or_dash = |x: Option<f64>| x.map_or("–".to_string(), |x| num(x, 2));
        item(s, "total spend", num(c.total_spend, 2));
        item(s, "blended CPA", or_dash(c.blended_cpa));
        item(s, "blended ROAS", or_dash(c.blended_roas));
    }
    if let (Some(a), Some(b)) = (i.times.first_touch, i.times.last_touch) {
        let short = |ms: i64| {
            escape(&lang::date(
                &crate::input::time::format_ms(ms).replacen('T', " ", 1).replace('Z', " UTC"),
            ))
        };
        w!(
            s,
            "<div class=\"wide\"><dt>date range (first to last touch)</dt><dd>{} – {}</dd></div>\n",
            short(a),
            short(b)
        );
    }
    if i.built.dropped_by_lookback > 0 {
        item(s, "dropped by lookback", num(i.built.dropped_by_lookback as f64, 0));
    }
    if i.built.dropped_by_max_touches > 0 {
        item(s, "dropped by max-touches", num(i.built.dropped_by_max_touches as f64, 0));
    }
    if i.built.dropped_by_transforms > 0 {
        item(s, "dropped by path transforms", num(i.built.dropped_by_transforms as f64, 0));
    }
    if i.built.dropped_by_channel_filter > 0 {
        item(s, "dropped by channel filter", num(i.built.dropped_by_channel_filter as f64, 0));
    }
    if let Some(p) = &i.outside_period {
        item(
            s,
            "journeys outside --from/--to",
            format!(
                "{} <small>({} conversions, revenue {})</small>",
                num(p.journeys as f64, 0),
                num(p.conversions as f64, 0),
                num(p.revenue, 2)
            ),
        );
    }
}

/// Each model (in its colour) with its parameters, folded.
fn models_and_parameters(s: &mut String, report: &Report) {
    s.push_str("<details class=\"params\"><summary>Models and parameters</summary>\n<ul>");
    for m in &report.models {
        let params: Vec<String> = m
            .parameters
            .iter()
            .map(|(name, p)| format!("{} = <code>{}</code>", escape(name), escape(&param_text(p))))
            .collect();
        w!(
            s,
            "<li><span class=\"sw {}\"></span><strong>{}</strong>{}</li>",
            model_class(m.model),
            escape(m.model.name()),
            if params.is_empty() {
                String::new()
            } else {
                format!(": {}", params.join(", "))
            }
        );
    }
    s.push_str("</ul></details>\n</header>\n");
}

/// The links to the sections the page has.
fn nav(s: &mut String, report: &Report, extras: &Extras<'_>) {
    let link = |s: &mut String, id: &str, key: &str| {
        w!(s, "<a href=\"#{id}\">{}</a>", t(key));
    };
    s.push_str("<nav>");
    link(s, "summary", "nav_summary");
    link(s, "credit", "nav_credit");
    link(s, "disagreement", "nav_disagreement");
    if report.input.costs.is_some() {
        link(s, "spend", "nav_spend");
    }
    if extras.over_time.is_some() {
        link(s, "over-time", "nav_over_time");
    }
    if extras.funnel.is_some() {
        link(s, "funnel", "nav_funnel");
    }
    if extras.evaluation.is_some() {
        link(s, "evaluation", "nav_evaluation");
    }
    if extras.scorecard.is_some() {
        link(s, "roles", "nav_roles");
    }
    link(s, "journeys", "nav_journeys");
    s.push_str("</nav>\n");
}

fn param_text(p: &crate::model::Parameter) -> String {
    use crate::model::Parameter;
    match p {
        Parameter::Number(x) => format!("{x}"),
        Parameter::Numbers(xs) => xs.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", "),
        Parameter::Text(t) => t.clone(),
    }
}

fn legend(s: &mut String, report: &Report) {
    s.push_str("<ul class=\"legend\">");
    for m in &report.models {
        w!(
            s,
            "<li><span class=\"sw {}\"></span>{}</li>",
            model_class(m.model),
            escape(m.model.name())
        );
    }
    s.push_str("</ul>\n");
}

/// The first section: the findings that matter, each linking to the
/// section that backs it (see [`crate::report::findings`]).
fn summary_section(s: &mut String, report: &Report, extras: &Extras<'_>) {
    use crate::report::findings::Finding;
    let findings = crate::report::findings::findings(report, extras.budget);
    w!(s, "<section id=\"summary\">\n<h2>{}</h2>\n<ul class=\"findings\">\n", t("summary"));
    for f in &findings {
        match f {
            Finding::Funding {
                channel,
                change,
                interval,
                robust,
            } => {
                let verb = if *change > 0.0 { t("raise") } else { t("cut") };
                let interval = interval.map_or_else(String::new, |(lo, hi)| {
                    format!(" ({} {} {} {})", t("interval_95"), num(lo, 2), t("to"), num(hi, 2))
                });
                let robust = match robust {
                    Some("increase" | "decrease") => format!(" {}", t("robust_yes")),
                    Some(_) => format!(" {}", t("robust_no")),
                    None => String::new(),
                };
                w!(
                    s,
                    "<li>{verb} <strong>{}</strong>{} {}{interval}: {}{robust} <a href=\"#spend\">{}</a></li>\n",
                    escape(channel),
                    t("spend_by"),
                    num(change.abs(), 2),
                    t("every_model"),
                    t("spend")
                );
            }
            Finding::Disagreement { channel, low, high } => {
                w!(
                    s,
                    "<li>{} <strong>{}</strong>: {} {} {} {} {} {} {}. <a href=\"#disagreement\">{}</a></li>\n",
                    t("disagree_on"),
                    escape(channel),
                    pct(low.1),
                    t("of_conversions_under"),
                    low.0.name(),
                    t("to"),
                    pct(high.1),
                    t("under"),
                    high.0.name(),
                    t("disagreement")
                );
            }
            Finding::AiAssistants { channel, model, share } => {
                w!(
                    s,
                    "<li><strong>{}</strong> {} {} {} {}. <a href=\"#credit\">{}</a></li>\n",
                    escape(channel),
                    t("ai_earns"),
                    pct(*share),
                    t("of_conversions_under"),
                    model.name(),
                    t("credit")
                );
            }
            Finding::Held { channels } => {
                let list: Vec<String> = channels.iter().map(|c| escape(c)).collect();
                w!(
                    s,
                    "<li>{} {}. <a href=\"#spend\">{}</a></li>\n",
                    t("held"),
                    list.join(", "),
                    t("spend")
                );
            }
        }
    }
    if findings.is_empty() {
        let key = if report.input.costs.is_some() {
            "no_finding_costs"
        } else {
            "no_finding"
        };
        w!(s, "<li>{}</li>\n", t(key));
    }
    s.push_str("</ul>\n</section>\n");
}

fn credit_section(s: &mut String, report: &Report) {
    let participation = report.models.len() > 1 && report.models.iter().any(|m| m.model == crate::model::ModelKind::Participation);
    w!(
        s,
        "<section id=\"credit\">\n<h2>Channel credit by model</h2>\n\
         <p class=\"note\">Bars within a channel follow the legend order; hover a bar for its figure.{}</p>\n",
        if participation {
            " The axis is the other models': participation credits every channel in full, and its bars past the axis are cut at the edge (outlined; the figure is whole)."
        } else {
            ""
        }
    );
    s.push_str(
        "<fieldset class=\"toggle\"><legend>Show</legend>\
         <label><input type=\"radio\" name=\"metric\" id=\"show-conversions\" checked> conversions</label>\
         <label><input type=\"radio\" name=\"metric\" id=\"show-value\"> value</label>\
         <label><input type=\"radio\" name=\"metric\" id=\"show-both\"> side by side</label></fieldset>\n",
    );
    legend(s, report);
    s.push_str("<div class=\"charts\">\n");
    for (name, of) in FIGURES {
        w!(
            s,
            "<figure class=\"chart metric-{name}\"><figcaption>Credited {name}</figcaption>\n"
        );
        bar_chart(s, report, name, of);
        s.push_str("</figure>\n");
    }
    s.push_str("</div>\n");
    credit_table(s, report);
    s.push_str("</section>\n");
}

/// Horizontal grouped bars: one group per channel, one bar per model.
fn bar_chart(s: &mut String, report: &Report, figure: &str, of: Of) {
    let nm = report.models.len();
    let nc = report.models.first().map_or(0, |m| m.credits.len());
    let bar_h = if nm <= 3 { 16.0 } else { 12.0 };
    let (label_w, plot_w, right, top) = (180.0, 620.0, 70.0, 24.0);
    let group_h = nm as f64 * bar_h + 12.0;
    let height = top + nc as f64 * group_h + 6.0;
    let width = label_w + plot_w + right;
    // Participation credits every channel in full: its bars would set an
    // axis that squeezes every other model's, so the axis is the others'
    // and its longer bars are cut at the edge (the figure stays whole).
    let scale_of = |m: &&crate::report::ModelReport| m.model != crate::model::ModelKind::Participation;
    let scaled = if report.models.iter().any(|m| scale_of(&m)) {
        scale_of
    } else {
        |_: &&crate::report::ModelReport| true
    };
    let max = report
        .models
        .iter()
        .filter(scaled)
        .flat_map(|m| m.credits.iter().map(of))
        .fold(0.0, f64::max);
    let step = nice_step(max);
    let axis_max = ((max / step).ceil() * step).max(step);
    let x = |v: f64| label_w + (v.clamp(0.0, axis_max) / axis_max) * plot_w;
    w!(
        s,
        "<svg class=\"bars\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"credited {figure} per channel and model\">\n"
    );
    let ticks = (axis_max / step).round() as usize;
    for t in 0..=ticks {
        let v = t as f64 * step;
        let xv = x(v);
        w!(
            s,
            "<line class=\"grid\" x1=\"{xv:.1}\" x2=\"{xv:.1}\" y1=\"{}\" y2=\"{height}\"/><text class=\"tick\" x=\"{xv:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            top - 6.0,
            top - 10.0,
            count(v)
        );
    }
    let places = 2;
    for i in 0..nc {
        let y0 = top + i as f64 * group_h;
        let name = &report.models[0].credits[i].channel;
        row_label(s, label_w - 8.0, y0 + nm as f64 * bar_h / 2.0, name, 26);
        for (k, m) in report.models.iter().enumerate() {
            let v = of(&m.credits[i]);
            let y = y0 + k as f64 * bar_h;
            let wdt = x(v) - label_w;
            let cut = if v > axis_max { " cut" } else { "" };
            w!(
                s,
                "<rect data-bar=\"{f}\" class=\"{c}{cut}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{wdt:.1}\" height=\"{h:.1}\"><title>{ch} · {model}: {val}</title></rect><text class=\"val\" x=\"{tx:.1}\" y=\"{ty:.1}\" dominant-baseline=\"middle\">{val}</text>\n",
                f = figure,
                c = model_class(m.model),
                h = bar_h - 2.0,
                ch = escape(name),
                model = m.model.name(),
                val = num(v, places),
                tx = label_w + wdt + 4.0,
                ty = y + (bar_h - 2.0) / 2.0,
            );
        }
    }
    s.push_str("</svg>\n");
}

/// Touches a path shows in full; a longer one keeps its first and last
/// two and says how many are left out between them.
const PATH_TOUCHES_SHOWN: usize = 12;

/// `A > B > ... (+41) > Y > Z` for a path of more than
/// [`PATH_TOUCHES_SHOWN`] touches (the whole path goes in the tooltip).
fn shortened_path(path: &str) -> String {
    let touches: Vec<&str> = path.split(" > ").collect();
    if touches.len() <= PATH_TOUCHES_SHOWN {
        return path.to_string();
    }
    let n = touches.len();
    format!("{} > ... (+{}) > {}", touches[..2].join(" > "), n - 4, touches[n - 2..].join(" > "))
}

/// Width of the page's content in CSS pixels (`main` is 1180 px less padding).
const CONTENT_WIDTH: f64 = 1132.0;

/// Estimated rendered width of a table column holding `chars` characters
/// (14 px tabular figures; padding included).
fn column_width(chars: usize) -> f64 {
    chars as f64 * 8.6 + 20.0
}

/// The models of each credit table: consecutive models, as evenly split as
/// fits the page, so that no column is cut off or needs scrolling (also in
/// print). Widths are estimated from the longest text of each column.
fn credit_blocks(report: &Report) -> Vec<std::ops::Range<usize>> {
    let nm = report.models.len();
    let channel = report
        .models
        .first()
        .map_or(0, |m| m.credits.iter().map(|c| c.channel.chars().count()).max().unwrap_or(0));
    let room = CONTENT_WIDTH - column_width(channel.clamp(7, 26));
    let width = |m: &crate::report::ModelReport| {
        let figures = m
            .credits
            .iter()
            .map(|c| num(c.conversions, 2).len().max(num(c.value, 2).len()))
            .max()
            .unwrap_or(0);
        let figures = figures.max(num(m.conversions, 2).len()).max(num(m.value, 2).len());
        // The header (12 px, with the colour swatch) can be the wider text.
        2.0 * column_width(figures).max(m.model.name().len() as f64 * 7.0 + 38.0)
    };
    let widths: Vec<f64> = report.models.iter().map(width).collect();
    let fits = |r: &std::ops::Range<usize>| widths[r.clone()].iter().sum::<f64>() <= room;
    // As many tables as filling each in turn needs...
    let mut greedy = Vec::new();
    let mut start = 0;
    for end in 1..=nm {
        if end - start > 1 && !fits(&(start..end)) {
            greedy.push(start..end - 1);
            start = end - 1;
        }
    }
    if start < nm {
        greedy.push(start..nm);
    }
    // ... with the models spread evenly over them when that fits too.
    let k = greedy.len().max(1);
    let even: Vec<std::ops::Range<usize>> = (0..k).map(|i| i * nm / k..(i + 1) * nm / k).collect();
    if even.iter().all(fits) { even } else { greedy }
}

/// The credit tables: one per block of models, each with the channels, the
/// models' conversions and value, and a total row (as the report computed it).
fn credit_table(s: &mut String, report: &Report) {
    let nc = report.models.first().map_or(0, |m| m.credits.len());
    for block in credit_blocks(report) {
        let models = &report.models[block.clone()];
        s.push_str("<div class=\"scroll\"><table class=\"sortable credit\">\n<thead><tr><th scope=\"col\">channel</th>");
        for m in models {
            for what in ["conversions", "value"] {
                w!(
                    s,
                    "<th scope=\"col\" class=\"num\"><span class=\"sw {}\"></span>{}<br><small>{what}</small></th>",
                    model_class(m.model),
                    escape(m.model.name())
                );
            }
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for i in 0..nc {
            w!(s, "<tr><th scope=\"row\">{}</th>", escape(&report.models[0].credits[i].channel));
            for m in models {
                let c = &m.credits[i];
                // With `--bootstrap`, each figure's 95% interval under it.
                let (conv_ci, value_ci) = c.interval.as_ref().map_or((String::new(), String::new()), |k| {
                    (
                        format!("<br><small>{} to {}</small>", num(k.conversions_lo, 2), num(k.conversions_hi, 2)),
                        format!("<br><small>{} to {}</small>", num(k.value_lo, 2), num(k.value_hi, 2)),
                    )
                });
                w!(
                    s,
                    "<td data-v=\"{}\">{}{conv_ci}</td><td data-v=\"{}\">{}{value_ci}</td>",
                    c.conversions,
                    num(c.conversions, 2),
                    c.value,
                    num(c.value, 2)
                );
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n<tfoot><tr><th scope=\"row\">total</th>");
        for m in models {
            w!(s, "<td>{}</td><td>{}</td>", num(m.conversions, 2), num(m.value, 2));
        }
        s.push_str("</tr></tfoot>\n</table></div>\n");
    }
    s.push_str("<p class=\"note\">Click a column header to sort.</p>\n");
}

/// `--costs`: ROAS of every channel under every model, spend share against
/// credited share, and (in `mta report`) the proposed reallocation.
fn spend_section(s: &mut String, report: &Report, budget: Option<&[crate::report::budget::BudgetRow]>) {
    let Some(first) = report.models.first() else { return };
    s.push_str(
        "<section id=\"spend\">\n<h2>Spend and return</h2>\n\
         <p class=\"note\">ROAS = credited revenue / spend, per model; empty without spend. With <code>--lift</code>, a tested channel's calibrated ROAS (its credit scaled to what the lift test measured) is under it. Click a column header to sort.</p>\n",
    );
    let total_spend = report.input.costs.as_ref().map_or(0.0, |c| c.total_spend);
    // As many tables as the credit tables (each has fewer columns), so
    // that nothing scrolls sideways.
    for block in credit_blocks(report) {
        s.push_str("<div class=\"scroll\"><table class=\"sortable roas\">\n<thead><tr><th scope=\"col\">channel</th><th scope=\"col\" class=\"num\">spend</th><th scope=\"col\" class=\"num\">spend share</th>");
        for m in &report.models[block.clone()] {
            w!(
                s,
                "<th scope=\"col\" class=\"num\"><span class=\"sw {}\"></span>{}<br><small>ROAS</small></th>",
                model_class(m.model),
                escape(m.model.name())
            );
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for (i, c) in first.credits.iter().enumerate() {
            let spend = c.cost.as_ref().map_or(0.0, |k| k.spend);
            let share = if total_spend > 0.0 { spend / total_spend } else { 0.0 };
            w!(
                s,
                "<tr><th scope=\"row\">{}</th><td data-v=\"{spend}\">{}</td><td data-v=\"{share}\">{}</td>",
                escape(&c.channel),
                num(spend, 2),
                pct(share)
            );
            for m in &report.models[block.clone()] {
                // With `--lift`, the calibrated ROAS under the model's own.
                let calibrated = m.credits[i]
                    .calibration
                    .as_ref()
                    .filter(|k| k.calibrated)
                    .and_then(|k| k.calibrated_roas)
                    .map_or_else(String::new, |r| format!("<br><small>calibrated {}</small>", num(r, 2)));
                let interval = m.credits[i]
                    .cost
                    .as_ref()
                    .and_then(|k| k.interval)
                    .and_then(|k| k.roas_lo.zip(k.roas_hi))
                    .map_or_else(String::new, |(lo, hi)| {
                        format!("<br><small>{} to {}</small>", num(lo, 2), num(hi, 2))
                    });
                match m.credits[i].cost.as_ref().and_then(|k| k.roas) {
                    Some(r) => {
                        w!(s, "<td data-v=\"{r}\">{}{interval}{calibrated}</td>", num(r, 2));
                    }
                    None => s.push_str("<td data-v=\"-1\"></td>"),
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table></div>\n");
    }
    spend_share_chart(s, report, total_spend);
    if let Some(rows) = budget {
        reallocation_table(s, rows);
    }
    s.push_str("</section>\n");
}

/// Spend share against credited share of the data-driven model (Markov
/// when it ran, else the first).
fn spend_share_chart(s: &mut String, report: &Report, total_spend: f64) {
    let index = report
        .models
        .iter()
        .position(|m| m.model == crate::model::ModelKind::Markov)
        .unwrap_or(0);
    let model = &report.models[index];
    let colour = model_class(model.model);
    let value: f64 = model.credits.iter().map(|c| c.value).sum();
    let (label_w, plot_w, bar_h, top) = (180.0, 620.0, 12.0, 24.0);
    let group_h = 2.0 * bar_h + 10.0;
    let height = top + model.credits.len() as f64 * group_h + 6.0;
    // Both shares over the same channels, those with journeys: spend on
    // the others (TV) is held, and named in the caption.
    let journey_spend: f64 = model.credits.iter().map(|c| c.cost.as_ref().map_or(0.0, |k| k.spend)).sum();
    let shares: Vec<(f64, f64)> = model
        .credits
        .iter()
        .map(|c| {
            let spend = c.cost.as_ref().map_or(0.0, |k| k.spend);
            let spend_share = if journey_spend > 0.0 { spend / journey_spend } else { 0.0 };
            (spend_share, if value > 0.0 { c.value / value } else { 0.0 })
        })
        .collect();
    let held = total_spend - journey_spend;
    let held_names: Vec<String> = report
        .input
        .costs
        .iter()
        .flat_map(|c| &c.spend_without_credit)
        .filter(|n| !model.credits.iter().any(|c| c.channel.eq_ignore_ascii_case(n)))
        .map(|n| escape(n))
        .collect();
    let held_text = match held > 0.005 {
        true => format!(
            "; spend on channels without journeys ({}: {}) is held and left out of the shares",
            held_names.join(", "),
            num(held, 2)
        ),
        false => String::new(),
    };
    let max = shares.iter().map(|&(a, b)| a.max(b)).fold(0.0, f64::max).max(0.01);
    w!(
        s,
        "<figure class=\"chart\"><figcaption>Spend share (grey) and share of credited revenue under {} (colour), both over the {} channels with journeys{held_text}</figcaption>\n\
         <svg class=\"bars\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"spend share and credited share per channel\">\n",
        escape(model.model.name()),
        model.credits.len(),
        label_w + plot_w + 70.0
    );
    for (i, (c, &(spend_share, credited))) in model.credits.iter().zip(&shares).enumerate() {
        let y0 = top + i as f64 * group_h;
        row_label(s, label_w - 8.0, y0 + bar_h, &c.channel, 26);
        for (k, (v, class)) in [(spend_share, "spend"), (credited, colour.as_str())].into_iter().enumerate() {
            let y = y0 + k as f64 * bar_h;
            let wdt = v / max * plot_w;
            w!(
                s,
                "<rect class=\"{class}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{wdt:.1}\" height=\"{h:.1}\"><title>{ch}: {what} {val}</title></rect><text class=\"val\" x=\"{tx:.1}\" y=\"{ty:.1}\" dominant-baseline=\"middle\">{val}</text>\n",
                h = bar_h - 2.0,
                ch = escape(&c.channel),
                what = if k == 0 { "spend share" } else { "credited share" },
                val = pct(v),
                tx = label_w + wdt + 4.0,
                ty = y + (bar_h - 2.0) / 2.0,
            );
        }
    }
    s.push_str("</svg></figure>\n");
}

/// `mta report --costs`: the proposed reallocation of one model.
fn reallocation_table(s: &mut String, rows: &[crate::report::budget::BudgetRow]) {
    let model = rows.first().map_or("", |r| r.model.name());
    w!(
        s,
        "<h3>Proposed reallocation ({})</h3>\n<p class=\"note\">Spend in proportion to credited revenue, each change within the limits of <code>mta budget</code>; \
         <em>direction</em> is unclear when the bootstrap interval spans 0; <em>models agree</em> when every model that ran points the same way \
         (the range and agreement leave out participation, whose credits sum past the conversions). \
         This assumes constant returns: it is not a response-curve optimiser.</p>\n",
        escape(model)
    );
    let robust = rows.iter().find_map(|r| r.robust);
    if let Some(k) = robust {
        w!(
            s,
            "<p class=\"note\"><em>Robust</em>: the direction of the {} scenarios (every model at each lookback of <code>--lookbacks</code>), when at least the agreement share of them moves the channel that way; otherwise unclear. Every scenario can share one bias.</p>\n",
            k.scenarios
        );
    }
    s.push_str(
        "<div class=\"scroll\"><table class=\"sortable budget\">\n<thead><tr><th scope=\"col\">channel</th>\
         <th scope=\"col\" class=\"num\">spend</th><th scope=\"col\" class=\"num\">proposed</th><th scope=\"col\" class=\"num\">change</th>\
         <th scope=\"col\" class=\"num\">interval</th><th scope=\"col\">direction</th><th scope=\"col\" class=\"num\">range over models</th><th scope=\"col\">models agree</th>",
    );
    if robust.is_some() {
        s.push_str("<th scope=\"col\">robust</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let interval = match (r.change_lo, r.change_hi) {
            (Some(lo), Some(hi)) => format!("{} to {}", num(lo, 2), num(hi, 2)),
            _ => String::new(),
        };
        w!(
            s,
            "<tr><th scope=\"row\">{}</th><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td>",
            escape(&r.channel),
            r.spend,
            num(r.spend, 2),
            r.proposed_spend,
            num(r.proposed_spend, 2),
            r.change,
            num(r.change, 2),
            interval,
            r.direction,
            num(r.models_change_min, 2),
            num(r.models_change_max, 2),
            if r.models_agree { "yes" } else { "no" }
        );
        if let Some(k) = r.robust {
            w!(
                s,
                "<td>{} ({} up, {} down)</td>",
                k.robust_direction,
                pct(k.increase_share),
                pct(k.decrease_share)
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n");
}

/// The scorecard: each channel's touches in converting journeys split by
/// role (opener, assist, closer, only touch) as a stacked bar, with its
/// reach and timing in a table.
/// Channels beyond which the shares over time are small multiples, one
/// chart per channel, instead of one line per channel (colours run out).
const MAX_LINES: usize = 8;

/// `mta report --truth`: each model's distance from the true shares, best
/// first (the table of `mta evaluate`).
fn evaluation_section(s: &mut String, scores: &[crate::report::evaluate::Score]) {
    s.push_str(
        "<section id=\"evaluation\">\n<h2>Models against the truth</h2>\n<p class=\"note\">Each model's channel shares against the true shares of <code>--truth</code>, best first: \
         nmae is the mean absolute difference over the truth's channels, rank correlation Spearman's, top-3 overlap the share of the truth's three largest channels among the model's, \
         and the largest error the largest difference. It shows which models recover a known process shaped like this data; the real process stays unknown.</p>\n\
         <div class=\"scroll\"><table class=\"sortable evaluation\">\n<thead><tr><th scope=\"col\">model</th><th scope=\"col\" class=\"num\">nmae</th>\
         <th scope=\"col\" class=\"num\">rank correlation</th><th scope=\"col\" class=\"num\">top-3 overlap</th><th scope=\"col\" class=\"num\">largest error</th></tr></thead>\n<tbody>\n",
    );
    for sc in scores {
        let rho = sc.rank_correlation.map_or_else(String::new, |r| fixed(r, 3));
        w!(
            s,
            "<tr><th scope=\"row\">{}</th><td data-v=\"{}\">{}</td><td data-v=\"{}\">{rho}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td></tr>\n",
            escape(sc.model.name()),
            sc.nmae,
            fixed(sc.nmae, 4),
            sc.rank_correlation.unwrap_or(-2.0),
            sc.top3_overlap,
            fixed(sc.top3_overlap, 2),
            sc.max_abs_error,
            fixed(sc.max_abs_error, 4)
        );
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// `mta report --by conversion-type`: conversions per stage per channel
/// under one model, and each stage's cost (the whole spend against it).
fn funnel_section(s: &mut String, f: &crate::report::funnel::Funnel) {
    w!(
        s,
        "<section id=\"funnel\">\n<h2>Funnel by conversion type</h2>\n<p class=\"note\">Each stage's conversions credited to each channel by the <strong>{}</strong> model, stages in the order of <code>--conversion-types</code>, else by conversions, most first.{} Click a column header to sort.</p>\n",
        escape(f.model.name()),
        if f.spend.is_some() {
            " With spend: each channel's cost per conversion of the stage under it (CPA), and each stage's cost per conversion from the whole spend; a lead and the deal it became count the same spend, so stage costs compare, they do not add up."
        } else {
            ""
        }
    );
    s.push_str("<div class=\"scroll\"><table class=\"sortable funnel\">\n<thead><tr><th scope=\"col\">channel</th>");
    if f.spend.is_some() {
        s.push_str("<th scope=\"col\" class=\"num\">spend</th>");
    }
    for st in &f.stages {
        w!(s, "<th scope=\"col\" class=\"num\">{}</th>", escape(&st.name));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (c, channel) in f.channels.iter().enumerate() {
        let spend = f.spend.as_ref().map(|sp| sp[c]);
        w!(s, "<tr><th scope=\"row\">{}</th>", escape(channel));
        if let Some(sp) = spend {
            w!(s, "<td data-v=\"{sp}\">{}</td>", num(sp, 2));
        }
        for st in &f.stages {
            let n = st.by_channel[c];
            w!(s, "<td data-v=\"{n}\">{}", num(n, 2));
            if let Some(sp) = spend.filter(|&sp| sp > 0.0 && n > 0.0) {
                w!(s, "<br><small>CPA {}</small>", num(sp / n, 2));
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n<tfoot>");
    let blank = if f.spend.is_some() { "<td></td>" } else { "" };
    let mut footer = |label: &str, cell: &dyn Fn(&crate::report::funnel::Stage) -> String| {
        w!(s, "<tr><th scope=\"row\">{label}</th>{blank}");
        for st in &f.stages {
            w!(s, "<td>{}</td>", cell(st));
        }
        s.push_str("</tr>");
    };
    footer("conversions", &|st| num(st.conversions, 2));
    footer("revenue", &|st| num(st.revenue, 2));
    if f.spend.is_some() {
        footer("cost per conversion", &|st| st.cost_per.map_or_else(String::new, |c| num(c, 2)));
    }
    s.push_str("</tfoot>\n</table></div>\n</section>\n");
}

fn over_time_section(s: &mut String, t: &crate::report::periods::ShareOverTime) {
    let unit = match t.dimension {
        crate::journey::Dimension::Day => "day",
        crate::journey::Dimension::Week => "ISO week (labelled by its Monday)",
        _ => "month",
    };
    w!(
        s,
        "<section id=\"over-time\">\n<h2>Share over time</h2>\n<p class=\"note\">Each channel's share of the <strong>{}</strong> model's credited conversions per {unit} of the conversion time; \
         every converting journey's credit goes to its conversion's period, and the periods add up to the credit above.{}</p>\n",
        t.model.name(),
        if t.model == crate::model::ModelKind::Markov {
            " Markov splits each journey by its channels' removal effects, each channel's periods rescaled to its total."
        } else {
            ""
        }
    );
    let max = t.channels.iter().flat_map(|c| c.periods.iter().copied()).fold(0.0, f64::max);
    let step = nice_step(max * 100.0) / 100.0;
    let axis_max = ((max / step).ceil() * step).max(step);
    if t.channels.len() <= MAX_LINES {
        s.push_str("<ul class=\"legend\">");
        for (k, c) in t.channels.iter().enumerate() {
            w!(s, "<li><span class=\"sw m{k}\"></span>{}</li>", escape(&c.name));
        }
        s.push_str("</ul>\n<figure class=\"chart\">");
        let lines: Vec<(usize, &ChannelShares)> = t.channels.iter().enumerate().collect();
        line_chart(s, &t.periods, &lines, axis_max, step, (900.0, 300.0));
        s.push_str("</figure>\n");
    } else {
        s.push_str("<p class=\"note\">One chart per channel, all on the same scale, largest share first.</p>\n<div class=\"multiples\">\n");
        for channel in &t.channels {
            w!(s, "<figure class=\"chart\"><figcaption>{}</figcaption>", escape(&channel.name));
            line_chart(s, &t.periods, &[(4, channel)], axis_max, step, (300.0, 130.0));
            s.push_str("</figure>\n");
        }
        s.push_str("</div>\n");
    }
    s.push_str("<div class=\"scroll\"><table class=\"sortable\">\n<thead><tr><th scope=\"col\">channel</th><th scope=\"col\" class=\"num\">all</th>");
    for p in &t.periods {
        w!(s, "<th scope=\"col\" class=\"num\">{}</th>", escape(p));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for c in &t.channels {
        w!(
            s,
            "<tr><th scope=\"row\">{}</th><td data-v=\"{}\">{}</td>",
            escape(&c.name),
            c.all,
            pct(c.all)
        );
        for x in &c.periods {
            w!(s, "<td data-v=\"{x}\">{}</td>", pct(*x));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// Lines of shares over `periods` (evenly spaced), one per `(colour, channel)`,
/// on a y axis from 0 to `axis_max` in `step`s, in a `(width, height)` box.
fn line_chart(s: &mut String, periods: &[String], lines: &[(usize, &ChannelShares)], axis_max: f64, step: f64, size: (f64, f64)) {
    let (width, height) = size;
    let (left, right, top, bottom) = (46.0, 34.0, 8.0, 22.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let n = periods.len();
    let x = |i: usize| {
        if n > 1 {
            left + i as f64 / (n - 1) as f64 * plot_w
        } else {
            left + plot_w / 2.0
        }
    };
    let y = |v: f64| top + (1.0 - v / axis_max) * plot_h;
    w!(
        s,
        "<svg class=\"lines\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"share per period of {}\">\n",
        escape(&lines.iter().map(|l| l.1.name.as_str()).collect::<Vec<_>>().join(", "))
    );
    let ticks = (axis_max / step).round() as usize;
    for t in 0..=ticks {
        let v = t as f64 * step;
        w!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{yv:.1}\" y2=\"{yv:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{yv:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n",
            left + plot_w,
            left - 4.0,
            pct(v),
            yv = y(v)
        );
    }
    // About eight period labels, whatever the number of periods.
    let every = n.div_ceil(if width > 500.0 { 8 } else { 3 }).max(1);
    for (i, p) in periods.iter().enumerate().filter(|(i, _)| i % every == 0) {
        w!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(i),
            height - 6.0,
            escape(p)
        );
    }
    for &(k, ChannelShares { name, periods: shares, .. }) in lines {
        let points: Vec<String> = shares
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        w!(
            s,
            "<polyline class=\"s{k}\" fill=\"none\" stroke-width=\"2\" points=\"{}\"><title>{}</title></polyline>\n",
            points.join(" "),
            escape(name)
        );
        for (i, &v) in shares.iter().enumerate() {
            w!(
                s,
                "<circle class=\"m{k}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{}\"><title>{} · {}: {}</title></circle>\n",
                x(i),
                y(v),
                if n > 60 { 1.5 } else { 3.0 },
                escape(name),
                escape(&periods[i]),
                pct(v)
            );
        }
    }
    s.push_str("</svg>\n");
}

fn roles_section(s: &mut String, rows: &[crate::report::scorecard::ScoreRow]) {
    s.push_str(
        "<section id=\"roles\">\n<h2>Channel roles</h2>\n<p class=\"note\">Touches in converting journeys by position: \
         <span class=\"sw m0\"></span>opens (first) · <span class=\"sw m1\"></span>assists (middle) · \
         <span class=\"sw m2\"></span>closes (last) · <span class=\"sw m3\"></span>only touch.</p>\n",
    );
    let (label_w, plot_w, bar_h, top) = (180.0, 620.0, 16.0, 8.0);
    let height = top + rows.len() as f64 * (bar_h + 8.0) + 4.0;
    w!(
        s,
        "<figure class=\"chart\"><svg class=\"bars\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"role split per channel\">\n",
        label_w + plot_w + 70.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + 8.0);
        row_label(s, label_w - 8.0, y + bar_h / 2.0, &r.channel, 26);
        let parts = [
            ("opens", r.as_first),
            ("assists", r.as_middle),
            ("closes", r.as_last),
            ("only touch", r.as_only),
        ];
        let total: f64 = parts.iter().map(|p| p.1).sum();
        let mut x = label_w;
        for (k, (what, n)) in parts.into_iter().enumerate() {
            if total <= 0.0 || n <= 0.0 {
                continue;
            }
            let wdt = n / total * plot_w;
            w!(
                s,
                "<rect class=\"m{k}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{wdt:.1}\" height=\"{bar_h}\"><title>{ch}: {what} {n} of {total} ({p})</title></rect>\n",
                ch = escape(&r.channel),
                n = count(n),
                total = count(total),
                p = pct(n / total)
            );
            x += wdt;
        }
        if total <= 0.0 {
            w!(
                s,
                "<text class=\"val\" x=\"{label_w}\" y=\"{:.1}\" dominant-baseline=\"middle\">no converting journey</text>\n",
                y + bar_h / 2.0
            );
        }
    }
    s.push_str("</svg></figure>\n");
    s.push_str(
        "<div class=\"scroll\"><table class=\"sortable scorecard\">\n<thead><tr><th scope=\"col\">channel</th>\
         <th scope=\"col\" class=\"num\">touches</th><th scope=\"col\" class=\"num\">customers</th><th scope=\"col\" class=\"num\">journeys</th>\
         <th scope=\"col\" class=\"num\">converting</th><th scope=\"col\" class=\"num\">conversion rate</th>\
         <th scope=\"col\" class=\"num\">median hours to conversion</th></tr></thead>\n<tbody>\n",
    );
    for r in rows {
        let customers = r.customers.map_or(String::new(), |c| num(c as f64, 0));
        let hours = r.median_hours_to_conversion.map_or(String::new(), |h| num(h, 1));
        w!(
            s,
            "<tr><th scope=\"row\">{}</th><td data-v=\"{}\">{}</td><td>{customers}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{hours}</td></tr>\n",
            escape(&r.channel),
            r.touches,
            count(r.touches),
            r.journeys,
            count(r.journeys),
            r.converting_journeys,
            count(r.converting_journeys),
            r.conversion_rate,
            pct(r.conversion_rate)
        );
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn disagreement_section(s: &mut String, report: &Report, comparison: &[ChannelComparison]) {
    s.push_str(
        "<section id=\"disagreement\">\n<h2>Where the models disagree</h2>\n\
         <p class=\"note\">Each channel's share of its model's attributed conversions; darker = larger share. \
         Channels the models disagree on most come first. The spread (largest share minus smallest) leaves out participation, \
         which gives every channel of a journey full credit, so its shares sum past 100%.</p>\n",
    );
    if comparison.is_empty() {
        s.push_str("<p class=\"empty\">No channels.</p>\n</section>\n");
        return;
    }
    let rows = by_disagreement(comparison);
    let nm = report.models.len();
    let (label_w, cell_w, cell_h, top, spread_w) = (110.0, 82.0, 22.0, 28.0, 70.0);
    let width = label_w + nm as f64 * cell_w + spread_w;
    let height = top + rows.len() as f64 * cell_h + 4.0;
    let max = rows
        .iter()
        .flat_map(|c| c.models.iter().map(|m| m.share))
        .fold(0.0, f64::max)
        .max(1e-12);
    w!(
        s,
        "<div class=\"scroll\"><svg class=\"heat\" viewBox=\"0 0 {width} {height}\" style=\"width:{width}px\" role=\"img\" aria-label=\"share of each channel under each model\">\n"
    );
    for (k, m) in report.models.iter().enumerate() {
        w!(
            s,
            "<text class=\"colhead\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            label_w + (k as f64 + 0.5) * cell_w,
            top - 9.0,
            escape(m.model.name())
        );
    }
    w!(
        s,
        "<text class=\"colhead\" x=\"{:.1}\" y=\"{}\">spread</text>\n",
        label_w + nm as f64 * cell_w + 10.0,
        top - 9.0
    );
    for (r, c) in rows.iter().enumerate() {
        let y = top + r as f64 * cell_h;
        row_label(s, label_w - 8.0, y + cell_h / 2.0, &c.channel, 16);
        for (k, m) in c.models.iter().enumerate() {
            let o = m.share / max;
            let x = label_w + k as f64 * cell_w;
            w!(
                s,
                "<rect data-cell class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{ch}\" fill-opacity=\"{o:.3}\"><title>{e} · {model}: {p}, rank {rank}</title></rect><text class=\"{cls}\" x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" dominant-baseline=\"middle\">{p}</text>\n",
                cw = cell_w - 2.0,
                ch = cell_h - 2.0,
                e = escape(&c.channel),
                model = m.model.name(),
                p = pct(m.share),
                rank = m.rank,
                cls = if o > 0.55 { "on-dark" } else { "on-light" },
                tx = x + (cell_w - 2.0) / 2.0,
                ty = y + (cell_h - 2.0) / 2.0,
            );
        }
        w!(
            s,
            "<text class=\"spread\" x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\"><title>largest share minus smallest: {} vs {}</title>{} pts</text>\n",
            label_w + nm as f64 * cell_w + 10.0,
            y + (cell_h - 2.0) / 2.0,
            c.extremes.0.name(),
            c.extremes.1.name(),
            fixed(c.disagreement * 100.0, 1)
        );
    }
    s.push_str("</svg></div>\n</section>\n");
}

fn journeys_section(s: &mut String, overview: Option<&JourneyOverview>) {
    s.push_str("<section id=\"journeys\">\n<h2>Journeys</h2>\n");
    let Some(o) = overview else {
        s.push_str(
            "<p class=\"empty\">Journey figures (top paths, touches per journey, time to conversion) need the journeys themselves: \
             run <code>mta report INPUT -o report.html</code> instead of <code>mta attribute --format html</code>.</p>\n</section>\n",
        );
        return;
    };
    w!(
        s,
        "<h3>Top {} paths by conversions <small>of {} distinct</small></h3>\n",
        o.top_paths.len(),
        num(o.distinct_paths as f64, 0)
    );
    if o.top_paths.is_empty() {
        s.push_str("<p class=\"empty\">No paths.</p>\n");
    } else {
        let max = o.top_paths.iter().map(|p| p.conversions).fold(0.0, f64::max).max(1e-12);
        s.push_str(
            "<div class=\"scroll\"><table class=\"sortable paths\">\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\" class=\"text\">path</th>\
             <th scope=\"col\" class=\"num\">conversions</th><th scope=\"col\" class=\"num\">journeys</th><th scope=\"col\" class=\"num\">conversion rate</th></tr></thead>\n<tbody>\n",
        );
        for (i, p) in o.top_paths.iter().enumerate() {
            w!(
                s,
                "<tr data-path><td data-v=\"{n}\">{n}</td><td class=\"path\" title=\"{}\">{}</td><td data-v=\"{}\"><span class=\"inbar\" style=\"width:{:.1}px\"></span>{}</td><td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td></tr>\n",
                escape(&p.path),
                escape(&shortened_path(&p.path)),
                p.conversions,
                // In pixels: a share of the cell's width would be resolved
                // after the cell is sized, and push the figure out of it.
                (p.conversions / max * INBAR_WIDTH).max(1.0),
                count(p.conversions),
                p.journeys,
                count(p.journeys),
                p.rate,
                pct(p.rate),
                n = i + 1,
            );
        }
        s.push_str("</tbody></table></div>\n");
    }
    s.push_str("<div class=\"hists\">\n");
    histogram(
        s,
        "Touches per converting journey",
        "touches",
        &o.touches_histogram,
        "No converting journeys.",
    );
    histogram(
        s,
        "Time from first touch to conversion",
        "days",
        &o.days_to_conversion_histogram,
        "Path aggregates carry no times.",
    );
    s.push_str("</div>\n</section>\n");
}

/// Vertical bars, one per bucket.
fn histogram(s: &mut String, title: &str, kind: &str, buckets: &[Bucket], empty: &str) {
    w!(s, "<figure class=\"hist\"><figcaption>{title}</figcaption>\n");
    if buckets.is_empty() {
        w!(s, "<p class=\"empty\">{empty}</p></figure>\n");
        return;
    }
    let (left, plot_h, bottom, top, width) = (44.0, 160.0, 34.0, 12.0, 460.0);
    let height = top + plot_h + bottom;
    let slot = (width - left - 8.0) / buckets.len() as f64;
    let max = buckets.iter().map(|b| b.journeys).fold(0.0, f64::max);
    // Journeys come in whole numbers: no ticks at 0.5.
    let step = nice_step(max).max(1.0);
    let axis_max = ((max / step).ceil() * step).max(step);
    w!(
        s,
        "<svg class=\"histo\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n",
        escape(title)
    );
    let ticks = (axis_max / step).round() as usize;
    for t in 0..=ticks {
        let v = t as f64 * step;
        let y = top + plot_h - v / axis_max * plot_h;
        w!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"tick\" x=\"{}\" y=\"{y:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n",
            width - 4.0,
            left - 4.0,
            count(v)
        );
    }
    for (i, b) in buckets.iter().enumerate() {
        let h = b.journeys / axis_max * plot_h;
        let x = left + i as f64 * slot + slot * 0.1;
        w!(
            s,
            "<rect data-hist=\"{kind}\" class=\"m4\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {} journeys</title></rect><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            top + plot_h - h,
            slot * 0.8,
            escape(&b.label),
            count(b.journeys),
            x + slot * 0.4,
            top + plot_h + 14.0,
            escape(&b.label)
        );
    }
    w!(
        s,
        "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{kind}</text></svg></figure>\n",
        left + (width - left) / 2.0,
        height - 4.0
    );
}

fn markov_section(s: &mut String, m: &MarkovReport) {
    w!(
        s,
        "<section id=\"markov\">\n<h2>Markov chain</h2>\n<p class=\"note\">Order {}, {} states, {} transitions; P(conversion) = {}. \
         The removal effect is the share of conversions lost if the channel disappeared.</p>\n",
        m.order,
        m.states,
        m.transitions.len(),
        fixed(m.p_conversion, 4)
    );
    // Removal effects: one horizontal bar per channel.
    let (label_w, plot_w, bar_h, top) = (180.0, 560.0, 18.0, 8.0);
    let height = top + m.removal_effects.len() as f64 * bar_h + 6.0;
    let max = m.removal_effects.iter().map(|r| r.removal_effect).fold(0.0, f64::max).max(1e-12);
    s.push_str("<figure class=\"chart\"><figcaption>Removal effect per channel</figcaption>\n");
    w!(
        s,
        "<svg class=\"bars\" viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"removal effects\">\n",
        label_w + plot_w + 70.0
    );
    for (i, r) in m.removal_effects.iter().enumerate() {
        let y = top + i as f64 * bar_h;
        let wdt = r.removal_effect.max(0.0) / max * plot_w;
        row_label(s, label_w - 8.0, y + (bar_h - 3.0) / 2.0, &r.channel, 26);
        w!(
            s,
            "<rect data-removal class=\"m5\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{wdt:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect><text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" dominant-baseline=\"middle\">{}</text>\n",
            bar_h - 3.0,
            escape(&r.channel),
            pct(r.removal_effect),
            label_w + wdt + 4.0,
            y + (bar_h - 3.0) / 2.0,
            pct(r.removal_effect)
        );
    }
    s.push_str("</svg></figure>\n");
    transition_heatmap(s, m);
    s.push_str("</section>\n");
}

fn transition_heatmap(s: &mut String, m: &MarkovReport) {
    let states = m.top_states(MAX_MARKOV_STATES);
    let rows: Vec<&str> = std::iter::once(START).chain(states.iter().copied()).collect();
    let cols: Vec<&str> = states.iter().copied().chain([CONVERSION, NULL]).collect();
    let (label_w, cell, top) = (180.0, 22.0, 110.0);
    let width = label_w + cols.len() as f64 * cell + 10.0;
    let height = top + rows.len() as f64 * cell + 4.0;
    w!(
        s,
        "<figure class=\"chart\"><figcaption>Transition probabilities (from row to column){}</figcaption>\n<div class=\"scroll\"><svg class=\"heat\" viewBox=\"0 0 {width} {height}\" style=\"width:{width}px\" role=\"img\" aria-label=\"transition heatmap\">\n",
        if m.states > MAX_MARKOV_STATES {
            format!(": the {MAX_MARKOV_STATES} most frequent of {} states", m.states)
        } else {
            String::new()
        }
    );
    for (k, c) in cols.iter().enumerate() {
        let x = label_w + (k as f64 + 0.5) * cell;
        w!(
            s,
            "<text class=\"colhead\" transform=\"translate({x:.1},{:.1}) rotate(-55)\"><title>{e}</title>{}</text>\n",
            top - 6.0,
            escape(&clip(c, 18)),
            e = escape(c)
        );
    }
    for (r, name) in rows.iter().enumerate() {
        row_label(s, label_w - 6.0, top + r as f64 * cell + cell / 2.0, name, 26);
    }
    for t in &m.transitions {
        let (Some(r), Some(c)) = (rows.iter().position(|x| *x == t.from), cols.iter().position(|x| *x == t.to)) else {
            continue;
        };
        w!(
            s,
            "<rect data-tcell class=\"cell\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{w:.1}\" fill-opacity=\"{:.3}\"><title>{} → {}: {} ({} journeys)</title></rect>\n",
            label_w + c as f64 * cell,
            top + r as f64 * cell,
            // sqrt: most probabilities are small, and a linear ramp would leave them all pale.
            t.probability.sqrt().clamp(0.04, 1.0),
            escape(&t.from),
            escape(&t.to),
            pct(t.probability),
            count(t.count),
            w = cell - 2.0
        );
    }
    s.push_str("</svg></div>\n");
    // The scale: the shade of a few probabilities, on the same square-root ramp.
    let steps: [f64; 6] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0];
    w!(
        s,
        "<svg class=\"heat scale\" viewBox=\"0 0 {} 34\" style=\"width:{}px\" role=\"img\" aria-label=\"scale of the transition heatmap\">\n",
        steps.len() * 60 + 10,
        steps.len() * 60 + 10
    );
    for (k, p) in steps.iter().enumerate() {
        let x = 5 + k * 60;
        w!(
            s,
            "<rect class=\"cell\" x=\"{x}\" y=\"2\" width=\"20\" height=\"20\" fill-opacity=\"{:.3}\"/><text class=\"tick\" x=\"{}\" y=\"16\">{}</text>\n",
            p.sqrt().clamp(0.04, 1.0),
            x + 24,
            pct(*p)
        );
    }
    s.push_str("</svg><figcaption>Shade: the transition probability (square-root scale).</figcaption></figure>\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_path_past_twelve_touches_keeps_its_ends() {
        let long: Vec<String> = (0..45).map(|k| format!("c{k}")).collect();
        assert_eq!(super::shortened_path(&long.join(" > ")), "c0 > c1 > ... (+41) > c43 > c44");
        let twelve: Vec<String> = (0..12).map(|k| format!("c{k}")).collect();
        assert_eq!(super::shortened_path(&twelve.join(" > ")), twelve.join(" > "));
    }

    use super::*;
    use crate::output::testutil;
    use crate::report::cross_model::compare_models;

    fn occurrences(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("a & b \"c\" 'd'"), "a &amp; b &quot;c&quot; &#39;d&#39;");
        assert_eq!(escape("Paid Search › é"), "Paid Search › é");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn steps_and_clipping() {
        assert_eq!(nice_step(10.0), 2.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(0.9), 0.2);
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn one_bar_per_model_and_channel_per_figure_and_one_cell_each() {
        let mut r = testutil::report();
        r.comparison = Some(compare_models(&r));
        let html = render(&r, Extras::default());
        assert_eq!(occurrences(&html, "data-bar=\"conversions\""), 4);
        assert_eq!(occurrences(&html, "data-bar=\"value\""), 4);
        assert_eq!(occurrences(&html, "data-cell "), 4);
        assert!(html.contains("Paid &lt;Search&gt;") && !html.contains("Paid <Search>"));
        assert!(html.contains("instead of <code>mta attribute --format html</code>"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn participation_does_not_set_the_other_models_axis() {
        // Linear credits a 3 and b 1; participation a 4 and b 2 (4
        // conversions through a, 2 through b). The axis ends at 3 (linear's
        // largest), not 4: participation's a bar is cut at the edge, outlined.
        let j = crate::journey::Journeys::from_paths(&[(&["a", "b"], 2.0, 0.0, 0.0), (&["a"], 2.0, 0.0, 0.0)]);
        let models: Vec<_> = [crate::model::ModelKind::Linear, crate::model::ModelKind::Participation]
            .iter()
            .map(|k| k.build(&crate::model::ModelConfig::default()))
            .collect();
        let input = crate::report::InputSummary::new("paths", &[], &crate::journey::JourneyStats::default(), 0);
        let r = Report::compute(input, &j, &models).unwrap();
        let html = render(&r, Extras::default());
        let start = html.find("aria-label=\"credited conversions per channel and model\"").unwrap();
        let chart = &html[start..start + html[start..].find("</svg>").unwrap()];
        let ticks: Vec<f64> = chart
            .split("class=\"tick\"")
            .skip(1)
            .filter_map(|t| t.split('>').nth(1)?.split('<').next()?.parse().ok())
            .collect();
        assert_eq!(ticks.last(), Some(&3.0), "{ticks:?}");
        assert_eq!(occurrences(chart, " cut\""), 1, "{chart}");
        assert!(html.contains("participation credits every channel in full"));
    }

    #[test]
    fn journeys_and_markov_sections_when_given() {
        let j = crate::journey::Journeys::from_paths(&[(&["a", "b"], 3.0, 30.0, 1.0), (&["a", "c"], 1.0, 10.0, 1.0)]);
        let o = JourneyOverview::compute(&j);
        let m = crate::report::markov::tests::markov_report(&j);
        let html = render(
            &testutil::report(),
            Extras {
                overview: Some(&o),
                markov: Some(&m),
                ..Extras::default()
            },
        );
        assert_eq!(occurrences(&html, "<tr data-path>"), 2);
        assert_eq!(occurrences(&html, "data-hist=\"touches\""), 2);
        assert_eq!(occurrences(&html, "data-removal "), 3);
        // Every transition of the two-branch chain is among the kept states.
        assert_eq!(occurrences(&html, "data-tcell "), m.transitions.len());
    }

    #[test]
    fn fifty_channels_stay_under_two_megabytes() {
        let names: Vec<String> = (0..50).map(|i| format!("Channel number {i:02} <&>")).collect();
        let mut j = crate::journey::Journeys::new(
            {
                let mut n = names.clone();
                n.sort();
                n
            },
            false,
        );
        for a in 0..50u32 {
            for b in 0..50u32 {
                j.push(&[a, b, (a + b) % 50], None, 1.0 + f64::from(a % 3), 10.0, 2.0, None);
            }
        }
        let cfg = crate::model::ModelConfig::default();
        let models: Vec<_> = [
            crate::model::ModelKind::FirstClick,
            crate::model::ModelKind::LastClick,
            crate::model::ModelKind::Linear,
            crate::model::ModelKind::PositionBased,
            crate::model::ModelKind::Markov,
        ]
        .iter()
        .map(|k| k.build(&cfg))
        .collect();
        let input = crate::report::InputSummary::new("paths", &[], &crate::journey::JourneyStats::default(), 0);
        let mut r = Report::compute(input, &j, &models).unwrap();
        // Pad to 11 models (the most there are) by repeating them: size is what matters here.
        while r.models.len() < 11 {
            let m = r.models[r.models.len() % 5].clone();
            r.models.push(m);
        }
        r.comparison = Some(compare_models(&r));
        let o = JourneyOverview::compute(&j);
        let m = MarkovReport::from_report(&r).unwrap();
        let html = render(
            &r,
            Extras {
                overview: Some(&o),
                markov: Some(&m),
                ..Extras::default()
            },
        );
        assert!(html.len() < 2 * 1024 * 1024, "{} bytes", html.len());
        assert_eq!(occurrences(&html, "data-bar=\"conversions\""), 50 * 11);
        assert_eq!(occurrences(&html, "data-cell "), 50 * 11);
        // 30 states kept: start row + 30 rows, 30 + 2 columns; every pair is observed here.
        assert!(occurrences(&html, "data-tcell ") <= 31 * 32);
        assert!(html.contains("the 30 most frequent of 50 states"));
        assert_eq!(occurrences(&html, "<tr data-path>"), 20);
        // The credit tables: consecutive blocks of models, each model once, as even as fits.
        let blocks = credit_blocks(&r);
        assert!(blocks.len() > 1, "{blocks:?}");
        assert_eq!(blocks.first().unwrap().start, 0);
        assert!(blocks.windows(2).all(|w| w[0].end == w[1].start), "{blocks:?}");
        assert_eq!(blocks.last().unwrap().end, 11);
        let sizes: Vec<usize> = blocks.iter().map(|b| b.len()).collect();
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{sizes:?}");
        assert_eq!(occurrences(&html, "<table class=\"sortable credit\">"), blocks.len());
    }
}
