//! Result files of `mta attribute` read back, for `mta compare`: the CSV
//! contract (`model,channel,conversions,value,share`), its Parquet, or the
//! JSON document. CSV and Parquet go through the same reader as every other
//! input (byte-order mark, delimiter, field counts, the Parquet sniff, gzip),
//! so a broken file gets the same precise error; JSON is told apart by its
//! first byte.
//!
//! [`CREDIT_COLUMNS`] is the contract: the CSV writer's header and what this
//! reader asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::error::{Error, Location, Result, display_value};
use crate::input::schema::ColumnRequest;
use crate::input::{OnError, Source};

/// The CSV contract's columns, in the order `mta attribute` writes them.
pub const CREDIT_COLUMNS: [&str; 5] = ["model", "channel", "conversions", "value", "share"];

/// Columns (CSV, Parquet) or keys (JSON) that `mta attribute --by` puts
/// before `model`: each names a dimension, and its value the segment.
pub const SEGMENT_COLUMNS: [&str; 2] = ["conversion_type", "period"];

/// A results file's segment of one model entry: `(column, value)` pairs, in
/// [`SEGMENT_COLUMNS`] order; empty for results without `--by`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labels(pub Vec<(String, String)>);

impl serde::Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl fmt::Display for Labels {
    /// `conversion_type=purchase` (empty without a segment).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(","))
    }
}

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
    /// Its segment (`--by`), if any.
    pub segment: Labels,
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
    /// The channels of `model` in `segment`, if the file has them.
    pub fn channels(&self, segment: &Labels, model: &str) -> Option<&BTreeMap<String, Figures>> {
        self.models
            .iter()
            .find(|m| m.model == model && m.segment == *segment)
            .map(|m| &m.channels)
    }
}

/// Reads one result file (`-` for stdin; gzip is read too).
pub fn load(source: &Source) -> Result<Results> {
    let bytes = source.read()?;
    let text = crate::input::format::csv::strip_bom(&bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return parse_json(&source.name(), text);
    }
    let advice = format!(
        "expected the results of `mta attribute`: CSV or Parquet with the columns `{}`, or its JSON",
        CREDIT_COLUMNS.join(",")
    );
    let mut requests: Vec<ColumnRequest<'_>> = CREDIT_COLUMNS
        .iter()
        .map(|&name| ColumnRequest {
            advice: Some(&advice),
            ..ColumnRequest::required(name, "")
        })
        .collect();
    requests.extend(SEGMENT_COLUMNS.iter().map(|&name| ColumnRequest::optional(name, "")));
    let what = "model and channel, as `mta attribute --format csv` writes them (or the JSON of `--format json`)";
    let ask = crate::input::format::Ask {
        dialect: &crate::input::Dialect::default(),
        columns: &requests,
        what,
        on_error: OnError::Stop,
    };
    let table = crate::input::format::table_of(source, bytes, ask)?;
    let mut names: [Vec<String>; 2] = Default::default();
    for (col, (names, what)) in names.iter_mut().zip(["a model name", "a channel name"]).enumerate() {
        table.for_each_text(col, what, crate::input::Reason::InvalidValue, |_, text| {
            names.push(text.to_string());
            Ok(())
        })?;
    }
    let mut figures: [Vec<f64>; 3] = Default::default();
    for (k, numbers) in figures.iter_mut().enumerate() {
        table.numbers(2 + k, "a number such as `0.250000`", numbers)?;
    }
    // `--by` results: each row's segment.
    let mut segments = vec![Labels::default(); table.height];
    for (k, &name) in SEGMENT_COLUMNS.iter().enumerate() {
        let col = CREDIT_COLUMNS.len() + k;
        if table.columns[col].is_some() {
            table.for_each_text(col, "a segment value", crate::input::Reason::InvalidValue, |row, text| {
                segments[row].0.push((name.to_string(), text.to_string()));
                Ok(())
            })?;
        }
    }
    let [models, channels] = names;
    let mut builder = Builder::default();
    for (row, ((model, channel), segment)) in models.into_iter().zip(channels).zip(segments).enumerate() {
        let f = Figures {
            conversions: figures[0][row],
            value: figures[1][row],
            share: figures[2][row],
        };
        if let Some(first) = builder.insert(segment.clone(), model.clone(), channel.clone(), f, row) {
            let within = if segment.0.is_empty() {
                String::new()
            } else {
                format!(" of `{segment}`")
            };
            return Err(Error::Malformed {
                path: table.name.clone(),
                location: table.location(row),
                detail: format!(
                    "model `{}`{within} and channel `{}` appear again (first on {}); expected one row per model and channel",
                    display_value(&model),
                    display_value(&channel),
                    table.location(first)
                ),
            });
        }
    }
    Ok(builder.finish())
}

/// Collects rows into models in order of first appearance.
#[derive(Default)]
struct Builder {
    models: Vec<ModelResults>,
    /// (segment, model name) -> (index in `models`, channel -> data row of its row)
    seen: BTreeMap<(Labels, String), (usize, BTreeMap<String, usize>)>,
}

