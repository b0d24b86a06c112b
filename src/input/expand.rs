//! Input arguments to sources: `-` is stdin, a file is itself, a directory
//! stands for the files under it and a glob for the files it matches.
//!
//! Warehouses export a table as many files: `events/part-00000.parquet`, or
//! hive-partitioned `events/date=2025-01-01/part-0.parquet`. Shells expand
//! an unquoted `events/*.parquet` themselves; a quoted one (or a pattern a
//! shell does not know, or a directory) is expanded here. Files are read in
//! path order, so the same tree always gives the same input; names starting
//! with `.` or `_` (`_SUCCESS`, `.part-0.crc`, hidden files) are skipped
//! inside directories, as Spark and pyarrow skip them.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::Source;

/// The sources the arguments name, in order; each directory or glob
/// expanded in path order.
pub fn expand(args: &[String]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if arg == "-" {
            sources.push(Source::Stdin);
        } else if path.is_dir() {
            let before = sources.len();
            files_under(path, &mut sources)?;
            if sources.len() == before {
                return Err(Error::usage(
                    format!("directory `{arg}` holds no input files"),
                    "name a directory of CSV or Parquet files (names starting with `.` or `_` are skipped)",
                ));
            }
        } else if !path.exists() && arg.contains(['*', '?', '[']) {
            glob(arg, &mut sources)?;
        } else {
            // A missing file is reported by the reading, with its name.
            sources.push(Source::File(path.to_path_buf()));
        }
    }
    Ok(sources)
}

/// Files matching `pattern` (directories it matches: the files under them).
fn glob(pattern: &str, sources: &mut Vec<Source>) -> Result<()> {
    let options = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..glob::MatchOptions::new()
    };
    let paths = glob::glob_with(pattern, options).map_err(|e| {
        Error::usage(
            format!("`{pattern}` is not a valid pattern: {} (at character {})", e.msg, e.pos + 1),
            "use `*`, `?` and `[...]` as in a shell, e.g. `'events/*.parquet'` or `'events/date=*/'`",
        )
    })?;
    let before = sources.len();
    let mut matched: Vec<PathBuf> = Vec::new();
    for entry in paths {
        let path = entry.map_err(|e| Error::Read {
            path: e.path().display().to_string(),
            source: e.into(),
        })?;
        matched.push(path);
    }
    matched.sort();
    for path in matched {
        add(path, sources)?;
    }
    if sources.len() == before {
        return Err(Error::usage(
            format!("`{pattern}` matches no file"),
            "check the pattern; quote it so that mta expands it (`'events/*.parquet'`), or name the files",
        ));
    }
    Ok(())
}

/// The files under `dir`, recursively, in path order; names starting with
/// `.` or `_` skipped.
fn files_under(dir: &Path, sources: &mut Vec<Source>) -> Result<()> {
    let err = |source| Error::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(['.', '_']) {
            continue;
        }
        entries.push(entry.path());
    }
    entries.sort();
    for path in entries {
        add(path, sources)?;
    }
    Ok(())
}

/// A file, or the files under a directory (following symbolic links, as
/// reading the file would).
fn add(path: PathBuf, sources: &mut Vec<Source>) -> Result<()> {
    match path.is_dir() {
        true => files_under(&path, sources),
        false => {
            sources.push(Source::File(path));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sources: &[Source]) -> Vec<String> {
        sources.iter().map(Source::name).collect()
    }

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    #[test]
    fn a_directory_is_its_files_in_path_order_without_hidden_or_marker_files() {
        let d = tree(&[
            "date=2/b.csv",
            "date=1/z.csv",
            "date=1/a.csv",
            "_SUCCESS",
            "date=1/.a.csv.crc",
            "_tmp/x.csv",
        ]);
        let root = d.path().display().to_string();
        let got = names(&expand(std::slice::from_ref(&root)).unwrap());
        assert_eq!(
            got,
            [
                format!("{root}/date=1/a.csv"),
                format!("{root}/date=1/z.csv"),
                format!("{root}/date=2/b.csv")
            ]
        );
    }

    #[test]
    fn a_glob_is_the_files_it_matches_and_the_files_under_matched_directories() {
        let d = tree(&["date=2/b.csv", "date=1/a.csv", "date=1/a.parquet", "other/c.csv"]);
        let root = d.path().display().to_string();
        let got = names(&expand(&[format!("{root}/date=*/*.csv")]).unwrap());
        assert_eq!(got, [format!("{root}/date=1/a.csv"), format!("{root}/date=2/b.csv")]);
        let got = names(&expand(&[format!("{root}/date=*/")]).unwrap());
        assert_eq!(got.len(), 3, "{got:?}");
        // Stdin and plain files stay as given, in order.
        let got = expand(&["-".to_string(), format!("{root}/other/c.csv")]).unwrap();
        assert_eq!(got[0], Source::Stdin);
        assert_eq!(names(&got[1..]), [format!("{root}/other/c.csv")]);
    }

    #[test]
    fn an_empty_directory_a_pattern_matching_nothing_and_a_bad_pattern_are_usage_errors() {
        let d = tree(&["_SUCCESS"]);
        let root = d.path().display().to_string();
        let msg = |args: &[String]| expand(args).unwrap_err().to_string();
        assert!(msg(std::slice::from_ref(&root)).contains("holds no input files"));
        assert!(msg(&[format!("{root}/*.parquet")]).contains("matches no file"));
        assert!(msg(&[format!("{root}/[a.csv")]).contains("is not a valid pattern"));
        // A missing plain file is left to the reading, which names it.
        assert_eq!(
            names(&expand(&[format!("{root}/missing.csv")]).unwrap()),
            [format!("{root}/missing.csv")]
        );
    }
}
