//! Finding the deal a create made when its answer was lost: the deals of the
//! same contact and pipeline created since the first send (less the clock
//! skew allowed), with the same name, value and stage, and not already
//! attributed to another row of this import.

use chrono::{DateTime, Utc};

use super::calls;
use super::shared::Shared;
use crate::{KinboxError, MAX_PAGES, types};

const LIMIT: std::num::NonZeroU32 = std::num::NonZeroU32::new(100).unwrap();

/// The oldest unattributed deal that `deal` would have made, sent no
/// earlier than `since`; it is attributed (claimed) before it is returned.
/// `line` is the row's, whose place the reads take.
pub(crate) async fn find(
    shared: &Shared,
    line: u64,
    deal: &types::DealCreate,
    since: DateTime<Utc>,
) -> Result<Option<String>, KinboxError> {
    let request = shared
        .client
        .list_deals()
        .contact_id(deal.contact_id)
        .pipeline_id(deal.pipeline_id.clone())
        .created_at_from(since)
        .limit(LIMIT);
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = calls::read(shared, line, || {
            let request = request.clone();
            match &cursor {
                Some(cursor) => request.cursor(cursor.clone()),
                None => request,
            }
            .send()
        })
        .await?;
        for found in page.data.iter().filter(|found| same(found, deal)) {
            if shared.claim(&found.id) {
                return Ok(Some(found.id.clone()));
            }
        }
        // An empty page with a cursor is followed: stopping there would
        // miss the deal and send the row again.
        match page.next_cursor.map(|next| next.to_string()) {
            Some(next) if cursor.as_ref() == Some(&next) => {
                return Err(KinboxError::CursorDidNotAdvance { cursor: next });
            }
            Some(next) => cursor = Some(next),
            None => return Ok(None),
        }
    }
    Err(KinboxError::TooManyPages { pages: MAX_PAGES })
}

/// What a create sets and a deal shows: name, value and stage, and the
/// list's filters again (contact and pipeline), in case a server ignores
/// them.
fn same(found: &types::Deal, sent: &types::DealCreate) -> bool {
    let contact = found.contact.as_ref().map(|contact| i64::from(contact.id));
    contact.is_none_or(|contact| contact == sent.contact_id)
        && found.name == sent.name
        && found.stage_id == sent.stage_id
        && found.pipeline_id == sent.pipeline_id
        && same_value(found.value, sent.value)
}

fn same_value(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_match_through_a_round_trip() {
        assert!(super::same_value(1890.0, 1890.0));
        assert!(super::same_value(0.1 + 0.2, 0.3));
        assert!(!super::same_value(1890.0, 1890.01));
    }
}
