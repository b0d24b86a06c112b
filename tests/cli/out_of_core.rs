//! Out of core (`--memory-limit`, issue 15): an input past the limit goes
//! to partition files by customer and comes back a few partitions at a
//! time, and nothing in the output may change, whatever the limit, the
//! number of threads or the order of the rows.

use super::*;

/// A limit small enough that every generated input below goes out of core,
/// in many groups of partitions.
const TINY: &str = "64K";

/// CSV read in chunks of this many bytes: each input here is several
/// chunks, so partitions start in the middle of a file (and the suite's
/// tiny-chunk pass in .ci/run does not make these runs take minutes).
const CHUNK_BYTES: &str = "65536";

/// Stdout and stderr of `mta ARGS` (must succeed), with `env` set.
fn run(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = mta()
        .args(args)
        .env("MTA_CSV_CHUNK_BYTES", CHUNK_BYTES)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The note that tells a run went out of core; `None` if it did not.
fn out_of_core_note(stderr: &str) -> Option<&str> {
    stderr.lines().find(|l| l.contains("partition files by customer"))
}

/// `args` with a tiny limit and with none: the same stdout, byte for byte,
/// and the same stderr but for the out-of-core note.
fn assert_same_out_of_core(args: &[&str]) {
    let (whole_out, whole_err) = run(args, &[]);
    let limited: Vec<&str> = args.iter().copied().chain(["--memory-limit", TINY]).collect();
    let (parted_out, parted_err) = run(&limited, &[]);
    let note = out_of_core_note(&parted_err).unwrap_or_else(|| panic!("{args:?} did not go out of core:\n{parted_err}"));
    let groups: usize = note
        .split("processed in ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(groups > 3, "{note}");
    assert!(out_of_core_note(&whole_err).is_none());
    assert_eq!(parted_out, whole_out, "{args:?}");
    let without_note: Vec<&str> = parted_err.lines().filter(|l| !l.contains("partition files by customer")).collect();
    assert_eq!(without_note, whole_err.lines().collect::<Vec<_>>(), "{args:?}");
}

#[test]
fn every_output_of_the_totals_is_byte_identical_out_of_core() {
    let f = generated(3000, 11, 8);
    let events = f.dir.path().join("events.csv");
    let events = events.to_str().unwrap();
    for format in ["csv", "json", "markdown"] {
        assert_same_out_of_core(&["attribute", events, "--format", format]);
    }
    assert_same_out_of_core(&["attribute", events, "--format", "csv", "--markov-order", "2", "--keep-repeats"]);
    assert_same_out_of_core(&["attribute", events, "--format", "json", "--compare-models"]);
}

#[test]
fn data_driven_fits_the_same_out_of_core() {
    // The fit runs once on the pattern tallies of every group: the same
    // penalty, rule and credits, and the same per-conversion split.
    let f = generated(3000, 23, 8);
    let events = f.dir.path().join("events.csv");
    let events = events.to_str().unwrap();
    assert_same_out_of_core(&["attribute", events, "--models", "data-driven,last-click", "--format", "json"]);
    assert_same_out_of_core(&[
        "attribute",
        events,
        "--models",
        "data-driven",
        "--per-conversion",
        "--format",
        "csv",
    ]);
}

#[test]
fn row_exports_stream_out_of_core_in_the_same_order() {
    // Rows sorted by customer id, while partitions hold customers in hash
    // order: each group's rows go to disk sorted and are merged back.
    let f = generated(3000, 17, 8);
    let events = f.dir.path().join("events.csv");
    let events = events.to_str().unwrap();
    for format in ["csv", "json", "markdown"] {
        assert_same_out_of_core(&["journeys", events, "--format", format]);
    }
    assert_same_out_of_core(&["journeys", events, "--lookback", "3d", "--max-touches", "2"]);
    assert_same_out_of_core(&["attribute", events, "--per-conversion", "--format", "csv"]);
    // Shapley's split is fitted on every group's coalitions before any row is written.
    assert_same_out_of_core(&[
        "attribute",
        events,
        "--per-conversion",
        "--models",
        "shapley,time-decay,position-based",
        "--format",
        "json",
    ]);
    assert_same_out_of_core(&["paths", events]);
    assert_same_out_of_core(&["paths", events, "--format", "json", "--max-touches", "3"]);
    assert_same_out_of_core(&["markov", events, "--format", "json"]);
    assert_same_out_of_core(&["markov", events, "--transitions", "--markov-order", "2", "--format", "csv"]);
    let (per_conversion, _) = run(&["attribute", events, "--per-conversion", "--memory-limit", TINY], &[]);
    assert!(per_conversion.lines().count() > 3000, "every conversion has rows");
}

#[test]
fn journey_rules_and_input_shapes_are_byte_identical_out_of_core() {
    let f = generated(2000, 5, 6);
    let path = |name: &str| f.dir.path().join(name).to_str().unwrap().to_string();
    let (events, touches, conversions, utm) = (
        path("events.csv"),
        path("touchpoints.csv"),
        path("conversions.csv"),
        path("events-utm.csv"),
    );
    let cases: Vec<Vec<&str>> = vec![
        vec![&touches, "--conversions", &conversions],
        vec![&utm],
        vec![&utm, "--channel-rules", "ga4", "--exclude-channels", "Direct"],
        vec![&events, "--journey-mode", "window", "--lookback", "20d"],
        vec![&events, "--from", "2025-02-01", "--to", "2025-03-01", "--max-touches", "4"],
        vec![
            &events,
            "--path-transform",
            "exposure",
            "--include-channels",
            "Email,Paid Search,Direct",
        ],
    ];
    for case in cases {
        let args: Vec<&str> = ["attribute"].into_iter().chain(case).chain(["--format", "json"]).collect();
        assert_same_out_of_core(&args);
    }
}

#[test]
fn skipped_rows_and_channels_seen_only_on_them_are_the_same_out_of_core() {
    let f = generated(1500, 3, 5);
    let mut text = std::fs::read_to_string(f.dir.path().join("events.csv")).unwrap();
    // A channel that only a bad row has must not show up as a channel.
    text.push_str("c-bad-1,not a time,Ghost,0,0\nc-bad-2,2025-01-01T00:00:00Z,Email,maybe,1\n");
    let file = f.file("dirty.csv", text);
    let rejects = f.dir.path().join("rejects.csv");
    let args = [
        "attribute",
        file.to_str().unwrap(),
        "--on-error",
        "skip",
        "--rejects",
        rejects.to_str().unwrap(),
        "--format",
        "json",
    ];
    assert_same_out_of_core(&args);
    let (out, _) = run(&[&args[..], &["--memory-limit", TINY]].concat(), &[]);
    assert!(!out.contains("Ghost"));
    assert!(out.contains("\"rows_skipped\": 2"), "{out}");
    assert_eq!(std::fs::read_to_string(&rejects).unwrap().lines().count(), 3, "header and two rows");
}

#[test]
fn threads_row_order_and_limit_change_no_byte() {
    let f = generated(2500, 21, 7);
    let text = std::fs::read_to_string(f.dir.path().join("events.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = f.file("reversed.csv", format!("{header}\n{}\n", lines.join("\n")));
    let events = f.dir.path().join("events.csv");
    let base = |file: &std::path::Path, limit: &str| -> Vec<String> {
        ["attribute", file.to_str().unwrap(), "--format", "csv", "--memory-limit", limit]
            .map(String::from)
            .to_vec()
    };
    let out = |args: Vec<String>, threads: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, &[("RAYON_NUM_THREADS", threads)]).0
    };
    let want = out(base(&events, "64G"), "2");
    for (file, limit, threads) in [
        (&events, "48K", "1"),
        (&events, "200K", "2"),
        (&reversed, "64K", "2"),
        (&reversed, "64K", "1"),
    ] {
        assert_eq!(out(base(file, limit), threads), want, "{limit} {threads} {}", file.display());
    }
}

#[test]
fn partition_files_go_after_a_run_and_after_an_error() {
    let f = generated(1500, 9, 5);
    let temp = tempfile::tempdir().unwrap();
    let events = f.dir.path().join("events.csv");
    let dir = temp.path().to_str().unwrap();
    let (_, err) = run(
        &["attribute", events.to_str().unwrap(), "--memory-limit", TINY, "--temp-dir", dir],
        &[],
    );
    assert!(out_of_core_note(&err).is_some());
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0, "nothing left in the temp dir");
    // A bad row after the partitions were started: an error, and no files left.
    let mut text = std::fs::read_to_string(&events).unwrap();
    text.push_str("c1,2025-13-45,Email,0,0\n");
    let bad = f.file("bad.csv", text);
    let out = mta()
        .args(["attribute", bad.to_str().unwrap(), "--memory-limit", TINY, "--temp-dir", dir])
        .env("MTA_CSV_CHUNK_BYTES", "4096")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2025-13-45"), "{stderr}");
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0, "nothing left after the error");
}

