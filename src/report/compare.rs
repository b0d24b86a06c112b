//! Cross-run deltas for `mta compare`: two result files written by
//! `mta attribute` (CSV or JSON, told apart by their first byte) are read into
//! one sorted structure and compared model by model and channel by channel.
//!
//! This module parses bytes it is handed and computes; it never reads files,
//! prints or knows about clap. Which figure is compared is a plain selector
//! function, so that this stage does not depend on the output stage's
//! `Metric`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result, display_value};

/// The CSV contract's columns, in the order `mta attribute` writes them.
pub const CREDIT_COLUMNS: [&str; 5] = ["model", "channel", "conversions", "value", "share"];

/// The JSON shape, for error messages.
const JSON_SHAPE: &str = r#"`{"models": [{"model", "credits": [{"channel", "conversions", "value", "share"}]}]}`"#;

/// One channel's figures under one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// Credited conversions.
    pub conversions: f64,
    /// Credited revenue.
    pub value: f64,
    /// Share of the model's attributed conversions (0 to 1).
    pub share: f64,
}

/// One model's figures, per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelResults {
    /// The model's name as written in the file (`linear`, `markov`...).
    pub model: String,
    /// Channel name -> figures, sorted by channel name.
    pub channels: BTreeMap<String, Figures>,
}

/// One result file: models in the order they first appear in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    /// The models, each once.
    pub models: Vec<ModelResults>,
}

impl Results {
    /// Parses the bytes of a result file named `path` (for messages): JSON if
    /// the first non-whitespace byte is `{`, else the CSV contract.
    pub fn parse(path: &str, bytes: &[u8]) -> Result<Results> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.starts_with(b"PAR1") {
            return Err(Error::Malformed {
                path: path.into(),
                location: Location::Line(1),
                detail: "found a Parquet file, expected the CSV or JSON results of `mta attribute`\n\n\
                         hint: write the results to compare with `--format csv` or `--format json`"
                    .into(),
            });
        }
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => parse_json(path, bytes),
            _ => parse_csv(path, bytes),
        }
    }

    /// The channels of `model`, if the file has it.
    pub fn channels(&self, model: &str) -> Option<&BTreeMap<String, Figures>> {
        self.models.iter().find(|m| m.model == model).map(|m| &m.channels)
    }
}

