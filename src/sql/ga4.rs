//! `mta sql --ga4 TABLE`: GA4's BigQuery export schema (`events_*`) turned
//! into touches and conversions by the rules `mta attribute --ga4` applies
//! to export files (docs/GUIDE.md, "GA4 BigQuery export"): sessions are touches,
//! conversion events conversions, a device joins its last `user_id`.

use super::{Dialect, SourceColumns, Step, describe_rules, double, rules_case};
use crate::channels::WrittenSet;
use crate::input::ga4::Identity;

/// `--ga4`: the table is a GA4 export.
#[derive(Debug, Clone, PartialEq)]
pub struct Ga4Export {
    /// Who a customer is (`--ga4-identity`).
    pub identity: Identity,
    /// The events that are conversions (`--conversion-events`, default `purchase`).
    pub events: Vec<String>,
}

/// The steps from the export to `mta_events` (customer_id, t, channel,
/// converts, value, is_touch); `is_touch` is the channel filter's
/// expression on `channel`, `kept` the conversion events whose type
/// `--conversion-types` keeps.
pub(super) fn steps(
    d: Dialect,
    table: &str,
    ga4: &Ga4Export,
    rules: &[WrittenSet],
    is_touch: &str,
    kept: &[String],
) -> Result<Vec<Step>, String> {
    let param = |key: &str| {
        d.ga4_param(key).ok_or_else(|| {
            format!(
                "`--ga4` reads GA4's BigQuery export schema (nested event_params), which `{}` does not hold: use `--dialect bigquery` on the export, or `duckdb` / `spark` on its Parquet files",
                d.name()
            )
        })
    };
    let text = d.text();
    let trim = |expr: &str| format!("TRIM(COALESCE(CAST({expr} AS {text}), ''))");
    let present = |expr: &str| format!("CASE WHEN {} <> '' THEN 1 ELSE 0 END", trim(expr));
    let lit = |s: &str| d.literal(s);
    let dbl = d.double();
    let mut steps = vec![Step {
        name: "mta_ga4_params".into(),
        rule: "GA4 export events with the event params they need (`ga_session_id`, `source`, `medium`, `campaign`, `value`; the last entry of a key); events without `user_pseudo_id` cannot be tied to a customer and are left out.".into(),
        body: format!(
            "SELECT\n  e.user_pseudo_id,\n  e.user_id,\n  e.event_timestamp,\n  e.event_name,\n  e.collected_traffic_source,\n  e.ecommerce,\n  {} AS p_session,\n  {} AS p_source,\n  {} AS p_medium,\n  {} AS p_campaign,\n  {} AS p_value\nFROM {table} AS e\nWHERE {} <> ''",
            param("ga_session_id")?,
            param("source")?,
            param("medium")?,
            param("campaign")?,
            param("value")?,
            trim("e.user_pseudo_id"),
        ),
    }];
    steps.push(Step {
        name: "mta_ga4_events".into(),
        rule: "Each event: device, user id, time (µs), name, session id (`int_value`, else `string_value`), the manual source / medium / campaign of `collected_traffic_source` (when `manual_source` is set), the params' source / medium / campaign (when `source` is set), gclid, value (`ecommerce.purchase_revenue`, else the param `value`: double, float, int), transaction id; texts trimmed.".into(),
        body: format!(
            "SELECT\n  {device} AS device_id,\n  NULLIF({user}, '') AS user_key,\n  CAST(event_timestamp AS {int}) AS time_us,\n  {name} AS ev_name,\n  COALESCE(p_session.int_value, CAST(NULLIF({session_text}, '') AS {int})) AS session_id,\n  {has_manual} AS has_manual,\n  {ms} AS ms,\n  {mm} AS mm,\n  {mc} AS mc,\n  {has_params} AS has_params,\n  {ps} AS ps,\n  {pm} AS pm,\n  {pc} AS pc,\n  {gclid} AS gclid,\n  COALESCE(CAST(ecommerce.purchase_revenue AS {dbl}), CAST(p_value.double_value AS {dbl}), CAST(p_value.float_value AS {dbl}), CAST(p_value.int_value AS {dbl}), {zero}) AS value,\n  NULLIF({txn}, '') AS txn\nFROM mta_ga4_params",
            device = trim("user_pseudo_id"),
            user = trim("user_id"),
            int = d.bigint(),
            name = trim("event_name"),
            session_text = trim("p_session.string_value"),
            has_manual = present("collected_traffic_source.manual_source"),
            ms = trim("collected_traffic_source.manual_source"),
            mm = trim("collected_traffic_source.manual_medium"),
            mc = trim("collected_traffic_source.manual_campaign_name"),
            has_params = present("p_source.string_value"),
            ps = trim("p_source.string_value"),
            pm = trim("p_medium.string_value"),
            pc = trim("p_campaign.string_value"),
            gclid = present("collected_traffic_source.gclid"),
            zero = double(d, 0.0),
            txn = trim("ecommerce.transaction_id"),
        ),
    });
    let customer = match ga4.identity {
        Identity::UserId => {
            "COALESCE(MAX(CASE WHEN user_key IS NOT NULL AND time_us = user_time THEN user_key END) OVER (PARTITION BY device_id), device_id)"
        }
        Identity::Pseudo => "device_id",
    };
    steps.push(Step {
        name: "mta_ga4_customers".into(),
        rule: match ga4.identity {
            Identity::UserId => "The customer of each event: its device's last `user_id` (the greatest of those seen at that last time), so logged-out and logged-in visits join; else the device (`user_pseudo_id`).",
            Identity::Pseudo => "The customer of each event: its device (`--ga4-identity pseudo`).",
        }
        .into(),
        body: format!(
            "SELECT\n  r.*,\n  {customer} AS customer_id\nFROM (\n  SELECT e.*, MAX(CASE WHEN user_key IS NOT NULL THEN time_us END) OVER (PARTITION BY device_id) AS user_time\n  FROM mta_ga4_events AS e\n) AS r"
        ),
    });
    let session = "PARTITION BY device_id, session_id";
    steps.push(Step {
        name: "mta_ga4_ranked".into(),
        rule: "Events in a session (device and `ga_session_id`), ranked for the session's source: the first with a manual source, and the first with a params source (ties in time: the smaller source, medium, campaign).".into(),
        body: format!(
            "SELECT\n  c.*,\n  ROW_NUMBER() OVER ({session} ORDER BY has_manual DESC, time_us, ms, mm, mc) AS manual_rank,\n  ROW_NUMBER() OVER ({session} ORDER BY has_params DESC, time_us, ps, pm, pc) AS params_rank\nFROM mta_ga4_customers AS c\nWHERE session_id IS NOT NULL"
        ),
    });
    let pick = |manual: &str, params: &str, gclid: &str, none: &str| {
        format!(
            "CASE WHEN has_manual = 1 THEN {manual} WHEN has_params = 1 THEN {params} WHEN gclid = 1 THEN {} ELSE {} END",
            lit(gclid),
            lit(none)
        )
    };
    steps.push(Step {
        name: "mta_ga4_sessions".into(),
        rule: "Sessions are the touches, at their first event: source / medium / campaign from the first event with a manual source, else the first with a params source, else `google` / `cpc` when an event has a gclid, else `(direct)` / `(none)`.".into(),
        body: format!(
            "SELECT\n  customer_id,\n  start_us,\n  {} AS source,\n  {} AS medium,\n  {} AS campaign\nFROM (\n  SELECT\n    customer_id,\n    MIN(time_us) AS start_us,\n    MAX(has_manual) AS has_manual,\n    MAX(CASE WHEN manual_rank = 1 THEN ms END) AS ms,\n    MAX(CASE WHEN manual_rank = 1 THEN mm END) AS mm,\n    MAX(CASE WHEN manual_rank = 1 THEN mc END) AS mc,\n    MAX(has_params) AS has_params,\n    MAX(CASE WHEN params_rank = 1 THEN ps END) AS ps,\n    MAX(CASE WHEN params_rank = 1 THEN pm END) AS pm,\n    MAX(CASE WHEN params_rank = 1 THEN pc END) AS pc,\n    MAX(gclid) AS gclid\n  FROM mta_ga4_ranked\n  GROUP BY device_id, session_id, customer_id\n) AS s",
            pick("ms", "ps", "google", "(direct)"),
            pick("mm", "pm", "cpc", "(none)"),
            pick("mc", "pc", "", ""),
        ),
    });
    let sources = SourceColumns {
        source: "source".into(),
        medium: "medium".into(),
        campaign: Some("campaign".into()),
    };
    let channel = rules_case(d, &sources, rules);
    let names = |list: &[String]| d.literals(list.iter().map(|e| e.trim()));
    let is_conversion = format!("ev_name IN ({})", names(&ga4.events));
    let kept_condition = if kept.is_empty() {
        "1 = 0".to_string()
    } else {
        format!("ev_name IN ({})", names(kept))
    };
    let touches = format!(
        "SELECT\n  customer_id,\n  {} AS t,\n  {channel} AS channel,\n  0 AS converts,\n  {} AS value\nFROM mta_ga4_sessions",
        d.int_div("start_us", 1000),
        double(d, 0.0),
    );
    let indent = |sql: &str| sql.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n");
    steps.push(Step {
        name: "mta_events".into(),
        rule: format!(
            "Touches (sessions, channels by {}) and conversions (the events {}, with no touch; a repeated `transaction_id` counts once, at its first event: time, then device, event name, value){}; times in epoch milliseconds (floored); is_touch 0 for a touch the channel filter drops.",
            describe_rules(rules),
            ga4.events.join(", "),
            if kept.len() < ga4.events.len() { format!(" of the types kept ({})", kept.join(", ")) } else { String::new() },
        ),
        body: format!(
            "SELECT\n  r.*,\n  {is_touch} AS is_touch\nFROM (\n{}\n) AS r\nUNION ALL\nSELECT\n  customer_id,\n  {},\n  '',\n  1,\n  value,\n  0\nFROM (\n  SELECT\n    c.*,\n    ROW_NUMBER() OVER (PARTITION BY txn ORDER BY time_us, device_id, ev_name, value) AS txn_rank\n  FROM mta_ga4_customers AS c\n  WHERE {is_conversion}\n) AS v\nWHERE (txn IS NULL OR txn_rank = 1) AND {kept_condition}",
            indent(&touches),
            d.int_div("time_us", 1000),
        ),
    });
    Ok(steps)
}
