//! JSON: `{"input": {...}, "models": [{"model", "parameters", "credits": [...]}]}`.
//! Keys come from `Serialize` structs (fixed order), never from a HashMap.

use std::io::Write;

use super::Exporter;
use crate::error::{Error, Result};
use crate::report::Report;

/// Writes pretty-printed JSON.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn export(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let io = |e: std::io::Error| Error::Write {
            path: "<output>".into(),
            source: e,
        };
        serde_json::to_writer_pretty(&mut *out, report).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testutil::render;

    #[test]
    fn has_the_contract_keys() {
        let v: serde_json::Value = serde_json::from_str(&render(&JsonExporter)).unwrap();
        assert_eq!(v["input"]["rows_read"], 7);
        assert_eq!(v["models"][0]["model"], "first-click");
        assert_eq!(v["models"][1]["parameters"]["position_weights"][0], 0.4);
        let credit = &v["models"][1]["credits"][1];
        assert_eq!(credit["channel"], "Paid <Search>");
        assert_eq!(credit["value"], 35.0);
        let keys: Vec<&String> = v["models"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["credits", "model", "parameters"]);
    }
}