/// Reads the CSV contract: a header naming at least `model,channel,
/// conversions,value,share` (any order, case-insensitive, extra columns
/// ignored), then one row per model and channel.
fn parse_csv(path: &str, bytes: &[u8]) -> Result<Results> {
    let mut rdr = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = ::csv::ByteRecord::new();
    let malformed = |line: u64, detail: String| Error::Malformed {
        path: path.into(),
        location: Location::Line(line),
        detail,
    };
    let read = |rdr: &mut ::csv::Reader<&[u8]>, record: &mut ::csv::ByteRecord| {
        rdr.read_byte_record(record)
            .map_err(|e| malformed(e.position().map_or(1, |p| p.line()), e.to_string()))
    };
    if !read(&mut rdr, &mut record)? {
        return Err(Error::Empty {
            path: path.into(),
            what: "model and channel, as `mta attribute --format csv` writes them (or the JSON of `--format json`)",
        });
    }
    let header = record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(|s| s.trim().to_string())
                .map_err(|_| malformed(1, format!("header field {} is not valid UTF-8; expected UTF-8 text", i + 1)))
        })
        .collect::<Result<Vec<String>>>()?;
    let mut index = [0usize; 5];
    for (slot, column) in index.iter_mut().zip(CREDIT_COLUMNS) {
        *slot = header.iter().position(|h| h.eq_ignore_ascii_case(column)).ok_or_else(|| {
            let available = header
                .iter()
                .map(|h| format!("`{}`", display_value(h)))
                .collect::<Vec<_>>()
                .join(", ");
            Error::MissingColumn {
                path: path.into(),
                column: column.into(),
                hint: format!(
                    "expected the results of `mta attribute`: CSV with the header `{}`, or its JSON; \
                     available columns are {available}",
                    CREDIT_COLUMNS.join(",")
                ),
            }
        })?;
    }

    let mut builder = Builder::default();
    while read(&mut rdr, &mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            let mut detail = format!("found {} fields, expected {} like the header", record.len(), header.len());
            if record.iter().any(|f| f.contains(&b'\n')) {
                detail.push_str(" (a quoted field runs over several lines: is a closing quote missing?)");
            }
            return Err(malformed(line, detail));
        }
        let text = |col: usize| {
            std::str::from_utf8(&record[index[col]]).map(str::trim).map_err(|_| {
                malformed(
                    line,
                    format!("column `{}` is not valid UTF-8; expected UTF-8 text", CREDIT_COLUMNS[col]),
                )
            })
        };
        let cell = |col: usize, found: &str, expected: &str| Error::Cell {
            path: path.into(),
            location: Location::Line(line),
            column: header[index[col]].clone(),
            found: display_value(found),
            expected: expected.into(),
        };
        let name = |col: usize, what: &str| -> Result<String> {
            let t = text(col)?;
            if t.is_empty() {
                return Err(cell(col, t, &format!("a {what} name")));
            }
            Ok(t.to_string())
        };
        let number = |col: usize| -> Result<f64> {
            let t = text(col)?;
            t.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| cell(col, t, "a number such as `0.250000`"))
        };
        let model = name(0, "model")?;
        let channel = name(1, "channel")?;
        let figures = Figures {
            conversions: number(2)?,
            value: number(3)?,
            share: number(4)?,
        };
        if let Some(first) = builder.insert(model.clone(), channel.clone(), figures, line) {
            return Err(malformed(
                line,
                format!(
                    "model `{}` and channel `{}` appear again (first on line {first}); expected one row per model and channel",
                    display_value(&model),
                    display_value(&channel)
                ),
            ));
        }
    }
    Ok(builder.finish())
}

/// Collects rows into models in order of first appearance.
#[derive(Default)]
struct Builder {
    models: Vec<ModelResults>,
    /// model name -> (index in `models`, channel -> line of its row)
    seen: BTreeMap<String, (usize, BTreeMap<String, u64>)>,
}

impl Builder {
    /// Adds a row; returns the line of an earlier row for the same pair.
    fn insert(&mut self, model: String, channel: String, figures: Figures, line: u64) -> Option<u64> {
        let next = self.models.len();
        let (i, lines) = self.seen.entry(model.clone()).or_insert_with(|| (next, BTreeMap::new()));
        if let Some(first) = lines.get(&channel) {
            return Some(*first);
        }
        lines.insert(channel.clone(), line);
        if *i == next {
            self.models.push(ModelResults {
                model,
                channels: BTreeMap::new(),
            });
        }
        self.models[*i].channels.insert(channel, figures);
        None
    }

    fn finish(self) -> Results {
        Results { models: self.models }
    }
}

/// The JSON of `mta attribute --format json`; `input` and `parameters` are
/// not compared and may be absent.
#[derive(Deserialize)]
struct JsonResults {
    /// Each model once, each channel once per model.
    #[serde(deserialize_with = "json_models")]
    models: Vec<ModelResults>,
}

/// One entry of `credits`.
#[derive(Deserialize)]
struct JsonCredit {
    /// Channel name.
    channel: String,
    /// Credited conversions.
    conversions: f64,
    /// Credited revenue.
    value: f64,
    /// Share of the model's conversions.
    share: f64,
}

/// Deserializes `models`, each entry with [`JsonModel`].
fn json_models<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<ModelResults>, D::Error> {
    struct Models;
    impl<'de> Visitor<'de> for Models {
        type Value = Vec<ModelResults>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of models")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            while let Some(m) = seq.next_element_seed(JsonModel { seen: &mut seen })? {
                out.push(m);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Models)
}

/// One entry of `models`: `{"model", "credits", ...}`. Checked inside the
/// entry (empty names, a model seen before, a channel listed twice) so that
/// serde_json reports the line where the entry ends, not the end of the list.
struct JsonModel<'s> {
    /// Models of the entries before this one.
    seen: &'s mut BTreeSet<String>,
}

