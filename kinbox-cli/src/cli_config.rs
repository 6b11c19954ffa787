//! The generated commands' hooks: how their results are printed, and the few
//! request adjustments the generated code cannot make itself.

use std::sync::{Arc, Mutex};

use kinbox_api::{Error, ResponseValue, builder, types};
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
    /// `deals create --pipeline NAME …`: the ids the names resolved to.
    deal_create: Mutex<crate::deal_create::Resolved>,
    /// `deals update --contact-id N`: the contact, read whole.
    deal_update: Mutex<Option<crate::deal_update::Lookups>>,
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
            deal_create: Mutex::new(Default::default()),
            deal_update: Mutex::new(None),
        }))
    }

    pub fn set_deal_create(&self, resolved: crate::deal_create::Resolved) {
        *lock(&self.0.deal_create) = resolved;
    }

    pub fn set_deal_update(&self, lookups: crate::deal_update::Lookups) {
        *lock(&self.0.deal_update) = Some(lookups);
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
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
        match serde_json::to_value(&**value) {
            Ok(value) => self.show(value),
            Err(error) => {
                lock(&self.0.output_error).get_or_insert(crate::CliError::Failure(format!(
                    "cannot encode the response: {error}"
                )));
            }
        }
    }

    /// `delete`: nothing to print; the exit status says it worked.
    fn success_no_item(&self, _value: &ResponseValue<()>) {}

    /// Errors are printed once, by `main`, from the error returned.
    fn error<T>(&self, _value: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    // The generated code streams nothing: `list --all` is driven by
    // `cmd_list_all` through the `execute_list_*` hooks below.
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

    fn list_end_error<T>(&self, _value: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    // `--all` fetches page after page through the generated request of each
    // cursor-paginated list, so that every filter flag applies to every page.

    /// `customFields` is required by the API but has no flag: a deal created
    /// from flags alone has none, unless `--custom-field` gives some. The ids
    /// that `--pipeline`, `--stage`, `--contact-phone`/`--contact-email`
    /// resolved to go over the body's.
    fn execute_create_deal(
        &self,
        matches: &clap::ArgMatches,
        request: &mut builder::CreateDeal,
    ) -> anyhow::Result<()> {
        let resolved = lock(&self.0.deal_create).clone();
        let custom_fields = resolved
            .custom_fields
            .or_else(|| no_json_body(matches).then(types::CustomFieldsInput::default));
        *request = request.clone().body_map(|mut body| {
            if let Some(id) = resolved.pipeline_id {
                body = body.pipeline_id(id);
            }
            if let Some(id) = resolved.stage_id {
                body = body.stage_id(id);
            }
            if let Some(id) = resolved.contact_id {
                body = body.contact_id(id);
            }
            if let Some(fields) = custom_fields {
                body = body.custom_fields(fields);
            }
            body
        });
        Ok(())
    }

    /// `deals update`: what its lookups found (`deal_update.rs`).
    fn execute_update_deal(
        &self,
        _matches: &clap::ArgMatches,
        request: &mut builder::UpdateDeal,
    ) -> anyhow::Result<()> {
        if let Some(lookups) = lock(&self.0.deal_update).clone() {
            *request = request.clone().body_map(|body| lookups.apply(body));
        }
        Ok(())
    }

    /// A tag from flags alone: see `defaults::tag_privacy`.
    fn execute_create_tag(
        &self,
        matches: &clap::ArgMatches,
        request: &mut builder::CreateTag,
    ) -> anyhow::Result<()> {
        if no_json_body(matches) {
            let privacy: types::TagPrivacyInput =
                serde_json::from_value(crate::defaults::tag_privacy())?;
            *request = request.clone().body_map(|body| body.privacy(privacy));
        }
        Ok(())
    }

    /// Required by the API too, and without a flag: `{}` unless the body
    /// file has them.
    fn execute_create_contact(
        &self,
        matches: &clap::ArgMatches,
        request: &mut builder::CreateContact,
    ) -> anyhow::Result<()> {
        if no_json_body(matches) {
            *request = request
                .clone()
                .body_map(|body| body.custom_fields(types::CustomFieldsInput::default()));
        }
        Ok(())
    }

    fn execute_create_product(
        &self,
        matches: &clap::ArgMatches,
        request: &mut builder::CreateProduct,
    ) -> anyhow::Result<()> {
        if no_json_body(matches) {
            *request = request
                .clone()
                .body_map(|body| body.custom_fields(types::CustomFieldsInput::default()));
        }
        Ok(())
    }
}

fn no_json_body(matches: &clap::ArgMatches) -> bool {
    matches
        .get_one::<std::path::PathBuf>(crate::json_body::ARG)
        .is_none()
}
