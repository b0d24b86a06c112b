//! What differs between the SQL engines `mta sql` writes for: quoting,
//! type names, epoch milliseconds of a timestamp, ordered string
//! aggregation and byte-order comparison of text.

use crate::input::Zone;

/// A SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB.
    Duckdb,
    /// Apache Spark SQL (3.1 or later).
    Spark,
    /// Google BigQuery (GoogleSQL).
    Bigquery,
    /// Snowflake.
    Snowflake,
    /// PostgreSQL.
    Postgres,
}

/// How the time column holds instants (`--time-format`, `--timezone`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeColumn {
    /// A timestamp column: with a zone it is an instant, without one it is
    /// read in `Zone` (UTC unless `--timezone`).
    Timestamp(Zone),
    /// Integer seconds since the epoch (`--time-format epoch-s`).
    EpochSeconds,
    /// Integer milliseconds since the epoch (`--time-format epoch-ms`).
    EpochMillis,
}

impl Dialect {
    /// The dialect's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
            Dialect::Postgres => "postgres",
        }
    }

    /// `name` as a quoted identifier (a column of the user's table).
    pub fn quote(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// `text` as a string literal.
    pub fn literal(self, text: &str) -> String {
        match self {
            // Backslashes escape in Spark's and BigQuery's literals.
            Dialect::Spark | Dialect::Bigquery => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
            // Snowflake's too, but a doubled quote is its quote.
            Dialect::Snowflake => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''")),
            _ => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// `names` as literals separated by commas (an IN list).
    pub fn literals<S: AsRef<str>>(self, names: impl IntoIterator<Item = S>) -> String {
        names.into_iter().map(|n| self.literal(n.as_ref())).collect::<Vec<_>>().join(", ")
    }

    /// The text type, for casts.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark | Dialect::Bigquery => "STRING",
        }
    }

    /// The double-precision type, for casts.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Bigquery => "FLOAT64",
            Dialect::Postgres => "DOUBLE PRECISION",
            _ => "DOUBLE",
        }
    }

    /// The 64-bit integer type, for casts.
    pub fn bigint(self) -> &'static str {
        match self {
            Dialect::Bigquery => "INT64",
            _ => "BIGINT",
        }
    }

    /// Epoch milliseconds (a 64-bit integer) of the time column `col`.
    pub fn epoch_ms(self, col: &str, time: TimeColumn) -> String {
        let int = self.bigint();
        let zone = match time {
            TimeColumn::EpochSeconds => return format!("CAST({col} AS {int}) * 1000"),
            TimeColumn::EpochMillis => return format!("CAST({col} AS {int})"),
            TimeColumn::Timestamp(zone) => zone,
        };
        let name = match zone {
            Zone::Utc => None,
            // A fixed offset: the wall clock read as UTC, less the offset
            // (engines disagree on the sign of offsets written as zones).
            Zone::Fixed(off) => {
                let utc = self.epoch_ms(col, TimeColumn::Timestamp(Zone::Utc));
                return format!("({utc} - ({}))", i64::from(off.local_minus_utc()) * 1000);
            }
            Zone::Named(tz) => Some(tz.name().to_string()),
        };
        match (self, name) {
            (Dialect::Duckdb, None) => format!("epoch_ms({col})"),
            (Dialect::Duckdb, Some(z)) => format!("epoch_ms(timezone({}, {col}))", self.literal(&z)),
            (Dialect::Postgres, None) => format!("CAST(EXTRACT(EPOCH FROM {col}) * 1000 AS {int})"),
            (Dialect::Postgres, Some(z)) => {
                format!(
                    "CAST(EXTRACT(EPOCH FROM ({col} AT TIME ZONE {})) * 1000 AS {int})",
                    self.literal(&z)
                )
            }
            (Dialect::Spark, None) => format!("unix_millis(CAST({col} AS TIMESTAMP))"),
            (Dialect::Spark, Some(z)) => format!("unix_millis(to_utc_timestamp({col}, {}))", self.literal(&z)),
            (Dialect::Bigquery, None) => format!("UNIX_MILLIS(CAST({col} AS TIMESTAMP))"),
            (Dialect::Bigquery, Some(z)) => format!("UNIX_MILLIS(TIMESTAMP({col}, {}))", self.literal(&z)),
            (Dialect::Snowflake, None) => format!("DATE_PART(EPOCH_MILLISECOND, {col})"),
            (Dialect::Snowflake, Some(z)) => {
                format!("DATE_PART(EPOCH_MILLISECOND, CONVERT_TIMEZONE({}, 'UTC', {col}))", self.literal(&z))
            }
        }
    }

    /// `expr` (text) compared by bytes, as mta orders channel names,
    /// whatever the database's collation.
    pub fn bytewise(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("{expr} COLLATE \"C\""),
            _ => expr.to_string(),
        }
    }

    /// Whether `pattern` (a regular expression without backslashes) matches
    /// somewhere in the text `expr`.
    pub fn regex(self, expr: &str, pattern: &str) -> String {
        let p = self.literal(pattern);
        match self {
            Dialect::Duckdb => format!("regexp_matches({expr}, {p})"),
            Dialect::Postgres => format!("({expr} ~ {p})"),
            Dialect::Spark => format!("({expr} RLIKE {p})"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({expr}, {p})"),
            // Snowflake matches the whole text.
            Dialect::Snowflake => format!("REGEXP_LIKE({expr}, {})", self.literal(&format!(".*({pattern}).*"))),
        }
    }

    /// Whether the regular expression `pattern` matches the whole text
    /// `expr`, case-insensitively (a `--channel-rules` file's condition).
    pub fn full_match_ci(self, expr: &str, pattern: &str) -> String {
        let anchored = self.literal(&format!("(?i)^(?:{pattern})$"));
        match self {
            Dialect::Duckdb => format!("regexp_matches({expr}, {anchored})"),
            Dialect::Postgres => format!("({expr} ~* {})", self.literal(&format!("^(?:{pattern})$"))),
            Dialect::Spark => format!("({expr} RLIKE {anchored})"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({expr}, {anchored})"),
            // Snowflake anchors on its own, and takes the flag apart.
            Dialect::Snowflake => format!("REGEXP_LIKE({expr}, {}, 'i')", self.literal(&format!("({pattern})"))),
        }
    }

    /// `a` divided by the positive integer `b`, an integer (for
    /// non-negative `a`, the floor).
    pub fn int_div(self, a: &str, b: i64) -> String {
        match self {
            Dialect::Duckdb => format!("({a} // {b})"),
            Dialect::Bigquery => format!("DIV({a}, {b})"),
            Dialect::Spark => format!("({a} DIV {b})"),
            Dialect::Postgres => format!("({a} / {b})"),
            Dialect::Snowflake => format!("FLOOR({a} / {b})"),
        }
    }

    /// The `value` struct of the last entry with key `key` in the GA4
    /// `event_params` list of the row aliased `e` (NULL when none), or
    /// `None` where the engine holds no GA4 export.
    pub fn ga4_param(self, key: &str) -> Option<String> {
        let k = self.literal(key);
        match self {
            Dialect::Duckdb => Some(format!(
                "(SELECT p.value FROM UNNEST(e.event_params) WITH ORDINALITY AS u(p, o) WHERE p.key = {k} ORDER BY o DESC LIMIT 1)"
            )),
            Dialect::Bigquery => Some(format!(
                "(SELECT p.value FROM UNNEST(e.event_params) AS p WITH OFFSET AS o WHERE p.key = {k} ORDER BY o DESC LIMIT 1)"
            )),
            Dialect::Spark => Some(format!("try_element_at(filter(e.event_params, p -> p.key = {k}), -1).value")),
            Dialect::Snowflake | Dialect::Postgres => None,
        }
    }

    /// The values of `expr` joined by `sep` in the order of `order` (one
    /// group of a GROUP BY).
    pub fn string_agg(self, expr: &str, sep: &str, order: &str) -> String {
        let sep = self.literal(sep);
        match self {
            Dialect::Duckdb | Dialect::Postgres | Dialect::Bigquery => format!("STRING_AGG({expr}, {sep} ORDER BY {order})"),
            Dialect::Snowflake => format!("LISTAGG({expr}, {sep}) WITHIN GROUP (ORDER BY {order})"),
            Dialect::Spark => {
                format!("array_join(transform(array_sort(collect_list(named_struct('k', {order}, 'v', {expr}))), x -> x.v), {sep})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_escape_their_quotes() {
        assert_eq!(Dialect::Duckdb.quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Spark.quote("a`b"), "`a``b`");
        assert_eq!(Dialect::Postgres.literal("it's"), "'it''s'");
        assert_eq!(Dialect::Bigquery.literal("it's \\"), "'it\\'s \\\\'");
    }

    #[test]
    fn epoch_milliseconds_per_dialect_and_zone() {
        let berlin = Zone::Named(chrono_tz::Europe::Berlin);
        assert_eq!(Dialect::Duckdb.epoch_ms("t", TimeColumn::Timestamp(Zone::Utc)), "epoch_ms(t)");
        assert_eq!(
            Dialect::Duckdb.epoch_ms("t", TimeColumn::Timestamp(berlin)),
            "epoch_ms(timezone('Europe/Berlin', t))"
        );
        assert_eq!(Dialect::Spark.epoch_ms("t", TimeColumn::EpochSeconds), "CAST(t AS BIGINT) * 1000");
        let fixed = Zone::Fixed(chrono::FixedOffset::west_opt(5 * 3600 + 1800).unwrap());
        // 12:00 at -05:30 is 17:30 UTC: the wall clock read as UTC, plus 5.5 hours.
        assert_eq!(
            Dialect::Postgres.epoch_ms("t", TimeColumn::Timestamp(fixed)),
            "(CAST(EXTRACT(EPOCH FROM t) * 1000 AS BIGINT) - (-19800000))"
        );
    }
}
