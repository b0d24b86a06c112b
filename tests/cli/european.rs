//! European spreadsheet CSVs: `;`, Windows-1252 or UTF-16 text, decimal
//! commas and German dates. testdata/excel_de.csv is testdata/events.csv as
//! German Excel saves it (see testdata/README.md).

use super::*;

/// The flags that read excel_de.csv.
const GERMAN: [&str; 14] = [
    "--customer-col",
    "Kunde",
    "--time-col",
    "Zeitpunkt",
    "--channel-col",
    "Kanal",
    "--conversion-col",
    "Kauf",
    "--value-col",
    "Umsatz (€)",
    "--time-format",
    "%d.%m.%Y %H:%M",
    "--timezone",
    "Europe/Berlin",
];

fn german(file: &str, extra: &[&str]) -> std::process::Output {
    mta()
        .args(["attribute", file, "--format", "csv", "-q"])
        .args(GERMAN)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_german_excel_export_gives_the_samples_credits() {
    let out = german("testdata/excel_de.csv", &["--encoding", "windows-1252", "--decimal-comma"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = parse_csv(&out.stdout);
    let want = attribute_csv(&["testdata/events.csv"]);
    assert_eq!(got.len(), want.len());
    // Same journeys (local times in Berlin are the sample's UTC times), one
    // channel renamed, revenue written ten times larger (`1.200,00` for 120).
    for ((model, channel), w) in &want {
        let name = if channel == "Social" { "Soziale Medien (Süd)" } else { channel };
        let g = got[&(model.clone(), name.to_string())];
        assert_close(g.conversions, w.conversions, &format!("{model} {channel}"));
        // (CSV has six decimals: ten times a rounded value is off by up to 5e-6.)
        assert!(
            (g.value - w.value * 10.0).abs() < 1e-5,
            "{model} {channel}: {} vs {}",
            g.value,
            w.value
        );
    }
    // The same text in UTF-16 with a byte-order mark needs no `--encoding`.
    let f = Fixture::new();
    let text: String = std::fs::read(testdata("excel_de.csv"))
        .unwrap()
        .iter()
        .map(|&b| {
            // Windows-1252 differs from Latin-1 only in 0x80-0x9F; the file's one such byte is the euro sign.
            if b == 0x80 { '€' } else { char::from(b) }
        })
        .collect();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = f.file("excel_de_utf16.csv", utf16);
    let out = german(path.to_str().unwrap(), &["--decimal-comma"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(parse_csv(&out.stdout), got);
}

#[test]
fn without_the_flags_the_errors_name_them() {
    // The header's `€` is byte 0x80: not UTF-8.
    let out = german("testdata/excel_de.csv", &["--decimal-comma"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`testdata/excel_de.csv` line 1: header field 5 is not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("pass `--encoding windows-1252`"), "{err}");
    // Bad bytes in a data row name their line and column too.
    let f = Fixture::new();
    let p = f.file(
        "x.csv",
        b"customer_id,timestamp,channel,conversion\na,2025-01-01,Suchmaschine,0\nb,2025-01-02,S\xfcd,1\n",
    );
    let out = mta().args(["attribute", p.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("line 3: column `channel` is not valid UTF-8") && err.contains("--encoding windows-1252"),
        "{err}"
    );
    // With the encoding but not the decimal comma: the first amount stops the run.
    let out = german("testdata/excel_de.csv", &["--encoding", "windows-1252"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("line 4, column `Umsatz (€)`: found `300,00`, expected a revenue amount")
            && err.contains("this looks like a decimal comma: pass `--decimal-comma`"),
        "{err}"
    );
    // And the other way round: a decimal point under `--decimal-comma`.
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--decimal-comma"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("found `30.00`") && err.contains("drop `--decimal-comma`"), "{err}");
    // An unknown encoding is a usage error listing the known ones.
    let out = mta()
        .args(["attribute", "testdata/events.csv", "--encoding", "ebcdic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("windows-1252"));
}

#[test]
fn decimal_commas_reach_path_aggregates_and_skipped_rows_are_counted() {
    let f = Fixture::new();
    let paths = f.file(
        "paths.csv",
        "path;total_conversions;total_conversion_value;total_null\nA > B;2;1.000,50;1\nB;1;0,25;0\nA;1;12.5;0\n",
    );
    let out = mta()
        .args([
            "attribute",
            "--paths",
            paths.to_str().unwrap(),
            "--decimal-comma",
            "--models",
            "last-click",
        ])
        .args(["--format", "json", "--on-error", "skip"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // `12.5` is not a decimal-comma number: its row is skipped and counted.
    assert_eq!(json["input"]["rows_skipped"], 1);
    assert_eq!(json["input"]["revenue"], 1000.75);
}