impl<'de> de::DeserializeSeed<'de> for JsonModel<'_> {
    type Value = ModelResults;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<ModelResults, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for JsonModel<'_> {
    type Value = ModelResults;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a model: {"model", "credits"}"#)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<ModelResults, A::Error> {
        let (mut model, mut credits): (Option<String>, Option<Vec<JsonCredit>>) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "model" if model.is_some() => return Err(de::Error::duplicate_field("model")),
                "credits" if credits.is_some() => return Err(de::Error::duplicate_field("credits")),
                "model" => model = Some(map.next_value()?),
                "credits" => credits = Some(map.next_value()?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let model = model.ok_or_else(|| de::Error::missing_field("model"))?.trim().to_string();
        let credits = credits.ok_or_else(|| de::Error::missing_field("credits"))?;
        let shown = display_value(&model);
        if model.is_empty() {
            return Err(de::Error::custom("a model has an empty name; the entry ends here"));
        }
        if !self.seen.insert(model.clone()) {
            return Err(de::Error::custom(format!(
                "model `{shown}` appears twice; the second entry ends here"
            )));
        }
        let mut channels = BTreeMap::new();
        for c in credits {
            let channel = c.channel.trim().to_string();
            if channel.is_empty() {
                return Err(de::Error::custom(format!(
                    "model `{shown}` has a channel with an empty name; the entry ends here"
                )));
            }
            let figures = Figures {
                conversions: c.conversions,
                value: c.value,
                share: c.share,
            };
            if channels.insert(channel.clone(), figures).is_some() {
                return Err(de::Error::custom(format!(
                    "model `{shown}` lists channel `{}` twice; the entry ends here",
                    display_value(&channel)
                )));
            }
        }
        Ok(ModelResults { model, channels })
    }
}

fn parse_json(path: &str, bytes: &[u8]) -> Result<Results> {
    let parsed: JsonResults = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json appends the position to its message; it goes into the
        // location instead.
        let msg = e.to_string();
        let msg = msg
            .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
            .unwrap_or(&msg)
            .to_string();
        Error::Malformed {
            path: path.into(),
            location: Location::Line(e.line().max(1) as u64),
            detail: format!(
                "{msg} (column {})\n\nhint: expected the JSON written by `mta attribute --format json`: {JSON_SHAPE}",
                e.column()
            ),
        }
    })?;
    Ok(Results { models: parsed.models })
}

/// When two figures count as equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Largest difference allowed: absolute, or a fraction of |base|.
    pub limit: f64,
    /// `|new - base| <= limit * |base|` instead of `<= limit`.
    pub relative: bool,
}

impl Tolerance {
    /// Whether `new` is within tolerance of `base`. Relative to a base of 0
    /// only an exact 0 passes.
    pub fn within(&self, base: f64, new: f64) -> bool {
        let allowed = if self.relative { self.limit * base.abs() } else { self.limit };
        // Figures often come from 6-decimal text: `0.301 - 0.300` is a few
        // ulps above `0.001` in binary, and must still pass at 0.001. The
        // slack is ulps of the operands, so it is 0 when both are 0 and never
        // lets through a difference as large as the operands themselves.
        let slack = 8.0 * f64::EPSILON * base.abs().max(new.abs());
        (new - base).abs() <= allowed + slack
    }
}

/// Outcome of one (model, channel) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Both sides have it, within tolerance.
    Ok,
    /// Both sides have it, beyond tolerance.
    Beyond,
    /// Only the base file has it.
    OnlyInBase,
    /// Only the new file has it.
    OnlyInNew,
}

