//! How far reading has come, for a progress display: counters this stage
//! bumps and anyone may read (the CLI draws a bar from them). Nothing here
//! prints.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

static BYTES_READ: AtomicU64 = AtomicU64::new(0);
static BYTES_TOTAL: AtomicU64 = AtomicU64::new(0);

/// Input bytes read so far and the total expected (0 when unknown: stdin).
pub fn bytes() -> (u64, u64) {
    (BYTES_READ.load(Ordering::Relaxed), BYTES_TOTAL.load(Ordering::Relaxed))
}

/// Expects `n` more bytes (a file about to be read).
pub(crate) fn expect(n: u64) {
    BYTES_TOTAL.fetch_add(n, Ordering::Relaxed);
}

/// Counts `n` bytes read.
pub(crate) fn read(n: u64) {
    BYTES_READ.fetch_add(n, Ordering::Relaxed);
}

/// A reader that counts what passes through it.
pub(crate) struct Counting<R>(pub R);

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        read(n as u64);
        Ok(n)
    }
}
