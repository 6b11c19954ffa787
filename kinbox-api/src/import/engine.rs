//! One row, from the journal's word on it to its outcome.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::calls::{self, MAX_RATE_LIMITED, Written};
use super::contacts;
use super::journal::{Event, Record, Recorded};
use super::resume::{Assignment, Key};
use super::shared::Shared;
use super::{FailureKind, ImportRow, RowOutcome, reconcile};
use crate::types;

/// The fingerprint of a row as read, before its contact is resolved: the
/// deal (with `contactId` left out when the contact is looked up) and the
/// lookup.
pub(crate) fn fingerprint(row: &ImportRow) -> u64 {
    #[derive(Serialize)]
    struct Contact<'a> {
        phone: &'a Option<String>,
        email: &'a Option<String>,
        name: &'a Option<String>,
    }
    #[derive(Serialize)]
    struct Row<'a> {
        deal: &'a types::DealCreate,
        contact: Option<Contact<'a>>,
    }
    let contact = row.contact.as_ref().map(|contact| Contact {
        phone: &contact.phone,
        email: &contact.email,
        name: &contact.name,
    });
    let leave_out: &[&str] = match contact {
        Some(_) => &["deal", "contactId"],
        None => &[],
    };
    let row = Row {
        deal: &row.deal,
        contact,
    };
    super::journal::fingerprint(&row, leave_out)
}

/// The identity of a row: what it keeps when it is corrected, its deal's
/// name and its contact (the phone and e-mail it is looked up by, else the
/// contact's id). A row found in the journal by its identity but not by its
/// content changed since; its deal is not made again.
pub(crate) fn identity(row: &ImportRow) -> u64 {
    #[derive(Serialize)]
    struct Identity<'a> {
        name: &'a str,
        phone: Option<&'a str>,
        email: Option<String>,
        contact_id: Option<i64>,
    }
    let identity = match &row.contact {
        Some(contact) => Identity {
            name: row.deal.name.trim(),
            phone: contact.phone.as_deref().map(str::trim),
            email: contact.email.as_deref().map(|e| e.trim().to_lowercase()),
            contact_id: None,
        },
        None => Identity {
            name: row.deal.name.trim(),
            phone: None,
            email: None,
            contact_id: Some(row.deal.contact_id),
        },
    };
    super::journal::fingerprint(&identity, &[])
}

fn failed(line: u64, kind: FailureKind, error: impl Into<String>) -> RowOutcome {
    RowOutcome::Failed {
        line,
        error: error.into(),
        kind,
    }
}

/// How a row's records name it in the journal: the line an earlier run
/// recorded it under (it may have moved since), its content and identity.
#[derive(Clone, Copy, Debug)]
struct Journaled {
    line: u64,
    fingerprint: u64,
    identity: u64,
}

impl Journaled {
    fn record(&self, event: Event) -> Record {
        Record::new(self.line, event, self.fingerprint).identity(self.identity)
    }
}

