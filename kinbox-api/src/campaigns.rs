//! Constructors for campaign bodies. Campaigns are documented only by `name`,
//! so their bodies carry every other field in `extra`; progenitor's builders
//! then insist on `extra` being set, which these constructors do for you.

use crate::types::{CampaignCreate, CampaignUpdate};

impl CampaignCreate {
    /// A campaign named `name`; add the fields Kinbox expects with [`CampaignCreate::with`].
    ///
    /// ```
    /// use kinbox_api::types::CampaignCreate;
    ///
    /// let campaign = CampaignCreate::new("Black Friday").with("channelId", 42);
    /// assert_eq!(
    ///     serde_json::to_value(&campaign).unwrap(),
    ///     serde_json::json!({"name": "Black Friday", "channelId": 42}),
    /// );
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            extra: Default::default(),
        }
    }

    /// Sets a field the API description does not list.
    pub fn with(mut self, field: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(field.into(), value.into());
        self
    }
}

// Not derivable: `CampaignUpdate` is generated.
#[allow(clippy::derivable_impls)]
impl Default for CampaignUpdate {
    /// Changes nothing until fields are set.
    fn default() -> Self {
        Self {
            name: None,
            extra: Default::default(),
        }
    }
}

impl CampaignUpdate {
    /// Sets a field the API description does not list.
    ///
    /// ```
    /// use kinbox_api::types::CampaignUpdate;
    ///
    /// let update = CampaignUpdate::default().with("scheduledAt", "2024-11-29T09:00:00-03:00");
    /// assert_eq!(
    ///     serde_json::to_value(&update).unwrap(),
    ///     serde_json::json!({"scheduledAt": "2024-11-29T09:00:00-03:00"}),
    /// );
    /// ```
    pub fn with(mut self, field: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(field.into(), value.into());
        self
    }
}
