//! The run summary as people read it on stderr: what went in (files and
//! rows, rows left out, journeys, conversions and revenue), what the
//! journey rules and the readers dropped or merged, spend, the dates; one
//! function per topic, each a line or a few.

use crate::format::{count, fixed, thousands};
use crate::report::InputSummary;

/// Every line of the summary: what went in, then `notes` (of choosing
/// the models and of the models themselves).
pub fn lines(s: &InputSummary, notes: &[String]) -> Vec<String> {
    let mut lines = vec![files_line(s)];
    lines.extend(rows_left_out(s));
    lines.extend(journeys_lines(s));
    lines.extend(dropped_lines(s));
    lines.extend(s.ga4.as_ref().map(ga4_lines).unwrap_or_default());
    lines.extend(types_and_period_lines(s));
    lines.extend(cost_line(s));
    if s.ignored_values > 0 {
        lines.push(format!("ignored values on {} non-converting rows", whole(s.ignored_values)));
    }
    if let (Some(a), Some(b)) = (s.times.first_touch, s.times.last_touch) {
        lines.push(format!("touches from {} to {}", s.zone.format(a), s.zone.format(b)));
    }
    lines.extend(s.notes.iter().cloned());
    lines.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
    lines.extend(notes.iter().cloned());
    lines
}

/// A count with thousands separators.
fn whole(n: u64) -> String {
    thousands(n as f64, 0)
}

/// `1 row`, `2 rows`, `1,234 rows`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", whole(n), if n == 1 { one } else { many })
}

/// `read N rows from FILES`: a directory or glob can stand for hundreds of
/// files, so more than four are named by their ends.
fn files_line(s: &InputSummary) -> String {
    let files = match s.files.as_slice() {
        [first, .., last] if s.files.len() > 4 => format!("{} files ({}, ..., {})", s.files.len(), first.name, last.name),
        all => all.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
    };
    match s.built.distinct_paths {
        None => format!("read {} rows from {files}", whole(s.rows_read)),
        Some(n) => format!(
            "read {} path rows from {files}; {} distinct paths after merging duplicates",
            whole(s.rows_read),
            whole(n)
        ),
    }
}

/// Journeys, conversions and revenue (per segment with `--by`), and the
/// conversions without a touch.
fn journeys_lines(s: &InputSummary) -> Vec<String> {
    let who = s
        .built
        .customers
        .map(|c| format!(" from {} customers", whole(c)))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "{} journeys{who} ({} converting); {} conversions, revenue {}",
        count(s.built.journeys),
        count(s.built.converting_journeys),
        count(s.built.conversions),
        thousands(s.built.revenue, 2)
    )];
    for seg in s.segments.iter().flatten() {
        lines.push(format!(
            "  {}: {} journeys ({} converting); {} conversions, revenue {}",
            seg.segment.label(),
            count(seg.journeys),
            count(seg.converting_journeys),
            count(seg.conversions),
            thousands(seg.revenue, 2)
        ));
    }
    if s.built.unattributed_conversions > 0 {
        lines.push(format!(
            "unattributed: {} conversions (revenue {}) had no touch before them",
            whole(s.built.unattributed_conversions),
            thousands(s.built.unattributed_value, 2)
        ));
    }
    lines
}

/// What the journey rules merged or dropped.
fn dropped_lines(s: &InputSummary) -> Vec<String> {
    let mut lines = Vec::new();
    if s.built.merged_into_visits > 0 {
        lines.push(format!(
            "session gap: merged {} into the first touch of their visit ({} in journeys)",
            plural(s.built.merged_into_visits, "row", "rows"),
            plural(s.built.touches, "touch", "touches")
        ));
    }
    for (n, what) in [
        (s.built.dropped_by_lookback, "lookback dropped"),
        (s.built.dropped_by_max_touches, "max-touches dropped"),
        (s.built.dropped_by_transforms, "path transforms dropped"),
        (s.built.dropped_by_channel_filter, "the channel filter dropped"),
    ] {
        if n > 0 {
            lines.push(format!("{what} {} touches", whole(n)));
        }
    }
    if let Some(n) = s.built.outside_windows.filter(|&n| n > 0) {
        lines.push(format!(
            "window mode: {} touches fall in no journey (after a customer's last conversion, or older than the lookback)",
            whole(n)
        ));
    }
    lines
}

