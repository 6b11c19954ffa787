//! An adaptive bound on the requests in flight (AIMD): at most `window` at
//! once, the window halved when the API rate-limits and grown by one after a
//! run of answers as long as the window, up to the most the caller allows;
//! and a pause that holds every sender back until `Retry-After` has passed.
//!
//! Slots go to the waiters in the order of their priority (a row's line),
//! not of their arrival: the rows ahead of those in flight do their local
//! work (journaling) while they wait, but their requests (a contact lookup)
//! do not overtake the requests of earlier rows. Without it, a hundred rows
//! ahead each looking up a new contact held back every deal for seconds.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

/// How long to pause after a 429 that does not say how long.
pub(crate) const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// Shared by every row of one import.
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
    /// Wakes the waiters when a pause starts, to sleep until it ends.
    pause_started: Notify,
    /// Why nothing more is sent: the API refused the token (401). Every
    /// later request would be refused the same way.
    halted: std::sync::OnceLock<String>,
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
    /// Who waits for a slot, by (priority, arrival): a slot is handed to
    /// the first, with the epoch it was granted in. Handing over (rather
    /// than waking every waiter to race for it, which had every row in
    /// progress polled once per answer: 9 % of an import's CPU) wakes one.
    waiting: BTreeMap<(u64, u64), oneshot::Sender<u64>>,
    arrivals: u64,
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
                waiting: BTreeMap::new(),
                arrivals: 0,
            }),
            pause_started: Notify::new(),
            halted: std::sync::OnceLock::new(),
            stats,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a slot, and for any pause to end; among waiters, the
    /// lowest `priority` (then the first come) is served first.
    pub(crate) async fn acquire(&self, priority: u64) -> Permit<'_> {
        let mut waiter = {
            let mut state = self.lock();
            if state.waiting.is_empty() && self.free_slot(&mut state) {
                return self.take(&mut state);
            }
            let key = (priority, state.arrivals);
            state.arrivals += 1;
            let (grant, granted) = oneshot::channel();
            state.waiting.insert(key, grant);
            Waiter {
                limiter: self,
                key,
                granted,
                done: false,
            }
        };
        loop {
            // Registered before the pause is read, so a pause that starts
            // in between still wakes this waiter.
            let pause_started = self.pause_started.notified();
            let mut pause_started = std::pin::pin!(pause_started);
            pause_started.as_mut().enable();
            let pause = self.lock().paused_until;
            let mut pause_over = std::pin::pin!(pause.map(tokio::time::sleep_until));
            let woke = std::future::poll_fn(|cx| {
                if let Poll::Ready(epoch) = Pin::new(&mut waiter.granted).poll(cx) {
                    return Poll::Ready(Woke::Granted(epoch.ok()));
                }
                if pause_started.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Woke::PauseStarted);
                }
                match pause_over.as_mut().as_pin_mut().map(|sleep| sleep.poll(cx)) {
                    Some(Poll::Ready(())) => Poll::Ready(Woke::PauseOver),
                    _ => Poll::Pending,
                }
            })
            .await;
            match woke {
                Woke::Granted(epoch) => {
                    waiter.done = true;
                    return Permit {
                        limiter: self,
                        // The sender is only dropped with a grant sent.
                        epoch: epoch.unwrap_or_default(),
                        done: false,
                    };
                }
                Woke::PauseStarted => {}
                // Nobody hands slots out while paused: every waiter sleeps
                // until the pause ends, and the first to wake hands them out.
                Woke::PauseOver => self.hand_out(&mut self.lock()),
            }
        }
    }

    /// Whether a request may leave now; ends a pause that is over.
    fn free_slot(&self, state: &mut State) -> bool {
        if state
            .paused_until
            .is_some_and(|until| until > Instant::now())
        {
            return false;
        }
        state.paused_until = None;
        state.in_flight < state.window
    }

    fn take(&self, state: &mut State) -> Permit<'_> {
        state.in_flight += 1;
        Permit {
            limiter: self,
            epoch: state.epoch,
            done: false,
        }
    }

    /// Hands the free slots to the first waiters.
    fn hand_out(&self, state: &mut State) {
        while self.free_slot(state) {
            let Some((_, grant)) = state.waiting.pop_first() else {
                return;
            };
            // A waiter whose wait was dropped left the map first: the
            // receiver is alive.
            if grant.send(state.epoch).is_ok() {
                state.in_flight += 1;
            }
        }
    }

    /// Stops the import's sending for good: the API refused the token.
    pub(crate) fn halt(&self, reason: &str) {
        let _ = self.halted.set(reason.to_owned());
    }

    /// Why nothing more may be sent, once [`Limiter::halt`] was called.
    pub(crate) fn halted(&self) -> Option<&str> {
        self.halted.get().map(String::as_str)
    }

    /// Counts a request about to leave (with its permit).
    pub(crate) fn sending(&self) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a write whose outcome is unknown.
    pub(crate) fn outcome_unknown(&self) {
        self.stats.unknown_outcomes.fetch_add(1, Ordering::Relaxed);
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
            self.pause_started.notify_waiters();
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
        self.hand_out(&mut state);
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

enum Woke {
    Granted(Option<u64>),
    PauseStarted,
    PauseOver,
}

/// A place in the queue for a slot.
struct Waiter<'a> {
    limiter: &'a Limiter,
    key: (u64, u64),
    granted: oneshot::Receiver<u64>,
    /// The slot was taken as a permit.
    done: bool,
}

