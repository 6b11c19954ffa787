//! The `kinbox` binary; everything lives in the library so that `cargo xtask man`
//! and the tests can reach the clap command tree.

fn main() -> std::process::ExitCode {
    kinbox_cli::main()
}
