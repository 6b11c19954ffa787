//! The generated commands' hooks: how their results are printed. Request
//! bodies are finished before the generated code runs (`request_body.rs`).

use std::sync::{Arc, Mutex};

use kinbox_api::{KinboxError, ResponseValue};
use serde_json::Value;

use crate::generated_cli::CliConfig;
use crate::output::Printer;

/// Cheap to clone: `Cli` owns one copy, the caller keeps another to reach
/// the state the hooks share.
#[derive(Clone)]
pub struct KinboxCliConfig(Arc<State>);

struct State {
    printer: Printer,
    /// `list --all`: keep results here instead of printing them.
    captured: Option<Mutex<Option<Value>>>,
    /// The first output error (a closed pipe), reported after the command.
    output_error: Mutex<Option<crate::CliError>>,
    /// Ids found by name for the request's query flags (`pipeline-id`),
    /// set on every page's request.
    query: Mutex<Vec<(&'static str, Value)>>,
}

impl KinboxCliConfig {
    pub fn printing(printer: Printer) -> Self {
        Self::new(printer, None)
    }

    /// Results are kept for [`Self::take_captured`] instead of printed.
    pub fn capturing(printer: Printer) -> Self {
        Self::new(printer, Some(Mutex::new(None)))
    }

    fn new(printer: Printer, captured: Option<Mutex<Option<Value>>>) -> Self {
        Self(Arc::new(State {
            printer,
            captured,
            output_error: Mutex::new(None),
            query: Mutex::default(),
        }))
    }

    pub fn set_query(&self, query: Vec<(&'static str, Value)>) {
        *lock(&self.0.query) = query;
    }

    /// The id found for the query flag `flag`, if any.
    fn query(&self, flag: &str) -> Option<Value> {
        lock(&self.0.query)
            .iter()
            .find(|(id, _)| *id == flag)
            .map(|(_, value)| value.clone())
    }

    pub fn take_captured(&self) -> Option<Value> {
        self.0.captured.as_ref().and_then(|c| lock(c).take())
    }

    pub fn take_output_error(&self) -> Option<crate::CliError> {
        lock(&self.0.output_error).take()
    }

    fn show(&self, value: Value) {
        if let Some(captured) = &self.0.captured {
            *lock(captured) = Some(value);
        } else if let Err(error) = self.0.printer.print(&value) {
            lock(&self.0.output_error).get_or_insert(error);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl CliConfig for KinboxCliConfig {
    /// The filters given by name (`resources/deals.rs`), on every page
    /// (`--all` too). The generated trait has a method per operation: a
    /// list whose filters are found by name sets them here.
    fn execute_list_deals(
        &self,
        _matches: &clap::ArgMatches,
        request: &mut kinbox_api::builder::ListDeals,
    ) -> anyhow::Result<()> {
        if let Some(id) = self.query("pipeline-id").as_ref().and_then(Value::as_str) {
            *request = request.clone().pipeline_id(id);
        }
        if let Some(id) = self.query("contact-id").as_ref().and_then(Value::as_i64) {
            *request = request.clone().contact_id(id);
        }
        Ok(())
    }

    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
        match serde_json::to_value(&**value) {
            Ok(value) => self.show(value),
            Err(error) => {
                lock(&self.0.output_error).get_or_insert(crate::CliError::failure(format!(
                    "cannot encode the response: {error}"
                )));
            }
        }
    }

    /// `delete`: nothing to print; the exit status says it worked.
    fn success_no_item(&self, _value: &ResponseValue<()>) {}

    /// Errors are printed once, by `main`, from the error returned.
    fn error(&self, _value: &KinboxError) {}

    // The generated code streams nothing: `list --all` is driven by
    // `cmd_list_all`.
    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_item<T>(&self, _value: &T)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_end_error(&self, _value: &KinboxError) {}
}