/// `--ga4`: events, sessions, devices, and the events left out or in no session.
fn ga4_lines(g: &crate::input::ga4::Ga4Stats) -> Vec<String> {
    let joined = if g.devices_with_user_id > 0 {
        format!(" ({} joined to a user_id)", whole(g.devices_with_user_id))
    } else {
        String::new()
    };
    let mut lines = vec![format!(
        "GA4: {} events in {} sessions (the touches) on {} devices{joined}",
        whole(g.events),
        whole(g.sessions),
        whole(g.devices)
    )];
    if g.events_without_device > 0 {
        lines.push(format!(
            "GA4: {} events have no user_pseudo_id (consent mode's cookieless pings): no customer to tie them to, left out",
            whole(g.events_without_device)
        ));
    }
    if g.events_without_session > 0 {
        lines.push(format!(
            "GA4: {} events have no ga_session_id and are in no session ({} of them conversions, which count)",
            whole(g.events_without_session),
            whole(g.conversions_without_session)
        ));
    }
    if g.repeated_transactions > 0 {
        let (events, verb) = match g.repeated_transactions {
            1 => ("event", "repeats"),
            _ => ("events", "repeat"),
        };
        lines.push(format!(
            "GA4: {} conversion {events} {verb} an earlier transaction_id, not counted again",
            whole(g.repeated_transactions)
        ));
    }
    lines
}

/// Conversions by type, what `--conversion-types` and `--from`/`--to` removed.
fn types_and_period_lines(s: &InputSummary) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(types) = &s.conversions_by_type {
        let revenue = |t: &str| s.revenue_by_type.as_ref().and_then(|r| r.get(t)).copied().unwrap_or(0.0);
        let list: Vec<String> = types
            .iter()
            .map(|(t, n)| format!("{t} {} (revenue {})", whole(*n), thousands(revenue(t), 2)))
            .collect();
        lines.push(format!("conversions by type: {}", list.join(", ")));
        if let Some(m) = &s.milestones {
            let list: Vec<String> = m.iter().map(|c| format!("{} {}", c.milestone, whole(c.conversions))).collect();
            lines.push(format!(
                "milestones (`--milestones`): {}: they end no journey and mark the touches before them for `w-shaped` and `full-path`",
                list.join(", ")
            ));
        }
        let is_milestone = |t: &str| s.milestones.iter().flatten().any(|m| m.milestone.eq_ignore_ascii_case(t));
        // Several types in one run, neither filtered nor split: the headline adds them up.
        let credited: Vec<&str> = types.keys().map(String::as_str).filter(|t| !is_milestone(t)).collect();
        if credited.len() > 1 && s.removed_by_conversion_type.is_none() && s.segments.is_none() {
            let names = credited;
            lines.push(format!(
                "warning: conversions of {} types ({}) are counted together: the headline adds their conversions and revenue, and each conversion ends the journey before it whatever its type; keep one type with `--conversion-types TYPE`, credit each type on its own with `--by conversion-type`, or make the earlier funnel stages milestones that end no journey (`--milestones lead,opportunity` with `--models w-shaped,full-path`)",
                names.len(),
                names.join(", ")
            ));
        }
    }
    if let Some(r) = &s.removed_by_conversion_type {
        lines.push(format!(
            "--conversion-types removed {} conversions of other types (revenue {})",
            whole(r.conversions),
            thousands(r.revenue, 2)
        ));
    }
    if let Some(p) = &s.outside_period {
        lines.push(format!(
            "--from/--to removed {} journeys outside the period ({} conversions, revenue {})",
            whole(p.journeys),
            whole(p.conversions),
            thousands(p.revenue, 2)
        ));
    }
    lines
}

