//! Progress on stderr for runs longer than a second, when stderr is a
//! terminal: input bytes read of the total, then partitions done (out of
//! core). Drawn by a thread from counters, cleared when the run ends, so
//! nothing of it stays on the terminal or reaches a pipe.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static GROUPS_DONE: AtomicU64 = AtomicU64::new(0);
static GROUPS_TOTAL: AtomicU64 = AtomicU64::new(0);

/// Out of core: `total` groups of partitions to process.
pub fn groups(total: usize) {
    GROUPS_TOTAL.store(total as u64, Ordering::Relaxed);
}

/// Out of core: one more group processed.
pub fn group_done() {
    GROUPS_DONE.fetch_add(1, Ordering::Relaxed);
}

static STOP: AtomicBool = AtomicBool::new(false);
/// Whether a bar is on the terminal (for [`clear_on_interrupt`]).
static DRAWN: AtomicBool = AtomicBool::new(false);
static THREAD: Mutex<Option<std::thread::JoinHandle<()>>> = Mutex::new(None);

/// Starts drawing after a second, if stderr is a terminal.
pub fn start() {
    if std::io::stderr().is_terminal() {
        *THREAD.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::thread::spawn(|| draw(&STOP)));
    }
}

/// Stops drawing and clears the bar: before anything else is written to
/// the terminal (the summary, the results), and at the end of a run.
pub fn finish() {
    STOP.store(true, Ordering::Relaxed);
    if let Some(t) = THREAD.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = t.join();
    }
}

/// Erases the bar's line from a Ctrl-C handler, which ends the process
/// before the bar could be cleared.
pub fn clear_on_interrupt() {
    if DRAWN.load(Ordering::Relaxed) {
        use std::io::Write;
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
}

fn draw(stop: &AtomicBool) {
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let mut partitions = false;
    let mut done_reading = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        if started.elapsed() < Duration::from_secs(1) {
            continue;
        }
        let b = bar.get_or_insert_with(|| {
            DRAWN.store(true, Ordering::Relaxed);
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            b.set_style(style("{spinner} reading {bytes}/{total_bytes} [{wide_bar}] {eta}"));
            b
        });
        let groups = GROUPS_TOTAL.load(Ordering::Relaxed);
        if groups > 0 {
            if !partitions {
                partitions = true;
                b.set_style(style("{spinner} partitions {pos}/{len} [{wide_bar}] {eta}"));
                b.set_length(groups);
            }
            b.set_position(GROUPS_DONE.load(Ordering::Relaxed));
        } else {
            let (read, total) = crate::input::progress::bytes();
            if total > 0 && read >= total && !done_reading {
                // The rest (journeys, models) has no measure: say what runs.
                done_reading = true;
                b.set_style(style("{spinner} read {total_bytes}; building journeys, running models {elapsed}"));
            }
            if total > 0 {
                b.set_length(total);
            }
            b.set_position(read);
        }
        b.tick();
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}
