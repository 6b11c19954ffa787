//! The `kinbox` binary; everything lives in the library so that `cargo xtask man`
//! and the tests can reach the clap command tree.

/// mimalloc: an import allocates a few dozen blocks a row, and glibc's
/// malloc and free were 13 % of its CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kinbox_cli::main()
}
