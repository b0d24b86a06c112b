//! Placeholder; the per-stage criterion benches are added in a later step.
fn main() {}
