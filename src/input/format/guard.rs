//! A panic inside a third-party reader becomes an error naming the file.
//!
//! polars panics on some corrupt Parquet files (a flipped byte in the
//! metadata or a page: found by flipping bytes of a valid file). A panic is
//! a crash with a backtrace, where a corrupt file deserves a message naming
//! it and exit code 1. Reads run under [`guarded`]: the panic is caught and
//! its message kept for the error. A process-wide panic hook, installed
//! once, stays quiet while a guarded read runs (the panic may happen on a
//! polars worker thread, hence a counter rather than a thread-local) and
//! hands every other panic to the hook that was there before (a panic on
//! another thread during a guarded read still unwinds; only its message is
//! not printed).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

static GUARDED: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Runs `read`; a panic inside it comes back as `Err(message)`.
pub(crate) fn guarded<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(read));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader failed".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_values_pass_through() {
        assert_eq!(guarded(|| 7), Ok(7));
        assert_eq!(guarded(|| -> u8 { panic!("bad page") }), Err("bad page".to_string()));
        let n = 3;
        assert_eq!(guarded(|| -> u8 { panic!("bad page {n}") }), Err("bad page 3".to_string()));
    }
}