/// `--costs`: the spend kept, its file, and the blended CPA and ROAS.
fn cost_line(s: &InputSummary) -> Option<String> {
    let c = s.costs.as_ref()?;
    let outside = match c.rows_outside_period {
        0 => String::new(),
        n => format!("; {} dated outside the period left out", plural(n, "row", "rows")),
    };
    let or_empty = |x: Option<f64>| x.map_or("-".to_string(), |x| thousands(x, 2));
    let mut line = format!(
        "spend {} from {} ({} rows{outside}); blended CPA {}, ROAS {}",
        thousands(c.total_spend, 2),
        c.file,
        whole(c.rows),
        or_empty(c.blended_cpa),
        or_empty(c.blended_roas)
    );
    if let Some(types) = &c.by_conversion_type {
        let list: Vec<String> = types
            .iter()
            .map(|t| format!("{} CPA {} (ROAS {})", t.conversion_type, or_empty(t.cpa), or_empty(t.roas)))
            .collect();
        line.push_str(&format!("\nthe whole spend per conversion type: {}", list.join(", ")));
    }
    Some(line)
}

/// The rows read but not used: skipped (`--on-error skip`), without a
/// customer id, repeating an order; a line for each kind there is.
pub fn rows_left_out(s: &InputSummary) -> Vec<String> {
    let mut lines: Vec<String> = skipped_line(s)
        .into_iter()
        .chain(anonymous_line(s))
        .chain(date_only_line(s))
        .collect();
    if s.repeated_orders > 0 {
        lines.push(format!(
            "left out {} repeating an earlier conversion's order id (`--order-col`): each order counts once",
            plural(s.repeated_orders, "conversion row", "conversion rows")
        ));
    }
    if let Some(a) = &s.accounts {
        let mut line = format!(
            "journeys per account ({}): {} in {}",
            a.source,
            plural(a.people, "person", "people"),
            plural(a.accounts, "account", "accounts")
        );
        if a.people_without > 0 {
            let conversions = match a.conversions_without {
                0 => String::new(),
                n => format!(", {}", plural(n, "conversion row", "conversion rows")),
            };
            line.push_str(&format!(
                "; {} without an account ({}{conversions}) {}",
                plural(a.people_without, "person", "people"),
                plural(a.rows_without, "row", "rows"),
                if a.dropped {
                    "left out (`--account-missing drop`)"
                } else {
                    "kept, each on their own (`--account-missing drop` leaves them out)"
                }
            ));
        }
        lines.push(line);
    }
    if let Some(m) = s.conversion_ids.as_ref().filter(|m| m.rows_merged > 0) {
        lines.push(format!(
            "merged {} sharing a `{}` (`--conversion-id-col`) into {}: each counts once, at its earliest row",
            plural(m.rows_merged + m.conversions, "conversion row", "conversion rows"),
            m.column,
            plural(m.conversions, "conversion", "conversions"),
        ));
    }
    lines
}

/// `--on-error skip`: how many rows were skipped and why, when any were.
fn skipped_line(s: &InputSummary) -> Option<String> {
    if s.rows_skipped == 0 {
        return None;
    }
    let reasons = s
        .skipped_by_reason
        .iter()
        .map(|(k, n)| format!("{} {}", whole(*n), k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "skipped {} bad rows ({reasons}); used {}",
        whole(s.rows_skipped),
        whole(s.rows_used)
    ))
}

/// Conversions dated without a time of day, when there are any: the rule
/// that places them after that day's touches.
fn date_only_line(s: &InputSummary) -> Option<String> {
    match s.conversions_date_only {
        0 => None,
        n => Some(format!(
            "{} {} a date without a time of day: each counts at the end of its day (23:59:59.999 in `--timezone`), after that day's touches",
            plural(n, "conversion", "conversions"),
            if n == 1 { "has" } else { "have" },
        )),
    }
}

/// Rows without a customer id, when any were left out.
fn anonymous_line(s: &InputSummary) -> Option<String> {
    if s.rows_anonymous == 0 {
        return None;
    }
    let conversions = match s.anonymous_conversions {
        0 => String::new(),
        n => format!(
            "; {} of them {} (revenue {}), not counted",
            whole(n),
            if n == 1 { "a conversion" } else { "conversions" },
            thousands(s.anonymous_value, 2)
        ),
    };
    Some(format!(
        "left out {} without a customer id (visitors not yet identified){conversions}",
        plural(s.rows_anonymous, "row", "rows")
    ))
}

/// A note on conversions that had no touch: they are counted when reading
/// but appear in no `what` row.
pub fn unattributed_note(summary: &InputSummary, what: &str) -> Option<String> {
    let n = summary.built.unattributed_conversions;
    let value = fixed(summary.built.unattributed_value, 2);
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