impl Builder {
    /// Adds a row; returns the data row of an earlier row for the same pair.
    fn insert(&mut self, segment: Labels, model: String, channel: String, figures: Figures, line: usize) -> Option<usize> {
        let next = self.models.len();
        let (i, lines) = self
            .seen
            .entry((segment.clone(), model.clone()))
            .or_insert_with(|| (next, BTreeMap::new()));
        if let Some(first) = lines.get(&channel) {
            return Some(*first);
        }
        lines.insert(channel.clone(), line);
        if *i == next {
            self.models.push(ModelResults {
                segment,
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
    /// (Segment, model) of the entries before this one.
    seen: &'s mut BTreeSet<(Labels, String)>,
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
        let mut segment = Labels::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "model" if model.is_some() => return Err(de::Error::duplicate_field("model")),
                "credits" if credits.is_some() => return Err(de::Error::duplicate_field("credits")),
                "model" => model = Some(map.next_value()?),
                "credits" => credits = Some(map.next_value()?),
                k if SEGMENT_COLUMNS.contains(&k) => {
                    let value: String = map.next_value()?;
                    segment.0.push((k.to_string(), value.trim().to_string()));
                }
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
        segment.0.sort_by_key(|(k, _)| SEGMENT_COLUMNS.iter().position(|c| c == k));
        if !self.seen.insert((segment.clone(), model.clone())) {
            let within = if segment.0.is_empty() {
                String::new()
            } else {
                format!(" of `{segment}`")
            };
            return Err(de::Error::custom(format!(
                "model `{shown}`{within} appears twice; the second entry ends here"
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
        Ok(ModelResults { segment, model, channels })
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
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const BASE: &str = "model,channel,conversions,value,share\n\
                        linear,Email,1.000000,10.000000,0.250000\n\
                        linear,Search,3.000000,30.000000,0.750000\n\
                        first-click,Email,2.000000,20.000000,0.500000\n\
                        first-click,Search,2.000000,20.000000,0.500000\n";

    /// Reads `bytes` as the file `name`.
    pub(crate) fn parse(name: &str, bytes: &[u8]) -> Result<Results> {
        load(&Source::Memory {
            name: name.into(),
            bytes: bytes.into(),
        })
    }

    fn csv(text: &str) -> Result<Results> {
        parse("r.csv", text.as_bytes())
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
        assert_eq!(parse("r.json", json.as_bytes()).unwrap(), csv(BASE).unwrap());
    }

    #[test]
    fn malformed_csv_names_file_line_and_expectation() {
        let error = |text: &str| csv(text).unwrap_err().to_string();
        let e = error("model,channel,conversions,value,share\nlinear,Email,1,10,abc\n");
        assert_eq!(
            e,
            "`r.csv` line 2, column `share`: found `abc`, expected a number such as `0.250000`"
        );
        // A row cut short: its missing cell is named (the shared reader reads
        // missing trailing fields as empty).
        let e = error("model,channel,conversions,value,share\nlinear,Email,1,10\n");
        assert_eq!(e, "`r.csv` line 2, column `share`: found ``, expected a number such as `0.250000`");
        let e = error("model,channel,conversions,value,share\nlinear,Email,1,10,1,9\n");
        assert_eq!(e, "`r.csv` line 2: found 6 fields, expected 5 like the header");
        let e = error("model,channel,conversions,value,share\nlinear,,1,10,1\n");
        assert!(e.contains("line 2, column `channel`: found ``, expected a channel name"), "{e}");
        let e = error("channel,removal_effect,conversions,value\na,1,2,20\n");
        assert!(
            e.starts_with("column `model` not found in `r.csv`") && e.contains("model,channel,conversions,value,share"),
            "{e}"
        );
        let e = error("model,channel,conversions,value,share\nl,E,1,1,1\nm,E,1,1,1\nl,E,1,1,1\n");
        assert_eq!(
            e,
            "`r.csv` line 4: model `l` and channel `E` appear again (first on line 2); expected one row per model and channel"
        );
        let e = error("model,channel,conversions,value,share\nl,E,1,1,1\n\"l,F,1,1,1\n");
        assert!(
            e.ends_with("found 1 fields, expected 5 like the header (a quoted field runs over several lines: is a closing quote missing?)"),
            "{e}"
        );
        assert!(csv("").unwrap_err().to_string().starts_with("`r.csv` is empty"));
        let e = parse("r.parquet", b"PAR1\x15\x04").unwrap_err();
        assert!(e.to_string().starts_with("cannot read `r.parquet` as Parquet"), "{e}");
        assert!(csv(" \n").is_err());
        // The byte-order mark of a spreadsheet's export, and its semicolons.
        let bom = csv("\u{feff}model;channel;conversions;value;share\nlinear;Email;1;10;0.25\n").unwrap();
        assert_eq!(bom.channels(&Labels::default(), "linear").unwrap()["Email"].share, 0.25);
    }

    #[test]
    fn malformed_json_names_file_line_and_expectation() {
        let parse = |text: &str| parse("r.json", text.as_bytes()).unwrap_err().to_string();
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
}
