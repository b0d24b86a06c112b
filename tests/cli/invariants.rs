//! Invariants on generated data: credits sum to what is distributed, row
//! order and thread count change nothing, renaming channels changes only the
//! labels, and the event, separate-conversion and path forms agree.

use super::*;

const MODELS_WITHOUT_TIME: [&str; 5] = ["first-click", "last-click", "last-non-direct", "linear", "position-based"];

fn csv_bytes(args: &[&str], threads: &str) -> Vec<u8> {
    let out = mta()
        .arg("attribute")
        .args(args)
        .args(["--format", "csv", "-q"])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn credits_sum_to_conversions_and_revenue_for_every_model() {
    let f = generated(3000, 11, 8);
    let events = f.path("events.csv");
    let out = mta()
        .args(["attribute", events.to_str().unwrap(), "--format", "json", "-q"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let conversions = v["input"]["conversions"].as_f64().unwrap();
    let revenue = v["input"]["revenue"].as_f64().unwrap();
    assert!(conversions > 100.0, "the generator should convert some customers");
    for m in v["models"].as_array().unwrap() {
        let credits = m["credits"].as_array().unwrap();
        let c: f64 = credits.iter().map(|c| c["conversions"].as_f64().unwrap()).sum();
        let r: f64 = credits.iter().map(|c| c["value"].as_f64().unwrap()).sum();
        let s: f64 = credits.iter().map(|c| c["share"].as_f64().unwrap()).sum();
        if m["model"] == "participation" {
            // Every channel in full: at least the conversions, shares over 1.
            assert!(c >= conversions - 1e-6 && s >= 1.0 - 1e-9, "participation {c} {s}");
            continue;
        }
        assert_close(c, conversions, &format!("{} conversions", m["model"]));
        assert!((r - revenue).abs() < 1e-6 * revenue, "{} revenue {r} != {revenue}", m["model"]);
        assert_close(s, 1.0, "shares");
        if m["model"] != "shapley" {
            // Shapley may credit a channel negatively (kept on purpose).
            assert!(credits.iter().all(|c| c["conversions"].as_f64().unwrap() >= 0.0), "{}", m["model"]);
        }
    }
}

#[test]
fn row_order_and_thread_count_change_nothing() {
    let f = generated(2000, 11, 8);
    let events = std::fs::read_to_string(f.path("events.csv")).unwrap();
    let mut lines: Vec<&str> = events.lines().collect();
    let header = lines.remove(0);
    // A fixed pseudo-random permutation (no RNG crate needed).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..lines.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        lines.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let shuffled = f.file("shuffled.csv", format!("{header}\n{}\n", lines.join("\n")));
    let original = f.path("events.csv");
    let a = csv_bytes(&[original.to_str().unwrap()], "1");
    let b = csv_bytes(&[shuffled.to_str().unwrap()], "2");
    let c = csv_bytes(&[shuffled.to_str().unwrap()], "1");
    assert_eq!(a, b);
    assert_eq!(a, c);
    // Path aggregates too: of the events, and of path rows in another order.
    let paths = |args: &[&std::path::Path], threads: &str| {
        let out = mta()
            .arg("paths")
            .args(args)
            .arg("-q")
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let rows = paths(&[&original], "1");
    assert_eq!(rows, paths(&[&shuffled], "2"));
    // Each path row split in three parts (0.1, 0.2 and 0.7 of its revenue:
    // their float sum depends on the order of adding), given in two orders,
    // merges to the same bytes.
    let text = String::from_utf8(rows).unwrap();
    let mut parts: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let value: f64 = f[2].parse().unwrap();
        for k in [0.1, 0.2, 0.7] {
            parts.push(format!("{},{},{},{}", f[0], f[1], value * k, f[3]));
        }
    }
    let header = "path,total_conversions,total_conversion_value,total_null";
    let forward = f.file("forward.csv", format!("{header}\n{}\n", parts.join("\n")));
    parts.reverse();
    let backward = f.file("backward.csv", format!("{header}\n{}\n", parts.join("\n")));
    // Parquet: the sums to the last bit (CSV rounds them to 6 decimals).
    let parquet = std::path::Path::new("--format=parquet");
    let flag = std::path::Path::new("--paths");
    let (a, b) = (paths(&[parquet, flag, &forward], "1"), paths(&[parquet, flag, &backward], "2"));
    assert!(a == b, "merged path rows depend on the order of the rows");
}

#[test]
fn renaming_channels_changes_only_labels() {
    let f = generated(1500, 11, 8);
    let events = std::fs::read_to_string(f.path("events.csv")).unwrap();
    let names = synth::channel_names(8);
    // Reverse-alphabetical renaming: ids are assigned by name, so this also
    // reverses the internal channel order.
    let rename = |s: &str| format!("zz-{}", 100 - names.iter().position(|n| n == s).unwrap());
    let mut out = String::new();
    for (i, line) in events.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            fields[2] = rename(&fields[2]);
            out.push_str(&fields.join(","));
        }
        out.push('\n');
    }
    let renamed = f.file("renamed.csv", out);
    let a = attribute_csv(&[f.path("events.csv").to_str().unwrap()]);
    // last-non-direct recognises the direct channel by name: rename it too.
    let b = attribute_csv(&[renamed.to_str().unwrap(), "--direct-channel", &rename("Direct")]);
    assert_eq!(a.len(), b.len());
    for ((model, channel), row) in &a {
        assert_eq!(*row, b[&(model.clone(), rename(channel))], "{model}/{channel}");
    }
}

#[test]
fn inline_separate_and_path_inputs_agree() {
    let f = generated(2500, 11, 8);
    let inline = attribute_csv(&[f.path("events.csv").to_str().unwrap()]);
    let separate = attribute_csv(&[
        f.path("touchpoints.csv").to_str().unwrap(),
        "--conversions",
        f.path("conversions.csv").to_str().unwrap(),
    ]);
    assert_eq!(inline, separate);
    let paths = attribute_csv(&["--paths", f.path("paths.csv").to_str().unwrap()]);
    for model in MODELS_WITHOUT_TIME {
        for ((m, ch), row) in inline.iter().filter(|((m, _), _)| m == model) {
            let p = paths[&(m.clone(), ch.clone())];
            assert_close(p.conversions, row.conversions, &format!("{m}/{ch}"));
            assert!((p.value - row.value).abs() < 1e-6 * row.value.max(1.0), "{m}/{ch} value");
        }
    }
}

#[test]
fn bootstrap_is_seeded_thread_independent_and_brackets_the_estimate() {
    let f = generated(1500, 11, 8);
    let events = f.path("events.csv");
    let run = |seed: &str, threads: &str| {
        let out = mta()
            .arg("attribute")
            .arg(&events)
            .args([
                "--bootstrap",
                "40",
                "--seed",
                seed,
                "--models",
                "linear,time-decay,markov,shapley",
                "--format",
                "csv",
                "-q",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let a = run("7", "1");
    assert_eq!(a, run("7", "2"), "same seed, other thread count");
    assert_ne!(a, run("8", "2"), "another seed moves the intervals");
    let mut lines = a.lines();
    assert_eq!(
        lines.next(),
        Some("model,channel,conversions,value,share,conversions_lo,conversions_hi,value_lo,value_hi")
    );
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let n = |i: usize| f[i].parse::<f64>().unwrap();
        assert!(
            n(5) <= n(2) + 1e-9 && n(2) <= n(6) + 1e-9,
            "conversions outside the interval: {line}"
        );
        assert!(n(7) <= n(3) + 1e-6 && n(3) <= n(8) + 1e-6, "value outside the interval: {line}");
        assert!(n(5) <= n(6) && n(7) <= n(8), "{line}");
    }
}

/// A CSV read in chunks (any size, a few records up) gives byte for byte
/// what it gives read whole: credits, journeys, the summary on stderr, and
/// with bad rows skipped the rejects file, lines and row numbers included.
#[test]
fn chunked_reading_changes_no_byte() {
    let f = generated(400, 11, 8);
    let events = f.path("events.csv");
    // Bad rows spread over the file: a bad time, a short record, a quoted
    // field over two lines.
    let text = std::fs::read_to_string(&events).unwrap();
    let mut bad = String::new();
    for (i, line) in text.lines().enumerate() {
        match i {
            i if i > 0 && i % 97 == 0 => bad.push_str(&line.replacen("T", "X", 1)),
            i if i > 0 && i % 251 == 0 => bad.push_str(line.split(',').take(3).collect::<Vec<_>>().join(",").as_str()),
            i if i > 0 && i % 173 == 0 => bad.push_str(&line.replacen(",", ",\"multi\nline\",", 1)),
            _ => bad.push_str(line),
        }
        bad.push('\n');
    }
    let bad = f.file("bad.csv", bad);
    let run = |args: &[&str], chunk: Option<&str>, rejects: &str| {
        let mut c = mta();
        c.args(args);
        // Whole means whole, even when the suite runs in chunks.
        match chunk {
            Some(bytes) => c.env("MTA_CSV_CHUNK_BYTES", bytes),
            None => c.env_remove("MTA_CSV_CHUNK_BYTES"),
        };
        let out = c.output().unwrap();
        let rejected = std::fs::read(f.path(rejects)).unwrap_or_default();
        (out.status.code(), out.stdout, out.stderr, rejected)
    };
    let events = events.to_str().unwrap();
    let bad = bad.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["attribute", events, "--format", "csv"], "none"),
        (vec!["journeys", events, "--format", "csv"], "none"),
        (
            vec!["attribute", bad, "--format", "json", "--on-error", "skip", "--rejects"],
            "r1.csv",
        ),
    ];
    for (mut args, rejects) in cases {
        let path = f.path(rejects);
        let path = path.to_str().unwrap().to_string();
        if rejects != "none" {
            args.push(&path);
        }
        let whole = run(&args, None, rejects);
        assert!(!whole.1.is_empty() || !whole.2.is_empty(), "{args:?}");
        for chunk in ["1", "200", "5000"] {
            assert_eq!(run(&args, Some(chunk), rejects), whole, "{args:?} in chunks of {chunk} bytes");
        }
    }
    // Stopping at the first problem: read whole, the record shapes are
    // checked before any cell (the multi-line field, line 174); in chunks,
    // each chunk's are, so a bad cell of an earlier chunk comes first (the
    // time of line 98): either way a real first problem, with its place.
    let args = ["attribute", bad, "--format", "csv"];
    let whole = String::from_utf8(run(&args, None, "none").2).unwrap();
    assert!(whole.contains("bad.csv` line 174: found 6 fields"), "{whole}");
    let chunked = String::from_utf8(run(&args, Some("200"), "none").2).unwrap();
    assert!(chunked.contains("bad.csv` line 98, column `timestamp`"), "{chunked}");
}
