//! Cursor pagination: a `Stream` of items that follows `nextCursor` until the
//! API says there is no next page.
//!
//! Every cursor-paginated list operation's builder has a `stream()` method,
//! generated from the spec (see `codegen.rs`) on top of [`paginate`]:
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use kinbox_api::types::DealStatus;
//!
//! # async fn run(client: kinbox_api::Client) -> Result<(), kinbox_api::KinboxError> {
//! let limit = kinbox_api::largest_page("list_deals").unwrap_or(100);
//! let mut deals = client.list_deals().status(DealStatus::Open).limit(limit).stream();
//! while let Some(deal) = deals.try_next().await? {
//!     println!("{} {}", deal.id, deal.name);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher as _, RandomState};

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::KinboxError;

/// One page of a cursor-paginated list: its items and the cursor of the next
/// page (`None` on the last one).
pub type Page<T> = (Vec<T>, Option<String>);

/// The most pages one walk follows: at 100 items a page, a million items.
/// A server that keeps naming new cursors cannot keep a walk going forever.
pub const MAX_PAGES: usize = 10_000;

/// The largest page the API serves for the list `operation_id` (the
/// maximum of its `limit`, from the spec), e.g. 100 for `list_deals`; `None`
/// for an operation without a bounded `limit`. A walk of every page asks for
/// this many items a page: 494 deals are 5 requests instead of 50.
pub fn largest_page(operation_id: &str) -> Option<u32> {
    crate::generated::QUERY_BOUNDS
        .iter()
        .find(|(op, parameter, _, _)| *op == operation_id && *parameter == "limit")
        .and_then(|(_, _, _, max)| u32::try_from((*max)?).ok())
}

/// Turns a page fetcher into a stream of items. `fetch_page` gets `None` for
/// the first page, then each page's next cursor; the stream ends after a page
/// without one, or with the first error. A page with no items but a next
/// cursor is followed: some servers answer an empty page while they still
/// have items, and stopping there would end a walk short, in silence.
///
/// It never loops and never stops short in silence: a page whose next cursor
/// was already followed (the same page again, or a cycle through several) is
/// yielded, then the stream ends with [`KinboxError::CursorDidNotAdvance`];
/// after [`MAX_PAGES`] pages it ends with [`KinboxError::TooManyPages`]. Either
/// error means the items yielded are not the whole list.
pub fn paginate<'a, T, F, Fut>(fetch_page: F) -> BoxStream<'a, Result<T, KinboxError>>
where
    T: Send + 'a,
    F: FnMut(Option<String>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, KinboxError>> + Send + 'a,
{
    enum Next {
        First,
        After(String),
        /// The last page pointed back to a cursor already followed: its
        /// items were new and are yielded; then the stream ends in an error.
        Loop(String),
        Done,
    }
    // Cursors are kept as keyed hashes, not as text: a server can make each
    // one as long as an answer, and a walk remembers up to MAX_PAGES of them.
    let seen = RandomState::new();
    stream::try_unfold(
        (fetch_page, Next::First, HashSet::new(), 0),
        move |(mut fetch_page, next, mut followed, pages)| {
            let seen = seen.clone();
            async move {
                let cursor = match next {
                    Next::First => None,
                    Next::After(cursor) => Some(cursor),
                    Next::Loop(cursor) => return Err(KinboxError::CursorDidNotAdvance { cursor }),
                    Next::Done => return Ok(None),
                };
                if pages == MAX_PAGES {
                    return Err(KinboxError::TooManyPages { pages: MAX_PAGES });
                }
                let (items, next_cursor) = fetch_page(cursor.clone()).await?;
                // Every cursor followed, not only the last: a server that cycles
                // through two pages would otherwise be followed forever.
                followed.extend(cursor.as_deref().map(|cursor| seen.hash_one(cursor)));
                let next = match next_cursor {
                    Some(next) if followed.contains(&seen.hash_one(next.as_str())) => {
                        Next::Loop(next)
                    }
                    Some(next) if !next.is_empty() => Next::After(next),
                    _ => Next::Done,
                };
                Ok(Some((items, (fetch_page, next, followed, pages + 1))))
            }
        },
    )
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_largest_page_is_the_specs_maximum_limit() {
        assert_eq!(super::largest_page("list_deals"), Some(100));
        assert_eq!(super::largest_page("list_contacts"), Some(100));
        assert_eq!(super::largest_page("get_deal"), None);
    }
}