impl Status {
    /// The name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Beyond => "beyond",
            Status::OnlyInBase => "only-in-base",
            Status::OnlyInNew => "only-in-new",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One (model, channel) pair of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowDiff {
    /// Model name.
    pub model: String,
    /// Channel name.
    pub channel: String,
    /// The compared figure in the base file (`null` when absent there).
    pub base: Option<f64>,
    /// The compared figure in the new file (`null` when absent there).
    pub new: Option<f64>,
    /// `new - base` (`null` when one side is absent).
    pub difference: Option<f64>,
    /// `ok`, `beyond`, `only-in-base` or `only-in-new`.
    pub status: Status,
}

/// Two result files compared on one figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// Pairs compared (present on either side).
    pub compared: usize,
    /// Pairs beyond tolerance, one-sided pairs included.
    pub beyond: usize,
    /// Pairs only in the base file.
    pub only_in_base: usize,
    /// Pairs only in the new file.
    pub only_in_new: usize,
    /// Rows by model (base order, then models only in new in their order),
    /// then channel name; every pair unless [`Comparison::retain_beyond`] ran.
    pub rows: Vec<RowDiff>,
}

impl Comparison {
    /// Compares `figure` of every (model, channel) pair of `base` and `new`.
    pub fn compute(base: &Results, new: &Results, figure: fn(&Figures) -> f64, tolerance: Tolerance) -> Comparison {
        let mut order: Vec<&str> = base.models.iter().map(|m| m.model.as_str()).collect();
        order.extend(
            new.models
                .iter()
                .map(|m| m.model.as_str())
                .filter(|n| !base.models.iter().any(|b| b.model == *n)),
        );
        let empty = BTreeMap::new();
        let mut rows = Vec::new();
        for model in order {
            let b = base.channels(model).unwrap_or(&empty);
            let n = new.channels(model).unwrap_or(&empty);
            let channels: BTreeSet<&String> = b.keys().chain(n.keys()).collect();
            for channel in channels {
                let bv = b.get(channel).map(figure);
                let nv = n.get(channel).map(figure);
                let (difference, status) = match (bv, nv) {
                    (Some(x), Some(y)) if tolerance.within(x, y) => (Some(y - x), Status::Ok),
                    (Some(x), Some(y)) => (Some(y - x), Status::Beyond),
                    (Some(_), None) => (None, Status::OnlyInBase),
                    (None, _) => (None, Status::OnlyInNew),
                };
                rows.push(RowDiff {
                    model: model.to_string(),
                    channel: channel.clone(),
                    base: bv,
                    new: nv,
                    difference,
                    status,
                });
            }
        }
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        Comparison {
            tolerance,
            compared: rows.len(),
            beyond: rows.len() - count(Status::Ok),
            only_in_base: count(Status::OnlyInBase),
            only_in_new: count(Status::OnlyInNew),
            rows,
        }
    }

