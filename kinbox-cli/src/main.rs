#[rustfmt::skip]
#[allow(dead_code, unused_imports, unused_variables, clippy::all)]
mod generated_cli;

fn main() {}
