//! `mta sql`: the query per dialect, `--explain`, and every flag the SQL
//! cannot express refused with its reason. (The queries' results are
//! checked on real engines by tests/e2e/sql.sh.)

use super::*;

fn sql(args: &[&str]) -> String {
    let out = mta().arg("sql").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_dialect_quotes_aggregates_and_orders_its_own_way() {
    let base = ["--table", "analytics.events", "--output", "paths"];
    let duckdb = sql(&[&base[..], &["--dialect", "duckdb"]].concat());
    assert!(duckdb.contains("FROM analytics.events\n"), "the table as written: {duckdb}");
    assert!(duckdb.contains("TRIM(CAST(\"customer_id\" AS VARCHAR)) AS customer_id"));
    assert!(duckdb.contains("STRING_AGG(channel, ' > ' ORDER BY seq) AS path"));
    assert!(duckdb.contains("epoch_ms(\"timestamp\") AS t"));
    let spark = sql(&[&base[..], &["--dialect", "spark"]].concat());
    assert!(spark.contains("TRIM(CAST(`customer_id` AS STRING))"), "{spark}");
    assert!(spark.contains("array_join(transform(array_sort(collect_list(named_struct('k', seq, 'v', channel))), x -> x.v), ' > ')"));
    let snowflake = sql(&[&base[..], &["--dialect", "snowflake"]].concat());
    assert!(
        snowflake.contains("LISTAGG(channel, ' > ') WITHIN GROUP (ORDER BY seq)"),
        "{snowflake}"
    );
    let postgres = sql(&[&base[..], &["--dialect", "postgres"]].concat());
    // Channel names compare bytewise whatever the database's collation.
    assert!(
        postgres.contains("ORDER BY t, converts, channel COLLATE \"C\", value"),
        "{postgres}"
    );
    let bigquery = sql(&[&base[..], &["--dialect", "bigquery"]].concat());
    assert!(bigquery.contains("UNIX_MILLIS(CAST(`timestamp` AS TIMESTAMP)) AS t"), "{bigquery}");
    // Every step is a commented CTE whose name no user table is likely to have.
    for q in [&duckdb, &spark, &snowflake, &postgres, &bigquery] {
        assert!(q.starts_with("-- mta sql (mta "), "{q}");
        assert_eq!(q.matches(" AS (\n").count(), 6, "{q}");
        assert!(q.contains("\nmta_ordered AS (\n") && q.trim_end().ends_with(';'));
    }
}

#[test]
fn journey_flags_become_conditions_in_the_query() {
    let q = sql(&[
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "credits",
        "--models",
        "linear,time-decay",
        "--from",
        "2025-01-10",
        "--to",
        "2025-01-20",
        "--lookback",
        "3d",
        "--max-touches",
        "4",
        "--exclude-channels",
        "Direct",
        "--timezone",
        "Europe/Berlin",
        "--no-value",
        "--half-life",
        "1d",
    ]);
    // 2025-01-10 00:00 in Berlin is 2025-01-09T23:00Z.
    assert!(q.contains("converted_at >= 1736463600000 AND converted_at < 1737327600000"), "{q}");
    assert!(q.contains("(j_converts = 0 OR converted_at - t <= 259200000)"), "{q}");
    assert!(q.contains("WHERE from_end <= 4"), "{q}");
    assert!(q.contains("IN ('direct') THEN 0 ELSE 1 END AS is_touch"), "{q}");
    assert!(q.contains("epoch_ms(timezone('Europe/Berlin', \"timestamp\"))"), "{q}");
    assert!(q.contains("CAST(0 AS DOUBLE) AS value") && !q.contains("\"value\""), "{q}");
    assert!(q.contains("CAST(86400000.0 AS DOUBLE)"), "the half-life: {q}");
    assert!(q.contains("'linear' AS model") && q.contains("'time-decay' AS model") && !q.contains("'first-click' AS model"));
    let epoch = sql(&[
        "--dialect",
        "spark",
        "--table",
        "t",
        "--output",
        "paths",
        "--time-format",
        "epoch-s",
    ]);
    assert!(epoch.contains("CAST(`timestamp` AS BIGINT) * 1000 AS t"), "{epoch}");
    let separate = sql(&[
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--conversions-table",
        "c",
        "--output",
        "paths",
    ]);
    assert!(separate.contains("UNION ALL") && separate.contains("FROM c\n"), "{separate}");
}

#[test]
fn each_path_transform_is_a_step_in_the_order_given() {
    let q = sql(&[
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "paths",
        "--path-transform",
        "exposure,remove-if-last-and-not-all:Direct|Email,first",
    ]);
    let at = |name: &str| q.find(&format!("\n{name} AS (\n")).unwrap_or_else(|| panic!("{name}: {q}"));
    assert!(at("mta_kept") < at("mta_transformed_1") && at("mta_transformed_1") < at("mta_transformed_2"));
    assert!(at("mta_transformed_2") < at("mta_transformed_3") && at("mta_transformed_3") < at("mta_paths"));
    assert!(
        q.contains("MAX(CASE WHEN channel IN ('Direct', 'Email') THEN NULL ELSE seq END)"),
        "{q}"
    );
    assert!(
        q.contains("FROM mta_transformed_3\n  GROUP BY"),
        "the paths read the last transform: {q}"
    );
}

#[test]
fn ga4_channel_rules_become_a_case_in_rule_order() {
    let q = sql(&[
        "--dialect",
        "postgres",
        "--table",
        "t",
        "--output",
        "paths",
        "--channel-rules",
        "ga4",
        "--no-campaign",
    ]);
    let order: Vec<usize> = [
        "'Direct'",
        "'Cross-network'",
        "'Paid Shopping'",
        "'AI Assistant'",
        "'Mobile Push Notifications'",
        "'Unassigned'",
    ]
    .iter()
    .map(|c| {
        q.find(&format!("THEN {c}"))
            .or_else(|| q.find(&format!("ELSE {c}")))
            .unwrap_or_else(|| panic!("{c}: {q}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        q.contains("(LOWER(TRIM(COALESCE(CAST(\"medium\" AS TEXT), ''))) ~ '^(.*cp.*|ppc|retargeting|paid.*)$')"),
        "{q}"
    );
    assert!(
        q.contains("'chatgpt.com'") && q.contains("SUBSTR(LOWER(TRIM(COALESCE(CAST(\"source\" AS TEXT), ''))), 5)"),
        "{q}"
    );
    assert!(!q.contains("\"campaign\"") && !q.contains("\"channel\""), "{q}");
}

#[test]
fn explain_lists_the_steps_in_words() {
    let text = sql(&[
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "paths",
        "--max-touches",
        "3",
        "--explain",
    ]);
    let steps: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(' ') || l.starts_with(char::is_numeric))
        .collect();
    assert_eq!(steps.len(), 8, "{text}");
    assert!(steps[5].contains("6. mta_trimmed: The last 3 touches of each journey"), "{text}");
    assert!(
        steps[7].trim_start().starts_with("8. result: Journeys with the same path summed"),
        "{text}"
    );
    assert!(!text.contains("SELECT"), "{text}");
}

#[test]
fn what_the_sql_cannot_express_is_refused_with_a_reason() {
    let base = ["--dialect", "duckdb", "--table", "t"];
    for (args, expected) in [
        (vec!["--output", "paths", "events.csv"], "`mta sql` reads no file"),
        (
            vec!["--output", "paths", "--no-campaign"],
            "`--no-campaign` applies to `--channel-rules`",
        ),
        (
            vec!["--output", "paths", "--journey-mode", "window"],
            "`--journey-mode window` needs `--lookback`",
        ),
        (
            vec!["--output", "credits", "--models", "linear,markov"],
            "model `markov` needs mta's solver",
        ),
        (vec!["--output", "paths", "--models", "linear"], "paths carry no model"),
        (
            vec!["--output", "paths", "--time-format", "%d.%m.%Y"],
            "parses text, which the SQL does not do",
        ),
        (vec!["--output", "paths", "--conversions", "c.csv"], "`--conversions-table`"),
        (vec!["--output", "paths", "--on-error", "skip"], "the engine's own casts"),
        (
            vec!["--output", "paths", "--conversion-events", "purchase", "--conversions-table", "c"],
            "a conversions table has its own",
        ),
        (vec!["--output", "paths", "--markov-order", "2"], "they shape the Markov chain"),
        (
            vec!["--output", "transitions", "--models", "linear"],
            "transitions are Markov's chain",
        ),
        (vec!["--output", "transitions", "--markov-order", "auto"], "give the order"),
    ] {
        let out = mta().arg("sql").args(base).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn transitions_walk_windows_of_the_order_and_collapse_repeats() {
    let q = sql(&[
        "--dialect",
        "duckdb",
        "--table",
        "t",
        "--output",
        "transitions",
        "--markov-order",
        "3",
    ]);
    // A state is the touch and the next two, while the window fits.
    assert!(
        q.contains("channel || COALESCE(' > ' || LEAD(channel, 1) OVER (PARTITION BY customer_id, journey ORDER BY seq), '') || COALESCE(' > ' || LEAD(channel, 2)"),
        "{q}"
    );
    assert!(q.contains("WHERE i <= GREATEST(n - 2, 1)"), "{q}");
    assert!(
        q.contains("\nmta_walks AS (\n") && q.contains("WHERE previous IS NULL OR previous <> state"),
        "{q}"
    );
    assert!(q.contains("AS \"from\",\n  to_state AS \"to\",\n  SUM(walks) AS \"count\""), "{q}");
    let kept = sql(&["--dialect", "spark", "--table", "t", "--output", "transitions", "--keep-repeats"]);
    assert!(!kept.contains("mta_walks") && kept.contains("FROM mta_states\n"), "{kept}");
    assert!(
        kept.contains("WHERE i <= GREATEST(n - 0, 1)") && !kept.contains("LEAD(channel"),
        "{kept}"
    );
    assert!(kept.contains("AS `from`"), "{kept}");
}

#[test]
fn a_rules_file_becomes_whens_before_ga4s_in_file_order() {
    let f = Fixture::new();
    let rules = f.file(
        "rules.csv",
        "channel,source,medium\nBob's Search,google|bing,cpc\nPartners,.*\\.example,\nAnything,,\n",
    );
    let rules = rules.to_str().unwrap();
    let with_ga4 = format!("{rules},ga4");
    let base = ["--table", "t", "--output", "paths", "--channel-rules"];
    let q = sql(&[&base[..], &[with_ga4.as_str(), "--dialect", "spark"]].concat());
    let at = |text: &str| q.find(text).unwrap_or_else(|| panic!("{text}: {q}"));
    // Whole-value, case-insensitive matches on trimmed values; the rule's place in a comment.
    assert!(
        q.contains("WHEN (TRIM(COALESCE(CAST(`source` AS STRING), '')) RLIKE '(?i)^(?:google|bing)$') AND (TRIM(COALESCE(CAST(`medium` AS STRING), '')) RLIKE '(?i)^(?:cpc)$') THEN 'Bob\\'s Search' -- "),
        "{q}"
    );
    assert!(
        q.contains(&format!("RLIKE '(?i)^(?:.*\\\\.example)$') THEN 'Partners' -- {rules}:3")),
        "{q}"
    );
    assert!(q.contains(&format!("WHEN 1 = 1 THEN 'Anything' -- {rules}:4")), "{q}");
    assert!(
        at("'Bob\\'s Search'") < at("'Partners'") && at("'Anything'") < at("THEN 'Direct'"),
        "{q}"
    );
    // Snowflake anchors by itself and takes the flag apart; Postgres has `~*`.
    let snowflake = sql(&[&base[..], &[rules, "--dialect", "snowflake"]].concat());
    assert!(
        snowflake.contains("REGEXP_LIKE(TRIM(COALESCE(CAST(\"source\" AS VARCHAR), '')), '(google|bing)', 'i')"),
        "{snowflake}"
    );
    assert!(
        snowflake.contains("'(.*\\\\.example)'") && !snowflake.contains("'Direct'"),
        "{snowflake}"
    );
    let postgres = sql(&[&base[..], &[rules, "--dialect", "postgres"]].concat());
    assert!(
        postgres.contains("~* '^(?:google|bing)$')") && postgres.contains("THEN 'Bob''s Search'"),
        "{postgres}"
    );
    // A bad pattern is the rules file's error, with its place.
    let bad = f.file("bad.csv", "channel,source\nX,(unclosed\n");
    let out = mta()
        .args(["sql", "--dialect", "duckdb", "--table", "t", "--output", "paths", "--channel-rules"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.csv` line 2, column `source`") && err.contains("a regular expression"),
        "{err}"
    );
}

#[test]
fn conversion_types_filter_conversions_and_events_become_conversions() {
    let base = ["--dialect", "postgres", "--table", "t", "--output", "paths"];
    let typed = sql(&[&base[..], &["--conversion-types", "Purchase,(not set)"]].concat());
    // Inline: a conversion of another type stays a touch, its flag 0.
    assert!(
        typed.contains("IN ('1', 'true', 'yes', 'y', 't') AND LOWER(COALESCE(NULLIF(TRIM(CAST(\"conversion_type\" AS TEXT)), ''), '(not set)')) IN ('purchase', '(not set)') THEN 1 ELSE 0 END AS converts"),
        "{typed}"
    );
    let separate = sql(&[
        &base[..],
        &["--conversions-table", "c", "--type-col", "kind", "--conversion-types", "lead"],
    ]
    .concat());
    assert!(
        separate.contains("FROM c\n  WHERE TRIM(CAST(\"customer_id\" AS TEXT)) <> ''\n    AND LOWER(COALESCE(NULLIF(TRIM(CAST(\"kind\" AS TEXT)), ''), '(not set)')) IN ('lead')"),
        "{separate}"
    );
    // Events: the kept ones convert (no channel, no touch), the others of the list go.
    let events = sql(&[
        &base[..],
        &[
            "--conversion-events",
            "purchase,sign_up",
            "--conversion-types",
            "SIGN_UP",
            "--event-col",
            "ev",
        ],
    ]
    .concat());
    let ev = "COALESCE(TRIM(CAST(\"ev\" AS TEXT)), '')";
    assert!(
        events.contains(&format!("CASE WHEN {ev} IN ('sign_up') THEN 1 ELSE 0 END AS converts")),
        "{events}"
    );
    assert!(
        events.contains(&format!(
            "WHERE TRIM(CAST(\"customer_id\" AS TEXT)) <> ''\n      AND {ev} NOT IN ('purchase')"
        )),
        "{events}"
    );
    assert!(events.contains("CASE WHEN converts = 1 THEN 0 ELSE 1 END AS is_touch"), "{events}");
}

#[test]
fn a_ga4_export_table_becomes_sessions_and_conversion_events() {
    let q = sql(&[
        "--dialect",
        "bigquery",
        "--ga4",
        "project.analytics.events_*",
        "--output",
        "paths",
        "--conversion-events",
        "purchase,sign_up",
        "--conversion-types",
        "purchase",
    ]);
    let names: Vec<&str> = q
        .lines()
        .filter_map(|l| l.strip_suffix(" AS (").filter(|n| n.starts_with("mta_")))
        .collect();
    assert_eq!(
        &names[..6],
        [
            "mta_ga4_params",
            "mta_ga4_events",
            "mta_ga4_customers",
            "mta_ga4_ranked",
            "mta_ga4_sessions",
            "mta_events"
        ],
        "{q}"
    );
    assert!(q.contains("FROM project.analytics.events_* AS e\n"), "the table as written: {q}");
    assert!(
        q.contains("(SELECT p.value FROM UNNEST(e.event_params) AS p WITH OFFSET AS o WHERE p.key = 'ga_session_id' ORDER BY o DESC LIMIT 1) AS p_session"),
        "{q}"
    );
    // A transaction counts at its first event of either kind; purchases only are kept.
    assert!(q.contains("WHERE ev_name IN ('purchase', 'sign_up')"), "{q}");
    assert!(q.contains("WHERE (txn IS NULL OR txn_rank = 1) AND ev_name IN ('purchase')"), "{q}");
    assert!(q.contains("THEN 'Paid Search'"), "GA4's channel rules by default: {q}");
    assert!(q.contains("DIV(start_us, 1000) AS t"), "{q}");
    let pseudo = sql(&["--dialect", "spark", "--ga4", "ev", "--output", "paths", "--ga4-identity", "pseudo"]);
    assert!(pseudo.contains("device_id AS customer_id"), "{pseudo}");
    assert!(
        pseudo.contains("try_element_at(filter(e.event_params, p -> p.key = 'source'), -1).value AS p_source"),
        "{pseudo}"
    );
    for (args, expected) in [
        (vec!["--dialect", "postgres", "--ga4", "ev"], "which `postgres` does not hold"),
        (vec!["--dialect", "snowflake", "--ga4", "ev"], "which `snowflake` does not hold"),
        (vec!["--dialect", "duckdb", "--ga4", "ev", "--table", "t"], "cannot be used with"),
        (
            vec!["--dialect", "duckdb", "--ga4", "ev", "--conversions-table", "c"],
            "drop `--conversions-table`",
        ),
        (
            vec!["--dialect", "duckdb", "--ga4", "ev", "--customer-col", "x"],
            "cannot be used with",
        ),
        (vec!["--dialect", "duckdb", "--ga4", "a", "b"], "`--ga4` with several tables"),
    ] {
        let out = mta().arg("sql").args(&args).args(["--output", "paths"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