    /// Keeps only the rows beyond tolerance (counts are unchanged).
    pub fn retain_beyond(&mut self) {
        self.rows.retain(|r| r.status != Status::Ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(f: &Figures) -> f64 {
        f.share
    }

    fn abs(limit: f64) -> Tolerance {
        Tolerance { limit, relative: false }
    }

    fn rel(limit: f64) -> Tolerance {
        Tolerance { limit, relative: true }
    }

    const BASE: &str = "model,channel,conversions,value,share\n\
                        linear,Email,1.000000,10.000000,0.250000\n\
                        linear,Search,3.000000,30.000000,0.750000\n\
                        first-click,Email,2.000000,20.000000,0.500000\n\
                        first-click,Search,2.000000,20.000000,0.500000\n";

    fn csv(text: &str) -> Result<Results> {
        Results::parse("r.csv", text.as_bytes())
    }

    #[test]
    fn absolute_tolerance_by_hand() {
        let t = abs(0.001);
        assert!(t.within(0.25, 0.2505)); // 0.0005 <= 0.001
        assert!(!t.within(0.25, 0.252)); // 0.002 > 0.001
        assert!(t.within(0.300, 0.301)); // exactly the tolerance, despite binary rounding
        assert!(t.within(0.301, 0.300));
        assert!(!t.within(0.300, 0.301001));
        assert!(abs(0.0).within(0.5, 0.5));
        assert!(!abs(0.0).within(0.5, 0.500001));
    }

    #[test]
    fn relative_tolerance_by_hand() {
        let t = rel(0.05);
        assert!(t.within(0.5, 0.52)); // 0.02 <= 0.05 * 0.5 = 0.025
        assert!(!t.within(0.1, 0.11)); // 0.01 > 0.05 * 0.1 = 0.005
        assert!(t.within(-2.0, -2.1)); // 0.1 <= 0.05 * |-2|
        assert!(t.within(0.0, 0.0)); // base 0: only an exact 0 passes
        assert!(!t.within(0.0, 1e-12));
        assert!(!rel(1e6).within(0.0, 1e-300));
    }

    #[test]
    fn csv_keeps_model_order_and_sorts_channels() {
        let r = csv("model,channel,conversions,value,share,extra\n\
                     b,Zeta,1,2,0.5,x\n\
                     a,Beta,1,2,0.5,y\n\
                     b,Alpha,1,2,0.5,z\n")
        .unwrap();
        let models: Vec<&str> = r.models.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(models, ["b", "a"]);
        let channels: Vec<&String> = r.models[0].channels.keys().collect();
        assert_eq!(channels, ["Alpha", "Zeta"]);
        assert_eq!(r.models[1].channels.len(), 1);
    }

    #[test]
    fn csv_columns_in_any_order_and_case() {
        let r = csv("Share,value,CHANNEL,conversions,model\n0.25,10,Email,1,linear\n").unwrap();
        assert_eq!(
            r.models[0].channels["Email"],
            Figures {
                conversions: 1.0,
                value: 10.0,
                share: 0.25
            }
        );
    }

    #[test]
    fn json_and_csv_read_the_same() {
        let json = r#"{
          "input": {"rows_read": 7},
          "models": [
            {"model": "linear", "parameters": {}, "credits": [
              {"channel": "Search", "conversions": 3.0, "value": 30.0, "share": 0.75},
              {"channel": "Email", "conversions": 1.0, "value": 10.0, "share": 0.25}]},
            {"model": "first-click", "parameters": {}, "credits": [
              {"channel": "Email", "conversions": 2.0, "value": 20.0, "share": 0.5},
              {"channel": "Search", "conversions": 2.0, "value": 20.0, "share": 0.5}]}
          ]
        }"#;
        assert_eq!(Results::parse("r.json", json.as_bytes()).unwrap(), csv(BASE).unwrap());
    }

    #[test]
    fn malformed_csv_names_file_line_and_expectation() {
        let e = csv("model,channel,conversions,value,share\nlinear,Email,1,10,abc\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`r.csv` line 2, column `share`: found `abc`, expected a number such as `0.250000`"
        );
        let e = csv("model,channel,conversions,value,share\nlinear,Email,1,10\n").unwrap_err();
        assert_eq!(e.to_string(), "`r.csv` line 2: found 4 fields, expected 5 like the header");
        let e = csv("model,channel,conversions,value,share\nlinear,,1,10,1\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("line 2, column `channel`: found ``, expected a channel name"),
            "{e}"
        );
        let e = csv("channel,removal_effect,conversions,value\na,1,2,20\n").unwrap_err();
        assert!(
            e.to_string().starts_with("column `model` not found in `r.csv`")
                && e.to_string().contains("model,channel,conversions,value,share"),
            "{e}"
        );
        let e = csv("model,channel,conversions,value,share\nl,E,1,1,1\nm,E,1,1,1\nl,E,1,1,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`r.csv` line 4: model `l` and channel `E` appear again (first on line 2); expected one row per model and channel"
        );
        let e = csv("model,channel,conversions,value,share\nl,E,1,1,1\n\"l,F,1,1,1\n").unwrap_err();
        assert!(
            e.to_string().ends_with(
                "found 1 fields, expected 5 like the header (a quoted field runs over several lines: is a closing quote missing?)"
            ),
            "{e}"
        );
        assert!(csv("").unwrap_err().to_string().starts_with("`r.csv` is empty"));
        let e = Results::parse("r.parquet", b"PAR1\x15\x04").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`r.parquet` line 1: found a Parquet file, expected the CSV or JSON"),
            "{e}"
        );
        assert!(csv(" \n").is_err());
    }

