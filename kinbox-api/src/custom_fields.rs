//! Conveniences for `customFields`: a map from a custom field's placeholder
//! to its value. Writes carry `{"value": <text>, "type": <the field's type>}`,
//! as the reference requires ([`CustomFieldsInput`]); answers are read
//! whatever the value holds ([`CustomFields`]).

use crate::types::{CustomFieldValueInput, CustomFields, CustomFieldsInput};

// Not derivable: the types are generated.
#[allow(clippy::derivable_impls)]
impl Default for CustomFields {
    fn default() -> Self {
        Self(Default::default())
    }
}

impl CustomFields {
    /// No custom fields (`{}`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of the field whose placeholder is `placeholder`.
    ///
    /// ```
    /// use kinbox_api::types::CustomFields;
    ///
    /// let fields: CustomFields =
    ///     serde_json::from_str(r#"{"age": {"value": "30", "type": "number"}}"#).unwrap();
    /// assert_eq!(fields.value("age"), Some(&serde_json::json!("30")));
    /// ```
    pub fn value(&self, placeholder: &str) -> Option<&serde_json::Value> {
        self.0.get(placeholder).map(|field| &field.value)
    }
}

#[allow(clippy::derivable_impls)]
impl Default for CustomFieldsInput {
    fn default() -> Self {
        Self(Default::default())
    }
}

impl CustomFieldsInput {
    /// No custom fields (`{}`), which is what a deal without any sends.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the field whose placeholder is `placeholder`, of type `type_` (the
    /// `type` of its definition: `text`, `number`, `select`…), to `value`
    /// written as text.
    ///
    /// ```
    /// use kinbox_api::types::CustomFieldsInput;
    ///
    /// let fields = CustomFieldsInput::new()
    ///     .with("cpf", "text", "060.715.303-54")
    ///     .with("age", "number", 30);
    /// assert_eq!(
    ///     serde_json::to_value(&fields).unwrap(),
    ///     serde_json::json!({
    ///         "age": {"value": "30", "type": "number"},
    ///         "cpf": {"value": "060.715.303-54", "type": "text"},
    ///     }),
    /// );
    /// ```
    pub fn with(
        mut self,
        placeholder: impl Into<String>,
        type_: impl Into<String>,
        value: impl ToString,
    ) -> Self {
        self.0.insert(
            placeholder.into(),
            CustomFieldValueInput {
                value: value.to_string(),
                type_: type_.into(),
            },
        );
        self
    }

    /// The value set for `placeholder`, as text.
    pub fn value(&self, placeholder: &str) -> Option<&str> {
        self.0.get(placeholder).map(|field| field.value.as_str())
    }
}
