//! A row's contact, found (or created) once per phone or e-mail in a run,
//! however many rows name it at once.

use std::sync::atomic::Ordering;

use super::calls::{self, MAX_RATE_LIMITED, Written};
use super::shared::{Key, Shared};
use super::{ContactLookup, FailureKind};
use crate::types;

/// Why a row has no contact; its deal is not sent.
#[derive(Debug)]
pub(crate) struct NoContact {
    pub(crate) kind: FailureKind,
    pub(crate) error: String,
}

impl ContactLookup {
    fn given_phone(&self) -> Option<&str> {
        self.phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    fn given_email(&self) -> Option<&str> {
        self.email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }

    fn key(&self) -> Option<Key> {
        match (self.given_phone(), self.given_email()) {
            (Some(phone), _) => Some(Key::Phone(phone.into())),
            (None, Some(email)) => Some(Key::Email(email.to_lowercase().into())),
            (None, None) => None,
        }
    }

    /// "phone 5585997281648" or "e-mail ana@example.com", for messages.
    fn describe(&self) -> String {
        match (self.given_phone(), self.given_email()) {
            (Some(phone), _) => format!("phone {phone}"),
            (None, Some(email)) => format!("e-mail {email}"),
            (None, None) => "no phone or e-mail".to_owned(),
        }
    }
}

/// The id of the row's contact: found by phone, else by e-mail; created when
/// missing and `create_contacts` is on. `line` is the row's, whose place
/// its requests take (the first of the rows naming it, when they share).
pub(crate) async fn resolve(
    shared: &Shared,
    lookup: &ContactLookup,
    line: u64,
) -> Result<i64, NoContact> {
    let Some(key) = lookup.key() else {
        return Err(NoContact {
            kind: FailureKind::Contact,
            error: "the row names a contact with neither a phone nor an e-mail".to_owned(),
        });
    };
    let cell = shared
        .contacts
        .cells
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_default()
        .clone();
    let found = cell
        .get_or_try_init(|| find_or_create(shared, lookup, line))
        .await?;
    found.ok_or_else(|| NoContact {
        kind: FailureKind::ContactNotFound,
        error: format!(
            "no contact with {}; --create-contacts (ImportOptions::create_contacts) creates it",
            lookup.describe()
        ),
    })
}

async fn find_or_create(
    shared: &Shared,
    lookup: &ContactLookup,
    line: u64,
) -> Result<Option<i64>, NoContact> {
    let failed = |what: &str, error: &dyn std::fmt::Display| NoContact {
        kind: FailureKind::Contact,
        error: format!("{what} the contact with {}: {error}", lookup.describe()),
    };
    if let Some(id) = find(shared, lookup, line)
        .await
        .map_err(|e| failed("cannot look up", &e))?
    {
        return Ok(Some(id));
    }
    if !shared.options.create_contacts {
        return Ok(None);
    }
    let body = types::ContactCreate {
        name: lookup.name.clone().filter(|name| !name.trim().is_empty()),
        phone: lookup.given_phone().map(str::to_owned),
        email: lookup.given_email().map(str::to_owned),
        custom_fields: types::CustomFieldsInput::default(),
        avatar: None,
        external_id: None,
        is_private: None,
        location: None,
        notes: None,
        origin: None,
    };
    let max_attempts = shared.options.max_attempts.get();
    let (mut attempts, mut rate_limited) = (0, 0);
    let mut last_error = String::new();
    while attempts < max_attempts && rate_limited < MAX_RATE_LIMITED {
        let send = shared.client.create_contact().body(body.clone()).send();
        match calls::write(shared, line, send).await {
            Written::Done(contact) => {
                shared
                    .stats
                    .contacts_created
                    .fetch_add(1, Ordering::Relaxed);
                return Ok(Some(contact.id.into()));
            }
            Written::RateLimited => rate_limited += 1,
            Written::Halted(reason) => {
                return Err(NoContact {
                    kind: FailureKind::Halted,
                    error: calls::halted_message(&reason),
                });
            }
            Written::NotSent(error) => {
                shared.pause(calls::backoff(attempts)).await;
                attempts += 1;
                last_error = error;
            }
            Written::Rejected(error) => return Err(failed("the API refused to create", &error)),
            // It may exist now: look before sending it again.
            Written::Unknown(error) => {
                attempts += 1;
                last_error = error;
                shared.pause(shared.options.reconcile_delay).await;
                let found = find(shared, lookup, line).await.map_err(|e| {
                    failed("creating it may have worked, but cannot look up again", &e)
                })?;
                if let Some(id) = found {
                    shared
                        .stats
                        .contacts_reconciled
                        .fetch_add(1, Ordering::Relaxed);
                    return Ok(Some(id));
                }
            }
        }
    }
    Err(failed(
        &format!("gave up after {attempts} attempts to create"),
        &last_error,
    ))
}

/// The contact with the row's phone, else with its e-mail (compared without
/// case); the oldest when several match.
async fn find(
    shared: &Shared,
    lookup: &ContactLookup,
    line: u64,
) -> Result<Option<i64>, crate::KinboxError> {
    if let Some(phone) = lookup.given_phone() {
        let page = calls::read(shared, line, || {
            shared
                .client
                .list_contacts()
                .phone(phone)
                .limit(LIMIT)
                .send()
        })
        .await?;
        let found = page
            .data
            .iter()
            .filter(|contact| contact.phone.as_deref().is_none_or(|p| p.trim() == phone))
            .map(|contact| i64::from(contact.id))
            .min();
        if found.is_some() {
            return Ok(found);
        }
    }
    if let Some(email) = lookup.given_email() {
        let lower = email.to_lowercase();
        let mut asked = vec![email.to_owned()];
        if lower != email {
            asked.push(lower);
        }
        let mut found: Option<i64> = None;
        for asked in &asked {
            let page = calls::read(shared, line, || {
                shared
                    .client
                    .list_contacts()
                    .email(asked)
                    .limit(LIMIT)
                    .send()
            })
            .await?;
            let here = page
                .data
                .iter()
                .filter(|contact| {
                    contact
                        .email
                        .as_deref()
                        .is_none_or(|e| e.trim().to_lowercase() == email.to_lowercase())
                })
                .map(|contact| i64::from(contact.id))
                .min();
            found = match (found, here) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        return Ok(found);
    }
    Ok(None)
}

/// One page is enough: a phone or e-mail names a handful of contacts at most.
const LIMIT: std::num::NonZeroU32 = std::num::NonZeroU32::new(100).unwrap();
