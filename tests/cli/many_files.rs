//! Inputs of many files and of many chunks (issue 15): a directory
//! (hive-partitioned or not) or a quoted glob stands for its files, read in
//! path order, with the credits of the same rows in one file; a conversions
//! file read in chunks locates and skips bad rows as when read whole.

use super::*;

/// `events.csv` of a generated input cut into `parts` files of a hive
/// layout under `root` (`date=k/part-0.csv`, each with the header), with
/// the marker and checksum files Spark leaves beside them.
fn hive(events: &std::path::Path, root: &std::path::Path, parts: usize) {
    let text = std::fs::read_to_string(events).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    for (k, chunk) in rows.chunks(rows.len().div_ceil(parts)).enumerate() {
        let dir = root.join(format!("date=2025-01-{:02}", k + 1));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("part-0.csv"), format!("{header}\n{}\n", chunk.join("\n"))).unwrap();
        std::fs::write(dir.join(".part-0.csv.crc"), "not csv").unwrap();
    }
    std::fs::write(root.join("_SUCCESS"), "").unwrap();
}

#[test]
fn a_directory_or_a_glob_gives_the_credits_of_its_rows_in_one_file() {
    let f = generated(1500, 21, 6);
    let events = f.dir.path().join("events.csv");
    let root = f.dir.path().join("events");
    hive(&events, &root, 6);
    let whole = stdout_of(&["attribute", events.to_str().unwrap(), "--format", "csv"]);
    let root_arg = root.to_str().unwrap().to_string();
    for arg in [root_arg.clone(), format!("{root_arg}/date=*/"), format!("{root_arg}/date=*/*.csv")] {
        let out = mta().args(["attribute", &arg, "--format", "csv"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{arg}: {stderr}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), whole, "{arg}");
        // Six files: the summary names the first and the last.
        assert!(
            stderr.contains(&format!(
                "from 6 files ({root_arg}/date=2025-01-01/part-0.csv, ..., {root_arg}/date=2025-01-06/part-0.csv)"
            )),
            "{arg}: {stderr}"
        );
    }
    // Out of core too.
    let out = mta()
        .args(["attribute", &root_arg, "--format", "csv", "--memory-limit", "64K"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("partition files by customer"));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), whole);
}

#[test]
fn a_pattern_that_matches_nothing_or_an_empty_directory_is_an_error_with_a_hint() {
    let f = Fixture::new();
    let empty = f.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("_SUCCESS"), "").unwrap();
    for (arg, says) in [
        (empty.to_str().unwrap().to_string(), "holds no input files"),
        (format!("{}/*.parquet", empty.display()), "matches no file"),
    ] {
        let out = mta().args(["attribute", &arg]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says) && stderr.contains(&arg), "{arg}: {stderr}");
    }
}

#[test]
fn a_conversions_file_read_in_chunks_names_the_line_of_a_bad_row_and_skips_it_alike() {
    let f = Fixture::new();
    let touches = f.file(
        "t.csv",
        "customer_id,timestamp,channel\nc1,2025-01-01T00:00:00Z,email\nc2,2025-01-01T00:00:00Z,search\n",
    );
    let mut conv = String::from("customer_id,timestamp,value\n");
    for i in 0..40 {
        let value = if i == 32 { "abc".to_string() } else { format!("{}.5", i + 1) };
        conv.push_str(&format!("c{},2025-01-0{}T00:00:00Z,{value}\n", 1 + i % 2, 2 + i % 7));
    }
    let conv = f.file("conv.csv", conv);
    let args = [
        "attribute",
        touches.to_str().unwrap(),
        "--conversions",
        conv.to_str().unwrap(),
        "--format",
        "csv",
    ];
    let run = |chunk: &str, extra: &[&str]| mta().args(args).args(extra).env("MTA_CSV_CHUNK_BYTES", chunk).output().unwrap();
    // 64-byte chunks: the bad row is many chunks in.
    for chunk in ["64", "1048576"] {
        let out = run(chunk, &[]);
        assert_eq!(out.status.code(), Some(1), "chunks of {chunk}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("conv.csv` line 34, column `value`: found `abc`"),
            "chunks of {chunk}: {stderr}"
        );
    }
    let skipped = |chunk| {
        let out = run(chunk, &["--on-error", "skip"]);
        assert!(out.status.success());
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (small, whole) = (skipped("64"), skipped("1048576"));
    assert_eq!(small, whole);
    // 2 touches + 39 conversions used: the rows around the bad one are read.
    assert!(small.1.contains("skipped 1 bad rows (1 invalid value); used 41"), "{}", small.1);
}

/// The generated `events.csv` as Parquet in row groups of `group` rows
/// (all columns text, one timestamp replaced by `bad` at data row `at`).
fn parquet_in_groups(events: &std::path::Path, out: &std::path::Path, group: usize, bad: Option<(usize, &str)>) {
    use polars::prelude::*;
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(events.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap();
    if let Some((at, text)) = bad {
        let times: Vec<Option<String>> = df
            .column("timestamp")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, t)| Some(if i + 1 == at { text.to_string() } else { t.unwrap().to_string() }))
            .collect();
        df.replace("timestamp", Column::new("timestamp".into(), times)).unwrap();
    }
    ParquetWriter::new(std::fs::File::create(out).unwrap())
        .with_row_group_size(Some(group))
        .finish(&mut df)
        .unwrap();
}

#[test]
fn parquet_read_in_pieces_of_row_groups_gives_the_same_credits_errors_and_skips() {
    let f = generated(1500, 23, 6);
    let events = f.dir.path().join("events.csv");
    let whole = stdout_of(&["attribute", events.to_str().unwrap(), "--format", "csv"]);
    let pq = f.path("events.parquet");
    parquet_in_groups(&events, &pq, 250, None);
    let run = |file: &std::path::Path, rows: &str, extra: &[&str]| {
        mta()
            .args(["attribute", file.to_str().unwrap(), "--format", "csv"])
            .args(extra)
            .env("MTA_PARQUET_CHUNK_ROWS", rows)
            .output()
            .unwrap()
    };
    // Pieces of one row group, of a few, and the whole file at once.
    for rows in ["1", "600", "100000000"] {
        let out = run(&pq, rows, &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), whole, "pieces of {rows} rows");
    }
    // A bad timestamp deep in the file: its row as in the file, whatever the pieces.
    let bad = f.path("bad.parquet");
    parquet_in_groups(&events, &bad, 250, Some((1234, "not a time")));
    let mut skipped = Vec::new();
    for rows in ["1", "100000000"] {
        let out = run(&bad, rows, &[]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("bad.parquet` row 1234, column `timestamp`: found `not a time`"),
            "{stderr}"
        );
        let out = run(&bad, rows, &["--on-error", "skip"]);
        assert!(out.status.success());
        skipped.push((String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap()));
    }
    assert_eq!(skipped[0], skipped[1]);
    assert!(skipped[0].1.contains("skipped 1 bad rows"), "{}", skipped[0].1);
}