#[test]
fn ctrl_c_removes_the_partition_files() {
    let f = generated(20000, 4, 6);
    let temp = tempfile::tempdir().unwrap();
    let events = f.dir.path().join("events.csv");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mta"))
        .args(["attribute", events.to_str().unwrap(), "--memory-limit", "16K", "--temp-dir"])
        .arg(temp.path())
        .env("MTA_CSV_CHUNK_BYTES", "2048")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has made its directory, then interrupt it.
    let started = std::time::Instant::now();
    while std::fs::read_dir(temp.path()).unwrap().count() == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it wrote partitions");
        assert!(started.elapsed().as_secs() < 60, "no partition directory after a minute");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0, "Ctrl-C left files behind");
}

#[test]
fn what_does_not_run_out_of_core_yet_is_refused_with_the_way_out() {
    let f = generated(1500, 2, 5);
    let events = f.dir.path().join("events.csv");
    let events = events.to_str().unwrap();
    for (args, says) in [
        (
            vec!["attribute", events, "--bootstrap", "5"],
            "`--bootstrap` does not run out of core yet",
        ),
        (vec!["report", events], "this command holds its whole input in memory"),
        (vec!["attribute", events, "--markov-order", "auto"], "`--markov-order auto`"),
    ] {
        let out = mta()
            .args(&args)
            .args(["--memory-limit", TINY])
            .env("MTA_CSV_CHUNK_BYTES", CHUNK_BYTES)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stderr.contains("--memory-limit"), "{stderr}");
    }
    let bad = mta().args(["attribute", events, "--memory-limit", "4X"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown unit `X`"));
}
