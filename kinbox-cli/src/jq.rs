//! `--jq EXPR`: a jq filter run in process by jaq, not by a `jq` subprocess.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

/// A compiled filter; compiling it checks it before any request is sent.
pub struct Filter {
    filter: jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("jq::Filter")
    }
}

impl Filter {
    pub fn new(code: &str) -> Result<Self, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| format!("--jq `{code}` does not parse: {errors:?}"))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| format!("--jq `{code}` does not compile: {errors:?}"))?;
        Ok(Self { filter })
    }

    /// Every output of the filter on `input`, as JSON.
    pub fn run(&self, input: &Value) -> Result<Vec<Value>, String> {
        let input = jaq_json::read::parse_single(input.to_string().as_bytes())
            .map_err(|e| format!("--jq cannot read the answer: {e}"))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        self.filter
            .id
            .run((ctx, input))
            .map(unwrap_valr)
            .map(|output| {
                let output = output.map_err(|e| format!("--jq failed: {e}"))?;
                serde_json::from_str(&output.to_string())
                    .map_err(|e| format!("--jq gave what is not JSON: {e}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_run_on_json() {
        let filter = Filter::new(r#".[] | select(.value > 100) | {name}"#).unwrap();
        let out = filter
            .run(&json!([{"name": "a", "value": 50}, {"name": "b", "value": 150}]))
            .unwrap();
        assert_eq!(out, [json!({"name": "b"})]);
        assert!(Filter::new(".[").is_err());
        assert!(Filter::new("error(\"x\")").unwrap().run(&json!(1)).is_err());
    }
}