    #[test]
    fn malformed_json_names_file_line_and_expectation() {
        let parse = |text: &str| Results::parse("r.json", text.as_bytes()).unwrap_err().to_string();
        let e = parse(
            "{\"models\": [\n{\"model\": \"linear\", \"credits\": [\n{\"channel\": \"Email\", \"conversions\": 1, \"value\": 2}\n]}]}",
        );
        assert!(
            e.starts_with("`r.json` line 3: missing field `share` (column ") && e.contains("\n\nhint: expected the JSON written by"),
            "{e}"
        );
        let e = parse("{\"input\": {}}");
        assert!(e.starts_with("`r.json` line 1: missing field `models`"), "{e}");
        let e = parse("{\"models\": [\n{\"model\": \"a\", \"credits\": []},\n{\"model\": \"a\", \"credits\": []}\n]}");
        assert!(
            e.starts_with("`r.json` line 3: model `a` appears twice; the second entry ends here (column "),
            "{e}"
        );
        let e = parse(
            "{\"models\": [{\"model\": \"a\", \"credits\": [\n\
             {\"channel\": \"E\", \"conversions\": 1, \"value\": 1, \"share\": 1},\n\
             {\"channel\": \"E\", \"conversions\": 1, \"value\": 1, \"share\": 1}]}\n]}",
        );
        assert!(e.starts_with("`r.json` line 3: model `a` lists channel `E` twice"), "{e}");
        let e = parse("{\"models\": [{\"credits\": []}]}");
        assert!(e.starts_with("`r.json` line 1: missing field `model`"), "{e}");
        let e = parse("{\"models\": [");
        assert!(e.starts_with("`r.json` line 1: EOF while parsing a list"), "{e}");
    }

    #[test]
    fn compare_orders_rows_and_counts_one_sided_pairs() {
        let base = csv(BASE).unwrap();
        let new = csv("model,channel,conversions,value,share\n\
                       first-click,Email,2,20,0.5005\n\
                       first-click,Search,2,20,0.498\n\
                       markov,Email,1,1,1\n\
                       linear,Email,1,10,0.25\n\
                       linear,Display,0,0,0\n")
        .unwrap();
        let mut c = Comparison::compute(&base, &new, share, abs(0.001));
        let got: Vec<(&str, &str, Status)> = c.rows.iter().map(|r| (r.model.as_str(), r.channel.as_str(), r.status)).collect();
        assert_eq!(
            got,
            [
                ("linear", "Display", Status::OnlyInNew),
                ("linear", "Email", Status::Ok),
                ("linear", "Search", Status::OnlyInBase),
                ("first-click", "Email", Status::Ok),      // 0.0005 <= 0.001
                ("first-click", "Search", Status::Beyond), // 0.002 > 0.001
                ("markov", "Email", Status::OnlyInNew),
            ]
        );
        assert_eq!((c.compared, c.beyond, c.only_in_base, c.only_in_new), (6, 4, 1, 2));
        let search = &c.rows[4];
        assert_eq!((search.base, search.new), (Some(0.5), Some(0.498)));
        assert!((search.difference.unwrap() + 0.002).abs() < 1e-12);
        assert_eq!((c.rows[2].new, c.rows[2].difference), (None, None));
        c.retain_beyond();
        assert_eq!(c.rows.len(), 4);
        assert_eq!(c.beyond, 4);
    }

    #[test]
    fn identical_files_are_all_within() {
        let base = csv(BASE).unwrap();
        let c = Comparison::compute(&base, &base, |f| f.value, abs(0.0));
        assert_eq!((c.compared, c.beyond), (4, 0));
        assert!(c.rows.iter().all(|r| r.difference == Some(0.0)));
    }

    #[test]
    fn status_names_match_serde() {
        for s in [Status::Ok, Status::Beyond, Status::OnlyInBase, Status::OnlyInNew] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}
