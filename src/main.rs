use std::alloc::{GlobalAlloc, Layout};

use clap::Parser;

/// mimalloc (polars allocates and frees large buffers; glibc returned them to
/// the OS and page-faulted them back), refusing impossible requests.
///
/// A corrupt Parquet page can make polars ask for ~2^61 bytes; the default
/// out-of-memory handler then aborts with a bare "memory allocation failed"
/// (exit 134). No real request comes near [`IMPOSSIBLE`], so such a request
/// is a corrupt input: say so and exit 1 like any other input error. Nothing
/// is unwound (an allocator must not unwind) and stdout holds nothing yet,
/// since results are written after all input is read.
struct Alloc;

/// 256 TiB: beyond the memory of any machine mta runs on.
const IMPOSSIBLE: usize = 1 << 48;

// SAFETY: every call is passed to mimalloc unchanged, except impossible
// sizes, which end the process before anything is returned.
unsafe impl GlobalAlloc for Alloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        refuse_impossible(layout.size());
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        refuse_impossible(layout.size());
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        refuse_impossible(new_size);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[inline]
fn refuse_impossible(size: usize) {
    if size >= IMPOSSIBLE {
        use std::io::Write;
        // Unbuffered, and formatting an integer does not allocate.
        mta::input::with_input_being_read(|name| {
            let _ = if name.is_empty() {
                writeln!(
                    std::io::stderr(),
                    "error: mta asked for {size} bytes of memory, more than any machine has (a bug: please report it)"
                )
            } else {
                writeln!(
                    std::io::stderr(),
                    "error: cannot read `{name}`: it asks for {size} bytes of memory, more than any machine has: the file is corrupt"
                )
            };
        });
        std::process::exit(1);
    }
}

#[global_allocator]
static ALLOC: Alloc = Alloc;

fn main() -> std::process::ExitCode {
    mta::cli::run(mta::cli::Cli::parse()).into()
}
