//! The spec as JSON, converted once here: the CLI reads it on most runs,
//! and parsing the YAML each time cost more than the rest of a command.

fn main() {
    println!("cargo:rerun-if-changed=kinbox.yaml");
    let yaml = std::fs::read_to_string("kinbox.yaml").expect("kinbox.yaml is readable");
    let document: serde_json::Value =
        serde_yaml::from_str(&yaml).expect("kinbox.yaml is a YAML document");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("kinbox.json");
    std::fs::write(out, serde_json::to_vec(&document).expect("JSON serializes"))
        .expect("OUT_DIR is writable");
}
