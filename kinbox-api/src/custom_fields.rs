//! Conveniences for `customFields`: a map from a custom field's placeholder
//! to `{"value": …}`.

use crate::types::{CustomFieldValue, CustomFields};

// Not derivable: `CustomFields` is generated.
#[allow(clippy::derivable_impls)]
impl Default for CustomFields {
    fn default() -> Self {
        Self(Default::default())
    }
}

impl CustomFields {
    /// No custom fields (`{}`), which is what a deal without any needs to send.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the field whose placeholder is `placeholder`.
    ///
    /// ```
    /// use kinbox_api::types::CustomFields;
    ///
    /// let fields = CustomFields::new().with("cpf", "060.715.303-54").with("age", 30);
    /// assert_eq!(
    ///     serde_json::to_value(&fields).unwrap(),
    ///     serde_json::json!({"age": {"value": 30}, "cpf": {"value": "060.715.303-54"}}),
    /// );
    /// assert_eq!(fields.value("age"), Some(&serde_json::json!(30)));
    /// ```
    pub fn with(
        mut self,
        placeholder: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.0.insert(
            placeholder.into(),
            CustomFieldValue {
                value: value.into(),
                type_: None,
            },
        );
        self
    }

    /// The value of the field whose placeholder is `placeholder`.
    pub fn value(&self, placeholder: &str) -> Option<&serde_json::Value> {
        self.0.get(placeholder).map(|field| &field.value)
    }
}

impl<K: Into<String>, V: Into<serde_json::Value>> FromIterator<(K, V)> for CustomFields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Self::new(), |fields, (placeholder, value)| {
                fields.with(placeholder, value)
            })
    }
}
