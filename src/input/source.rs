//! Where input bytes come from: files (memory-mapped), standard input, or
//! bytes in memory; gzip undone; and the name of the input being read, for
//! the one message that cannot be returned as an error.

use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where input bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (always CSV, gzip detected from its bytes).
    Stdin,
    /// A file; the format comes from its bytes, checked against its extension.
    File(PathBuf),
    /// Bytes already in memory, under a name for messages (fuzzing, embedding,
    /// tests): read exactly like a file of that name.
    Memory {
        /// Name used in messages (its extension counts, as a file's would).
        name: String,
        /// The contents.
        bytes: std::sync::Arc<[u8]>,
    },
}

impl Source {
    /// `-` means standard input, anything else a file.
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::File(PathBuf::from(arg))
        }
    }

    /// The name used in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
            Source::Memory { name, .. } => name.clone(),
        }
    }

    /// All bytes, decompressed when they are gzip. Files are memory-mapped.
    pub(crate) fn read(&self) -> Result<Bytes> {
        let name = self.name();
        let err = |source| Error::Read {
            path: name.clone(),
            source,
        };
        let raw = match self {
            Source::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().lock().read_to_end(&mut buf).map_err(err)?;
                Bytes::Owned(buf)
            }
            Source::File(p) => {
                let file = std::fs::File::open(p).map_err(err)?;
                if file.metadata().map_err(err)?.len() == 0 {
                    Bytes::Owned(Vec::new())
                } else {
                    // SAFETY: the map is read-only and dropped once the file
                    // is parsed; a file truncated meanwhile by another process
                    // is outside what any reader can guard against.
                    Bytes::Mapped(unsafe { memmap2::Mmap::map(&file) }.map_err(err)?)
                }
            }
            Source::Memory { bytes, .. } => Bytes::Shared(bytes.clone()),
        };
        if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::with_capacity(raw.len() * 4);
            flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(err)?;
            return Ok(Bytes::Owned(out));
        }
        Ok(raw)
    }

    pub(crate) fn looks_like_parquet_name(&self) -> bool {
        let path = match self {
            Source::Stdin => return false,
            Source::File(p) => p.as_path(),
            Source::Memory { name, .. } => std::path::Path::new(name),
        };
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
    }
}

/// An input's bytes: mapped from a file, or owned (stdin, decompressed gzip).
pub(crate) enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
    Shared(std::sync::Arc<[u8]>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
            Bytes::Shared(b) => b,
        }
    }
}

/// The input being read, for the one message that cannot be returned as an
/// error: an impossible allocation inside a reader (see the binary's allocator).
static READING: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Calls `f` with the name of the input being read (empty when none is),
/// unless that would wait.
pub fn with_input_being_read(f: impl FnOnce(&str)) {
    if let Ok(name) = READING.try_lock() {
        f(&name);
    }
}

/// Names the input being read until dropped.
pub(crate) struct Reading;

impl Reading {
    pub(crate) fn start(name: &str) -> Reading {
        let name = name.to_string();
        *READING.lock().unwrap_or_else(|e| e.into_inner()) = name;
        Reading
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        let done = std::mem::take(&mut *READING.lock().unwrap_or_else(|e| e.into_inner()));
        drop(done);
    }
}