pub(crate) async fn run_row(shared: &Shared, row: ImportRow) -> RowOutcome {
    let line = row.line;
    if !shared
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(line)
    {
        return failed(
            line,
            FailureKind::DuplicateLine,
            format!("line {line} appears twice in this import: each row needs a line of its own"),
        );
    }
    let key = Key {
        line,
        fingerprint: fingerprint(&row),
        identity: identity(&row),
    };
    let mut journaled = Journaled {
        line,
        fingerprint: key.fingerprint,
        identity: key.identity,
    };
    let mut pending = None;
    if let Some(journal) = &shared.journal {
        let assignment = shared
            .matcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .assign(key);
        let unsure_since = journal.unsure_since();
        match assignment {
            None => {
                return failed(
                    line,
                    FailureKind::JournalMismatch,
                    format!(
                        "line {line} is not the row it was when the import read the file first: \
                         the file changed while it was being imported. Nothing was sent for it; \
                         run the import again (the journal, {}, makes that safe)",
                        journal.path().display()
                    ),
                );
            }
            Some(Assignment::Same { line: recorded }) => {
                journaled.line = recorded;
                match journal
                    .recorded(recorded, key.fingerprint)
                    .map(|e| &e.state)
                {
                    Some(Recorded::Done { deal }) => {
                        return RowOutcome::Skipped {
                            line,
                            deal_id: deal.to_string(),
                        };
                    }
                    Some(Recorded::Pending { sent_at, contact }) => {
                        pending = Some((*sent_at, *contact));
                    }
                    // Refused or never sent: the row may have been fixed
                    // since. Unless the journal was cut: it may have been
                    // sent again and created since, in records that were lost.
                    _ => pending = unsure_since.map(|since| (since, None)),
                }
            }
            Some(Assignment::Changed {
                line: recorded,
                fingerprint: was,
            }) => {
                let moved = match recorded == line {
                    true => String::new(),
                    false => format!(" (then on line {recorded})"),
                };
                return match journal.recorded(recorded, was).map(|e| &e.state) {
                    Some(Recorded::Done { deal }) => RowOutcome::Changed {
                        line,
                        deal_id: deal.to_string(),
                        error: format!(
                            "line {line} changed after an earlier run made its deal {deal}{moved}: \
                             not sent again, which would make a second deal; change the deal \
                             itself if the change matters"
                        ),
                    },
                    _ => failed(
                        line,
                        FailureKind::Changed,
                        format!(
                            "line {line} changed after an earlier run sent it{moved} without \
                             learning whether its deal was made: nothing was sent for it, which \
                             could make a second deal; look for the deal, and import the row on \
                             its own if it is not there"
                        ),
                    ),
                };
            }
            // Not in the journal: if it was cut, its records may be the
            // lost ones.
            Some(Assignment::New) => pending = unsure_since.map(|since| (since, None)),
        }
    }
    let not_sent = |reason: &str| {
        // Sent by an earlier run, and not looked for: it may exist.
        let kind = match pending {
            Some(_) => FailureKind::Unresolved,
            None => FailureKind::Halted,
        };
        failed(
            line,
            kind,
            format!(
                "line {line} was not sent: {}",
                calls::halted_message(reason)
            ),
        )
    };
    if let Some(reason) = shared.halted() {
        return not_sent(reason);
    }
    let mut deal = row.deal;
    if let Some(lookup) = &row.contact {
        match Box::pin(contacts::resolve(shared, lookup, line)).await {
            Ok(contact) => deal.contact_id = contact,
            Err(no_contact) => {
                return match shared.halted() {
                    Some(reason) => not_sent(reason),
                    None => failed(line, no_contact.kind, no_contact.error),
                };
            }
        }
    }
    let _identity = shared.lock(&deal).await;
    // Boxed: the row's future is moved as it is queued, and the create's
    // state (the request's, reqwest's and hyper's futures) is most of it.
    Box::pin(create(shared, line, journaled, deal, pending)).await
}

