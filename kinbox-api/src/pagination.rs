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
//! let mut deals = client.list_deals().status(DealStatus::Open).limit(100).stream();
//! while let Some(deal) = deals.try_next().await? {
//!     println!("{} {}", deal.id, deal.name);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::KinboxError;

/// One page of a cursor-paginated list: its items and the cursor of the next
/// page (`None` on the last one).
pub type Page<T> = (Vec<T>, Option<String>);

/// The most pages one walk follows: at 100 items a page, a million items.
/// A server that keeps naming new cursors cannot keep a walk going forever.
pub const MAX_PAGES: usize = 10_000;

/// Turns a page fetcher into a stream of items. `fetch_page` gets `None` for
/// the first page, then each page's next cursor; the stream ends after a page
/// without one, after an empty page (whatever cursor it names), or with the
/// first error. It never loops: a page whose next cursor was already followed
/// (the same page again, or a cycle through several) is yielded, then the
/// stream ends with [`KinboxError::CursorDidNotAdvance`]; after [`MAX_PAGES`]
/// pages it ends with [`KinboxError::TooManyPages`].
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
    stream::try_unfold(
        (fetch_page, Next::First, HashSet::new()),
        |(mut fetch_page, next, mut followed)| async move {
            let cursor = match next {
                Next::First => None,
                Next::After(cursor) => Some(cursor),
                Next::Loop(cursor) => return Err(KinboxError::CursorDidNotAdvance { cursor }),
                Next::Done => return Ok(None),
            };
            if followed.len() >= MAX_PAGES {
                return Err(KinboxError::TooManyPages { pages: MAX_PAGES });
            }
            let (items, next_cursor) = fetch_page(cursor.clone()).await?;
            // Every cursor followed, not only the last: a server that cycles
            // through two pages would otherwise be followed forever.
            followed.extend(cursor);
            let next = match next_cursor {
                // An empty page ends the walk: a server that answers nothing
                // but names yet another cursor would otherwise be asked again
                // and again.
                _ if items.is_empty() => Next::Done,
                Some(next) if followed.contains(&next) => Next::Loop(next),
                Some(next) if !next.is_empty() => Next::After(next),
                _ => Next::Done,
            };
            Ok(Some((items, (fetch_page, next, followed))))
        },
    )
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}
