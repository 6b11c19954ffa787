//! An adaptive bound on the requests in flight (AIMD): at most `window` at
//! once, the window halved when the API rate-limits and grown by one after a
//! run of answers as long as the window, up to the most the caller allows;
//! and a pause that holds every sender back until `Retry-After` has passed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// How long to pause after a 429 that does not say how long.
pub(crate) const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// Shared by every row of one import.
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
    /// Woken when a slot frees up or the window grows.
    freed: Notify,
    stats: Arc<Counters>,
}

#[derive(Debug)]
struct State {
    /// The most the caller allows.
    max: usize,
    /// The current bound, 1..=max.
    window: usize,
    in_flight: usize,
    /// Answers without a 429 since the window last changed.
    successes: usize,
    /// Bumped at every decrease: a 429 for a request sent before the last
    /// decrease belongs to the same burst and does not halve again.
    epoch: u64,
    /// No request leaves before this.
    paused_until: Option<Instant>,
}

/// What the import tells its caller about the rate control (see
/// [`ImportStats`](super::ImportStats)).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) window: AtomicU64,
    pub(crate) smallest_window: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) creates: AtomicU64,
    pub(crate) unknown_outcomes: AtomicU64,
    pub(crate) reconciled: AtomicU64,
    pub(crate) contacts_created: AtomicU64,
    pub(crate) contacts_reconciled: AtomicU64,
}

/// One slot; dropping it without a verdict frees it and changes nothing else.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
    epoch: u64,
    done: bool,
}

impl Limiter {
    pub(crate) fn new(max: usize, stats: Arc<Counters>) -> Self {
        let max = max.max(1);
        stats.window.store(max as u64, Ordering::Relaxed);
        stats.smallest_window.store(max as u64, Ordering::Relaxed);
        Self {
            state: Mutex::new(State {
                max,
                window: max,
                in_flight: 0,
                successes: 0,
                epoch: 0,
                paused_until: None,
            }),
            freed: Notify::new(),
            stats,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a slot, and for any pause to end.
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        loop {
            // Registered before the state is read, so a slot freed in between
            // still wakes this waiter.
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            let pause = {
                let mut state = self.lock();
                match state.paused_until {
                    Some(until) if until > Instant::now() => Some(until),
                    _ => {
                        state.paused_until = None;
                        if state.in_flight < state.window {
                            state.in_flight += 1;
                            self.stats.requests.fetch_add(1, Ordering::Relaxed);
                            return Permit {
                                limiter: self,
                                epoch: state.epoch,
                                done: false,
                            };
                        }
                        None
                    }
                }
            };
            match pause {
                Some(until) => tokio::time::sleep_until(until).await,
                None => freed.await,
            }
        }
    }

    /// The current bound.
    #[cfg(test)]
    pub(crate) fn window(&self) -> usize {
        self.lock().window
    }

    /// Pauses everyone for `wait` (a 429 met outside a permit, or none).
    fn pause(&self, state: &mut State, wait: Duration) {
        let until = Instant::now() + wait;
        if state.paused_until.is_none_or(|current| current < until) {
            state.paused_until = Some(until);
        }
    }

    fn release(&self, epoch: u64, verdict: Verdict) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        match verdict {
            Verdict::Neutral => {}
            Verdict::Success => {
                state.successes += 1;
                if state.successes >= state.window && state.window < state.max {
                    state.window += 1;
                    state.successes = 0;
                    self.stats
                        .window
                        .store(state.window as u64, Ordering::Relaxed);
                }
            }
            Verdict::RateLimited(wait) => {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                self.pause(&mut state, wait.unwrap_or(DEFAULT_PAUSE));
                if epoch == state.epoch {
                    state.epoch += 1;
                    state.window = (state.window / 2).max(1);
                    state.successes = 0;
                    self.stats
                        .window
                        .store(state.window as u64, Ordering::Relaxed);
                    self.stats
                        .smallest_window
                        .fetch_min(state.window as u64, Ordering::Relaxed);
                }
            }
        }
        drop(state);
        self.freed.notify_waiters();
    }
}

enum Verdict {
    Neutral,
    Success,
    RateLimited(Option<Duration>),
}

impl Permit<'_> {
    /// The API answered (anything but a 429).
    pub(crate) fn success(mut self) {
        self.done = true;
        self.limiter.release(self.epoch, Verdict::Success);
    }

    /// The API answered 429: pause everyone for `retry_after` (1 s when it
    /// says nothing) and halve the window, once per burst.
    pub(crate) fn rate_limited(mut self, retry_after: Option<Duration>) {
        self.done = true;
        self.limiter
            .release(self.epoch, Verdict::RateLimited(retry_after));
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.limiter.release(self.epoch, Verdict::Neutral);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(max: usize) -> Limiter {
        Limiter::new(max, Arc::default())
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_window_in_flight() {
        let limiter = limiter(2);
        let a = limiter.acquire().await;
        let _b = limiter.acquire().await;
        let third = tokio::time::timeout(Duration::from_millis(10), limiter.acquire()).await;
        assert!(third.is_err(), "a third waits");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(10), limiter.acquire()).await;
        assert!(third.is_ok(), "a freed slot is taken");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_once_per_burst_and_pauses_everyone() {
        let limiter = limiter(16);
        let permits: Vec<_> = futures::future::join_all((0..8).map(|_| limiter.acquire())).await;
        let started = Instant::now();
        for permit in permits {
            permit.rate_limited(Some(Duration::from_secs(3)));
        }
        assert_eq!(limiter.window(), 8, "eight 429s of one burst halve once");
        let permit = limiter.acquire().await;
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "nothing leaves before Retry-After: {:?}",
            started.elapsed()
        );
        // Sent after the decrease: a new burst.
        permit.rate_limited(None);
        assert_eq!(limiter.window(), 4);
        let before = Instant::now();
        drop(limiter.acquire().await);
        assert!(before.elapsed() >= DEFAULT_PAUSE);
        for _ in 0..10 {
            limiter.acquire().await.rate_limited(Some(Duration::ZERO));
        }
        assert_eq!(limiter.window(), 1, "never below one");
        assert_eq!(limiter.stats.smallest_window.load(Ordering::Relaxed), 1);
        assert_eq!(limiter.stats.rate_limited.load(Ordering::Relaxed), 19);
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_grows_by_one_after_a_run_of_successes_up_to_the_max() {
        let limiter = limiter(4);
        limiter.acquire().await.rate_limited(Some(Duration::ZERO));
        assert_eq!(limiter.window(), 2);
        limiter.acquire().await.success();
        assert_eq!(limiter.window(), 2, "a run is as long as the window");
        limiter.acquire().await.success();
        assert_eq!(limiter.window(), 3);
        for _ in 0..3 {
            limiter.acquire().await.success();
        }
        assert_eq!(limiter.window(), 4);
        for _ in 0..20 {
            limiter.acquire().await.success();
        }
        assert_eq!(limiter.window(), 4, "never above the max");
        drop(limiter.acquire().await);
        assert_eq!(limiter.lock().in_flight, 0);
    }
}