/// Sends the create until it is known to have worked (or found), or it is
/// refused, or the attempts run out; never sends it while an earlier send
/// may have been applied without looking for that deal first.
async fn create(
    shared: &Shared,
    line: u64,
    journaled: Journaled,
    deal: types::DealCreate,
    pending: Option<(DateTime<Utc>, Option<i64>)>,
) -> RowOutcome {
    let options = &shared.options;
    let mut first_sent = None;
    // Whether a create of this run may have been applied: even when it was
    // looked for and not found, a failure is recorded as maybe applied, so
    // that the next run looks again.
    let mut had_unknown = false;
    if let Some((sent_at, contact)) = pending {
        // Sent by an earlier run that never learnt the outcome.
        first_sent = Some(sent_at);
        let ready = sent_at + options.reconcile_delay;
        if let Ok(wait) = (ready - Utc::now()).to_std() {
            shared.pause(wait).await;
        }
        let mut sent = deal.clone();
        sent.contact_id = contact.unwrap_or(deal.contact_id);
        match Box::pin(reconcile::find(shared, line, &sent, since(shared, sent_at))).await {
            Ok(Some(id)) => return reconciled(shared, line, journaled, id).await,
            Ok(None) => {}
            Err(error) => {
                let error = format!(
                    "an earlier run sent line {line} without learning the outcome, and looking \
                     for its deal failed: {error}"
                );
                return give_up(
                    shared,
                    line,
                    journaled,
                    sent_at,
                    &deal,
                    FailureKind::Unresolved,
                    error,
                )
                .await;
            }
        }
    }
    let (mut attempts, mut rate_limited) = (0, 0);
    let mut last_error = String::new();
    while attempts < options.max_attempts.get() && rate_limited < MAX_RATE_LIMITED {
        if let Some(reason) = shared.halted() {
            let error = format!(
                "line {line} was not sent: {}",
                calls::halted_message(reason)
            );
            let first = first_sent.unwrap_or_else(Utc::now);
            let kind = match had_unknown {
                true => FailureKind::Unresolved,
                false => FailureKind::Halted,
            };
            return give_up(shared, line, journaled, first, &deal, kind, error).await;
        }
        let now = Utc::now();
        let mut sending = journaled.record(Event::Sending);
        sending.at = Some(now);
        sending.contact = Some(deal.contact_id);
        if let Err(error) = shared.record(sending).await {
            let error = format!("line {line} was not sent: {error}");
            let kind = if had_unknown {
                FailureKind::Unresolved
            } else {
                FailureKind::Journal
            };
            return failed(line, kind, error);
        }
        let first = *first_sent.get_or_insert(now);
        // Boxed where it is made: the request's future is kilobytes, and
        // moving it into `write` and then into this future copied it whole.
        let send = Box::pin(shared.client.create_deal().body(deal.clone()).send());
        let written = calls::write(shared, line, send).await;
        if !matches!(written, Written::Halted(_)) {
            shared.stats.creates.fetch_add(1, Ordering::Relaxed);
        }
        match written {
            Written::Done(created) => {
                if !shared.claim(&created.id) {
                    tracing::warn!(
                        line,
                        deal = %created.id,
                        "the deal created is already attributed to another row"
                    );
                }
                let mut record = journaled.record(Event::Created);
                record.deal = Some(created.id.clone());
                if let Err(error) = shared.record(record).await {
                    tracing::warn!(line, %error, "the deal was created, but the journal cannot say so; the next run will find it");
                }
                return RowOutcome::Created {
                    line,
                    deal_id: created.id,
                };
            }
            Written::RateLimited => rate_limited += 1,
            // The loop's next turn gives up.
            Written::Halted(_) => {}
            Written::NotSent(error) => {
                shared.pause(calls::backoff(attempts)).await;
                attempts += 1;
                last_error = error;
            }
            Written::Rejected(error) => {
                let mut record = journaled.record(Event::Failed);
                record.kind = Some("rejected".to_owned());
                record.error = Some(error.clone());
                record.maybe_applied = Some(false);
                if let Err(journal) = shared.record(record).await {
                    tracing::warn!(line, %journal, "cannot journal the row's failure");
                }
                return failed(line, FailureKind::Rejected, error);
            }
            Written::Unknown(error) => {
                tracing::debug!(line, %error, "the create's outcome is unknown; looking for its deal");
                attempts += 1;
                last_error = error;
                had_unknown = true;
                // An answer lost on the way may belong to a create still
                // being applied: give it a moment.
                shared.pause(options.reconcile_delay).await;
                match Box::pin(reconcile::find(shared, line, &deal, since(shared, first))).await {
                    Ok(Some(id)) => return reconciled(shared, line, journaled, id).await,
                    Ok(None) => {}
                    Err(error) => {
                        let error = format!(
                            "line {line}'s create may have been applied ({last_error}), and \
                             looking for its deal failed: {error}"
                        );
                        return give_up(
                            shared,
                            line,
                            journaled,
                            first,
                            &deal,
                            FailureKind::Unresolved,
                            error,
                        )
                        .await;
                    }
                }
            }
        }
    }
    let error = if rate_limited >= MAX_RATE_LIMITED {
        format!("gave up on line {line}: rate limited {rate_limited} times")
    } else {
        format!("gave up on line {line} after {attempts} attempts: {last_error}")
    };
    let first = first_sent.unwrap_or_else(Utc::now);
    let kind = match had_unknown {
        true => FailureKind::Unresolved,
        false => FailureKind::GaveUp,
    };
    give_up(shared, line, journaled, first, &deal, kind, error).await
}