impl Drop for Waiter<'_> {
    /// A wait given up: leaves the queue, or gives back the slot it was
    /// handed meanwhile.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = self.limiter.lock();
        if state.waiting.remove(&self.key).is_none() {
            state.in_flight = state.in_flight.saturating_sub(1);
            self.limiter.hand_out(&mut state);
        }
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
        let a = limiter.acquire(0).await;
        let _b = limiter.acquire(0).await;
        let third = tokio::time::timeout(Duration::from_millis(10), limiter.acquire(0)).await;
        assert!(third.is_err(), "a third waits");
        drop(a);
        let third = tokio::time::timeout(Duration::from_millis(10), limiter.acquire(0)).await;
        assert!(third.is_ok(), "a freed slot is taken");
    }

    #[tokio::test(start_paused = true)]
    async fn every_waiter_gets_a_slot_in_turn_and_none_is_lost() {
        let limiter = limiter(3);
        let most = std::sync::atomic::AtomicUsize::new(0);
        let rows = (0..200u64).map(|row| {
            let (limiter, most) = (&limiter, &most);
            async move {
                let permit = limiter.acquire(0).await;
                most.fetch_max(limiter.lock().in_flight, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(row % 7)).await;
                match row % 5 {
                    // Dropped without a verdict, and a 429 with no wait.
                    0 => drop(permit),
                    1 => permit.rate_limited(Some(Duration::ZERO)),
                    _ => permit.success(),
                }
            }
        });
        let all = futures::future::join_all(rows);
        tokio::time::timeout(Duration::from_secs(60), all)
            .await
            .expect("every waiter was woken for a slot");
        assert!(most.load(Ordering::Relaxed) <= 3);
        assert_eq!(limiter.lock().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn earlier_rows_are_served_first_whenever_they_came() {
        let limiter = limiter(1);
        let held = limiter.acquire(0).await;
        let order = Mutex::new(Vec::new());
        let rows = [50u64, 7, 30, 7, 2].map(|line| {
            let (limiter, order) = (&limiter, &order);
            async move {
                let permit = limiter.acquire(line).await;
                order.lock().unwrap().push(line);
                tokio::time::sleep(Duration::from_millis(1)).await;
                permit.success();
            }
        });
        let release = async {
            // Every row is queued before the slot frees.
            tokio::time::sleep(Duration::from_millis(5)).await;
            held.success();
        };
        futures::future::join(futures::future::join_all(rows), release).await;
        assert_eq!(*order.lock().unwrap(), [2, 7, 7, 30, 50]);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_queued_before_a_pause_wait_for_its_end_and_then_go() {
        let limiter = limiter(2);
        let (a, b) = (limiter.acquire(0).await, limiter.acquire(0).await);
        let started = Instant::now();
        let waiters = (1..=3).map(|line| {
            let limiter = &limiter;
            async move {
                let permit = limiter.acquire(line).await;
                let waited = started.elapsed();
                permit.success();
                waited
            }
        });
        let answers = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            // Both in flight are refused: nothing is in flight during the
            // pause, so only the waiters themselves can end it.
            a.rate_limited(Some(Duration::from_secs(2)));
            b.rate_limited(Some(Duration::from_secs(2)));
        };
        let (waited, ()) = tokio::time::timeout(
            Duration::from_secs(30),
            futures::future::join(futures::future::join_all(waiters), answers),
        )
        .await
        .expect("the waiters go once the pause is over");
        for waited in waited {
            assert!(waited >= Duration::from_secs(2), "{waited:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_given_up_after_its_slot_was_handed_over_gives_the_slot_back() {
        let limiter = limiter(1);
        let held = limiter.acquire(0).await;
        let mut gone = Box::pin(limiter.acquire(1));
        // Queued, then handed the slot, then dropped before it looks.
        assert!(futures::poll!(gone.as_mut()).is_pending());
        held.success();
        drop(gone);
        let next = tokio::time::timeout(Duration::from_secs(1), limiter.acquire(2)).await;
        assert!(next.is_ok(), "the slot came back");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_once_per_burst_and_pauses_everyone() {
        let limiter = limiter(16);
        let permits: Vec<_> = futures::future::join_all((0..8).map(|_| limiter.acquire(0))).await;
        let started = Instant::now();
        for permit in permits {
            permit.rate_limited(Some(Duration::from_secs(3)));
        }
        assert_eq!(limiter.window(), 8, "eight 429s of one burst halve once");
        let permit = limiter.acquire(0).await;
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "nothing leaves before Retry-After: {:?}",
            started.elapsed()
        );
        // Sent after the decrease: a new burst.
        permit.rate_limited(None);
        assert_eq!(limiter.window(), 4);
        let before = Instant::now();
        drop(limiter.acquire(0).await);
        assert!(before.elapsed() >= DEFAULT_PAUSE);
        for _ in 0..10 {
            limiter.acquire(0).await.rate_limited(Some(Duration::ZERO));
        }
        assert_eq!(limiter.window(), 1, "never below one");
        assert_eq!(limiter.stats.smallest_window.load(Ordering::Relaxed), 1);
        assert_eq!(limiter.stats.rate_limited.load(Ordering::Relaxed), 19);
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_grows_by_one_after_a_run_of_successes_up_to_the_max() {
        let limiter = limiter(4);
        limiter.acquire(0).await.rate_limited(Some(Duration::ZERO));
        assert_eq!(limiter.window(), 2);
        limiter.acquire(0).await.success();
        assert_eq!(limiter.window(), 2, "a run is as long as the window");
        limiter.acquire(0).await.success();
        assert_eq!(limiter.window(), 3);
        for _ in 0..3 {
            limiter.acquire(0).await.success();
        }
        assert_eq!(limiter.window(), 4);
        for _ in 0..20 {
            limiter.acquire(0).await.success();
        }
        assert_eq!(limiter.window(), 4, "never above the max");
        drop(limiter.acquire(0).await);
        assert_eq!(limiter.lock().in_flight, 0);
    }
}
