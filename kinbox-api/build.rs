//! Generates the SDK from the OpenAPI description into `OUT_DIR/sdk.rs`.

#[path = "codegen.rs"]
mod codegen;

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let spec_path = manifest_dir.join(codegen::SPEC_IN_PACKAGE);
    println!("cargo::rerun-if-changed={}", spec_path.display());
    // A symlink's target is what changes; watching the resolved path catches edits to it.
    if let Ok(target) = std::fs::canonicalize(&spec_path) {
        println!("cargo::rerun-if-changed={}", target.display());
    }
    println!("cargo::rerun-if-changed=codegen.rs");

    let spec = codegen::load_spec(&spec_path).unwrap_or_else(|e| panic!("{e}"));
    let code = codegen::sdk(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("sdk.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