fn since(shared: &Shared, sent_at: DateTime<Utc>) -> DateTime<Utc> {
    let skew = chrono::Duration::from_std(shared.options.clock_skew)
        .unwrap_or_else(|_| chrono::Duration::minutes(10));
    sent_at - skew
}

async fn reconciled(
    shared: &Shared,
    line: u64,
    journaled: Journaled,
    deal_id: String,
) -> RowOutcome {
    tracing::debug!(line, deal = %deal_id, "found the deal of a create whose answer was lost");
    shared.stats.reconciled.fetch_add(1, Ordering::Relaxed);
    let mut record = journaled.record(Event::Reconciled);
    record.deal = Some(deal_id.clone());
    if let Err(error) = shared.record(record).await {
        tracing::warn!(line, %error, "the deal was found, but the journal cannot say so; the next run will find it again");
    }
    RowOutcome::Reconciled { line, deal_id }
}

async fn give_up(
    shared: &Shared,
    line: u64,
    journaled: Journaled,
    first_sent: DateTime<Utc>,
    deal: &types::DealCreate,
    kind: FailureKind,
    error: String,
) -> RowOutcome {
    let mut record = journaled.record(Event::Failed);
    record.at = Some(first_sent);
    record.contact = Some(deal.contact_id);
    record.error = Some(error.clone());
    // The next run looks for the deal of such a row before sending it.
    record.maybe_applied = Some(kind == FailureKind::Unresolved);
    record.kind = Some(format!("{kind:?}").to_lowercase());
    if let Err(journal) = shared.record(record).await {
        tracing::warn!(line, %journal, "cannot journal the row's failure");
    }
    failed(line, kind, error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ContactLookup;

    /// A journal written by an earlier version holds fingerprints made by
    /// this formula: they must still match the same rows.
    fn fingerprint_as_first_made(row: &ImportRow) -> u64 {
        let mut deal = serde_json::to_value(&row.deal).unwrap();
        if row.contact.is_some() {
            deal.as_object_mut().unwrap().remove("contactId");
        }
        let contact = row.contact.as_ref().map(|contact| {
            serde_json::json!({
                "phone": contact.phone,
                "email": contact.email,
                "name": contact.name,
            })
        });
        let row = serde_json::json!({ "deal": deal, "contact": contact });
        super::super::journal::fingerprint(&row, &[])
    }

    #[test]
    fn row_fingerprints_are_the_ones_earlier_journals_hold() {
        let deal: types::DealCreate = serde_json::from_str(include_str!(
            "../../tests/fixtures/create_deal_request.json"
        ))
        .unwrap();
        let mut rows = vec![ImportRow {
            line: 7,
            deal: deal.clone(),
            contact: None,
        }];
        for contact in [
            ContactLookup::phone("5585997281648").name("Maria \"Mãe\" Oliveira"),
            ContactLookup::email("ana@example.com"),
            ContactLookup::default(),
        ] {
            rows.push(ImportRow {
                line: 8,
                deal: deal.clone(),
                contact: Some(contact),
            });
        }
        for row in &rows {
            assert_eq!(fingerprint(row), fingerprint_as_first_made(row), "{row:?}");
        }
        // The contact id is not part of a row that looks its contact up.
        let mut other_id = rows[1].clone();
        other_id.deal.contact_id += 1;
        assert_eq!(fingerprint(&rows[1]), fingerprint(&other_id));
        assert_ne!(fingerprint(&rows[0]), fingerprint(&rows[1]));
    }
}
