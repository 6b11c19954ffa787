//! `cargo xtask diff` is what keeps the committed generated code honest in CI:
//! it must pass on a fresh tree and fail, with a diff and the fix, when the
//! spec changes without `cargo xtask generate`.

use std::path::Path;
use std::process::{Command, Output};

fn xtask(root: &Path, command: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["--root", root.to_str().unwrap(), command])
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn committed_generated_code_is_up_to_date() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = xtask(workspace, "diff");
    assert!(
        out.status.success(),
        "stale generated code:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn diff_fails_with_a_unified_diff_when_the_spec_changes() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("openapi")).unwrap();
    let spec_path = root.path().join("openapi/kinbox.yaml");
    std::fs::copy(workspace.join("openapi/kinbox.yaml"), &spec_path).unwrap();

    let generated = xtask(root.path(), "generate");
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let clean = xtask(root.path(), "diff");
    assert!(
        clean.status.success(),
        "fresh generation must be clean: {}",
        text(&clean.stdout)
    );

    let spec = std::fs::read_to_string(&spec_path).unwrap();
    let changed = spec.replace(
        "description: Nome do negócio. / Name of the deal.",
        "description: Nome do negócio. / The deal's title.",
    );
    assert_ne!(spec, changed, "the test's edit must apply to the spec");
    std::fs::write(&spec_path, changed).unwrap();

    let stale = xtask(root.path(), "diff");
    assert_eq!(stale.status.code(), Some(1));
    let diff = text(&stale.stdout);
    assert!(diff.contains("--- a/kinbox-api/generated/sdk.rs"), "{diff}");
    assert!(
        diff.contains("-        ///Nome do negócio. / Name of the deal."),
        "{diff}"
    );
    assert!(
        diff.contains("+        ///Nome do negócio. / The deal's title."),
        "{diff}"
    );
    assert!(text(&stale.stderr).contains("run `cargo xtask generate`"));

    assert!(xtask(root.path(), "generate").status.success());
    assert!(
        xtask(root.path(), "diff").status.success(),
        "generate must fix what diff reports"
    );
}
