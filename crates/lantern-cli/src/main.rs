//! The `lantern` command.
fn main() {}
