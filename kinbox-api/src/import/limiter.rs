//! An adaptive bound on the requests in flight (AIMD): at most `window` at
//! once, the window halved once per burst of 429s (an API may limit the
//! requests in flight rather than their rate), not below what the pace
//! learnt needs in flight, and grown by one after a
//! run of answers as long as the window, up to the most the caller allows;
//! a pause that holds every sender back until `Retry-After` has passed; and
//! a pace learned from the 429s, so that the import stays under the API's
//! rate instead of meeting it again and again.
//!
//! The pace: nothing is paced until the first 429. When a request is
//! refused, the requests the API let through in the `Retry-After` (at least
//! a second, at most a minute) before the first refused one left are what
//! the API allows in that time: with a fixed window as with a sliding one,
//! the API let through exactly its quota before it refused. That count is
//! made when the pause ends, once the answers of the requests in flight
//! with the refused ones are in (answers come back out of order: the first
//! 429 to arrive is not always for the first request refused). From then
//! on requests leave
//! one every `1 / rate` (a token bucket holding [`CATCH_UP`] of requests, so
//! a late timer is made up for), at [`PACE_MARGIN`] of that rate and with
//! room for a request [`JITTER`] late, and the
//! next refused request learns it again. Kinbox documents no rate-limit
//! headers, so the 429s and their `Retry-After` are the only signal. Each
//! [`PROBE_EVERY`] without a 429 the pace rises by [`PROBE_STEP`], so a
//! limit that was raised (or shared with a client that stopped) is found
//! again, slowly: a 429 costs a pause, which is worth many seconds of a
//! slightly slower pace.
//!
//! Slots go to the waiters in the order of their priority (a row's line),
//! not of their arrival: the rows ahead of those in flight do their local
//! work (journaling) while they wait, but their requests (a contact lookup)
//! do not overtake the requests of earlier rows. Without it, a hundred rows
//! ahead each looking up a new contact held back every deal for seconds.

use std::collections::{BTreeMap, VecDeque};
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

/// The share of the rate learned that the import paces at: the sends'
/// timing is not exact (timers, connections being made), and each 429
/// costs a whole `Retry-After`, so a little under the limit is faster than
/// at it.
const PACE_MARGIN: f64 = 0.97;
/// How much later than its turn a request may reach the API (a timer that
/// fires late on a busy machine, a connection being made): a window of the
/// API's that opens with a late request holds the paced requests of a
/// second and this much more, which matters at low rates (at 50 a second,
/// 30 ms is one and a half requests), so the pace leaves room for it too.
const JITTER: Duration = Duration::from_millis(30);
/// The requests counted to learn the rate: those sent in `Retry-After`
/// before the refused one, within these bounds.
const LEARN_SHORTEST: Duration = Duration::from_secs(1);
const LEARN_LONGEST: Duration = Duration::from_secs(60);
/// The fewest requests let through that a pace is learnt from: fewer say
/// too little (a 429 at the start of an import, or of another client's
/// burst); the pause and the halved window do then, as before any pace.
const LEAST_EVIDENCE: usize = 10;
/// The most send times remembered (a minute at 2,000 a second is far
/// more than any API allows one client).
const REMEMBERED: usize = 120_000;
/// How far behind its schedule the pace may fall and catch up with a
/// burst (a timer that fired late, a row that waited for its journal).
const CATCH_UP: Duration = Duration::from_millis(10);
/// Without a 429 for this long, the pace rises by [`PROBE_STEP`].
const PROBE_EVERY: Duration = Duration::from_secs(10);
const PROBE_STEP: f64 = 1.01;

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
    /// The pace learned from the 429s; none before the first.
    pace: Option<Pace>,
    /// When the requests of the last minute that the API let through left.
    accepted: VecDeque<Instant>,
    /// The 429s of the requests sent at the last rate, learnt from when
    /// the pause they caused ends.
    burst: Option<Burst>,
    /// How long an answer takes, in seconds (a moving average).
    latency: Option<f64>,
}

/// When the first and the last refused requests of a burst of 429s were
/// let go, and the longest wait.
#[derive(Debug)]
struct Burst {
    first: Instant,
    last: Instant,
    wait: Duration,
}

/// Requests leave one every `1 / rate` seconds.
#[derive(Debug)]
struct Pace {
    /// Requests a second.
    rate: f64,
    /// When the next request may leave.
    next: Instant,
    /// When the rate last changed (for the probe).
    since: Instant,
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
    /// When it was let go: the request leaves at once.
    sent_at: Instant,
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
                pace: None,
                accepted: VecDeque::new(),
                burst: None,
                latency: None,
            }),
            pause_started: Notify::new(),
            halted: std::sync::OnceLock::new(),
            stats,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a slot, for any pause to end and for the pace's next
    /// turn; among waiters, the lowest `priority` (then the first come) is
    /// served first, and takes the earlier turn.
    pub(crate) async fn acquire(&self, priority: u64) -> Permit<'_> {
        let permit = self.slot(priority).await;
        self.paced(permit).await
    }

    /// Holds `permit` back until the pace's next turn (a slot held while
    /// waiting for it is a request about to leave), and any pause that
    /// started meanwhile.
    async fn paced<'a>(&'a self, mut permit: Permit<'a>) -> Permit<'a> {
        loop {
            let turn = {
                let mut state = self.lock();
                self.settle(&mut state);
                self.turn(&mut state)
            };
            if let Some(turn) = turn {
                tokio::time::sleep_until(turn).await;
            }
            let pause = {
                let state = self.lock();
                let pause = state.paused_until.filter(|until| *until > Instant::now());
                if pause.is_none() {
                    // A 429 belongs to the burst of the rate it was sent at.
                    permit.epoch = state.epoch;
                    permit.sent_at = Instant::now();
                }
                pause
            };
            match pause {
                // The pace starts again where the pause ends.
                Some(until) => tokio::time::sleep_until(until).await,
                None => return permit,
            }
        }
    }

    /// When the next request may leave, by the pace, taking that turn;
    /// `None` for now.
    fn turn(&self, state: &mut State) -> Option<Instant> {
        let pace = state.pace.as_mut()?;
        let now = Instant::now();
        if now.saturating_duration_since(pace.since) >= PROBE_EVERY {
            pace.rate *= PROBE_STEP;
            pace.since = now;
        }
        let earliest = now.checked_sub(CATCH_UP).unwrap_or(now);
        let turn = pace.next.max(earliest);
        pace.next = turn + Duration::from_secs_f64(1.0 / pace.rate);
        (turn > now).then_some(turn)
    }

    /// The requests a second the import is paced at, once a 429 taught it.
    #[cfg(test)]
    pub(crate) fn pace(&self) -> Option<f64> {
        self.lock().pace.as_ref().map(|pace| pace.rate)
    }

    /// Waits for a slot, and for any pause to end.
    async fn slot(&self, priority: u64) -> Permit<'_> {
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
                        sent_at: Instant::now(),
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
            sent_at: Instant::now(),
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

    /// Once the pause of a burst of 429s is over, learns the pace from it
    /// and halves the window, but not below what the pace needs in flight
    /// (twice the pace times an answer's time): an API that limits the
    /// requests in flight is met by the window, one that limits their rate
    /// by the pace, which a smaller window would only slow.
    fn settle(&self, state: &mut State) {
        if state
            .paused_until
            .is_some_and(|until| until > Instant::now())
        {
            return;
        }
        let Some(burst) = state.burst.take() else {
            return;
        };
        self.learn(state, &burst);
        let needed = match (&state.pace, state.latency) {
            (Some(pace), Some(latency)) => (pace.rate * latency * 2.0).ceil() as usize,
            _ => 0,
        };
        state.window = (state.window / 2).max(needed).clamp(1, state.max);
        self.stats
            .window
            .store(state.window as u64, Ordering::Relaxed);
        self.stats
            .smallest_window
            .fetch_min(state.window as u64, Ordering::Relaxed);
    }

    /// Learns the pace from a burst of 429s told to wait `wait`: the
    /// requests let through in the `wait` before the first refused one
    /// (and among the refused ones: a request let go a little later may
    /// reach the API first, a new connection being made for the earlier)
    /// are what the API allows in that time. Nothing is learnt
    /// when fewer than [`LEAST_EVIDENCE`] were (the quota was spent by
    /// someone else, or it is that small: the pause and the window do).
    fn learn(&self, state: &mut State, burst: &Burst) {
        let span = burst.wait.clamp(LEARN_SHORTEST, LEARN_LONGEST);
        let allowed = state
            .accepted
            .iter()
            .filter(|at| **at + span >= burst.first && **at <= burst.last)
            .count();
        if allowed < LEAST_EVIDENCE {
            return;
        }
        let allowed_rate = allowed as f64 / span.as_secs_f64();
        let with_late_ones = (allowed - 1) as f64 / (span + JITTER).as_secs_f64();
        let rate = (allowed_rate * PACE_MARGIN).min(with_late_ones);
        let now = Instant::now();
        tracing::debug!(
            allowed,
            in_seconds = span.as_secs_f64(),
            pace = rate,
            "the API let {allowed} requests through in {span:?} before refusing one: pacing \
             at {rate:.1} a second"
        );
        state.pace = Some(Pace {
            rate,
            next: state.paused_until.unwrap_or(now),
            since: now,
        });
    }

    fn release(&self, epoch: u64, sent_at: Instant, verdict: Verdict) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        match verdict {
            Verdict::Neutral => {}
            Verdict::Success => {
                remember(&mut state.accepted, sent_at);
                let took = Instant::now().saturating_duration_since(sent_at);
                let took = took.as_secs_f64();
                state.latency = Some(state.latency.map_or(took, |l| 0.9 * l + 0.1 * took));
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
                let wait = wait.unwrap_or(DEFAULT_PAUSE);
                self.pause(&mut state, wait);
                // One burst a rate: the 429s of the requests sent at the
                // same rate are the same news, learnt from once the pause
                // is over (see `settle`).
                let current = state.epoch;
                match &mut state.burst {
                    Some(burst) => {
                        burst.first = burst.first.min(sent_at);
                        burst.last = burst.last.max(sent_at);
                        burst.wait = burst.wait.max(wait);
                    }
                    None if epoch == current => {
                        state.epoch += 1;
                        state.successes = 0;
                        state.burst = Some(Burst {
                            first: sent_at,
                            last: sent_at,
                            wait,
                        });
                    }
                    None => {}
                }
            }
        }
        self.hand_out(&mut state);
    }
}

/// Keeps `at` among the last minute's times, and no more than
/// [`REMEMBERED`] of them.
fn remember(times: &mut VecDeque<Instant>, at: Instant) {
    while times.front().is_some_and(|first| {
        times.len() >= REMEMBERED || at.saturating_duration_since(*first) > LEARN_LONGEST
    }) {
        times.pop_front();
    }
    times.push_back(at);
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
        self.limiter
            .release(self.epoch, self.sent_at, Verdict::Success);
    }

    /// The API answered 429: pause everyone for `retry_after` (1 s when it
    /// says nothing) and halve the window, once per burst.
    pub(crate) fn rate_limited(mut self, retry_after: Option<Duration>) {
        self.done = true;
        self.limiter
            .release(self.epoch, self.sent_at, Verdict::RateLimited(retry_after));
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
            self.limiter
                .release(self.epoch, self.sent_at, Verdict::Neutral);
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
        let permit = limiter.acquire(0).await;
        assert!(
            started.elapsed() >= Duration::from_secs(3),
            "nothing leaves before Retry-After: {:?}",
            started.elapsed()
        );
        // None was let through: nothing to learn a pace from.
        assert_eq!(limiter.pace(), None);
        assert_eq!(limiter.window(), 8, "eight 429s of one burst halve once");
        // Sent after the decrease: a new burst.
        permit.rate_limited(None);
        let before = Instant::now();
        drop(limiter.acquire(0).await);
        assert!(before.elapsed() >= DEFAULT_PAUSE);
        assert_eq!(limiter.window(), 4);
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
        let permit = limiter.acquire(0).await;
        assert_eq!(limiter.window(), 2);
        permit.success();
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

    /// A rate limit as the sandbox's (`kinbox sandbox --rate-limit`): at
    /// most `quota` requests in each second, counted from the first request
    /// after the last second ended, and `Retry-After` in whole seconds (at
    /// least 1).
    struct FixedWindow {
        quota: u32,
        started: Option<Instant>,
        requests: u32,
    }

    impl FixedWindow {
        fn new(quota: u32) -> Mutex<Self> {
            Mutex::new(Self {
                quota,
                started: None,
                requests: 0,
            })
        }

        fn admit(&mut self, now: Instant) -> Result<(), Duration> {
            let window = Duration::from_secs(1);
            let started = match self.started {
                Some(started) if now < started + window => started,
                _ => {
                    self.requests = 0;
                    *self.started.insert(now)
                }
            };
            self.requests += 1;
            if self.requests <= self.quota {
                return Ok(());
            }
            let left = (started + window).saturating_duration_since(now);
            Err(Duration::from_secs(
                left.as_secs_f64().ceil().max(1.0) as u64
            ))
        }
    }

    /// Sends `rows` requests through `limiter` to `server`, each answered
    /// after 20 to 40 ms, each sent again after a 429 as the engine does;
    /// the requests a second.
    async fn import(limiter: &Limiter, server: &Mutex<FixedWindow>, rows: u64) -> f64 {
        let started = Instant::now();
        let requests = (0..rows).map(|line| async move {
            loop {
                let permit = limiter.acquire(line).await;
                limiter.sending();
                let admitted = server.lock().unwrap().admit(Instant::now());
                tokio::time::sleep(Duration::from_millis(20 + line * 7 % 21)).await;
                match admitted {
                    Ok(()) => return permit.success(),
                    Err(retry_after) => permit.rate_limited(Some(retry_after)),
                }
            }
        });
        futures::future::join_all(requests).await;
        rows as f64 / started.elapsed().as_secs_f64()
    }

    #[tokio::test(start_paused = true)]
    async fn the_pace_learnt_from_the_429s_reaches_nine_tenths_of_the_rate_allowed() {
        for quota in [50, 200] {
            let limiter = limiter(32);
            let server = FixedWindow::new(quota);
            let rows = u64::from(quota) * 10;
            let rate = import(&limiter, &server, rows).await;
            let refused = limiter.stats.rate_limited.load(Ordering::Relaxed);
            assert!(
                rate >= 0.9 * f64::from(quota),
                "{rate:.1} a second against {quota} allowed, {refused} refused"
            );
            assert!(rate <= f64::from(quota), "{rate:.1} against {quota}");
            // The first burst meets the limit (the requests in flight then
            // are refused with it); the pace keeps the rest under it.
            assert!(refused <= 32, "{refused} refused");
            let pace = limiter.pace().expect("a pace was learnt");
            assert!(
                (0.9 * f64::from(quota)..f64::from(quota)).contains(&pace),
                "paced at {pace:.1} a second against {quota}"
            );
            assert_eq!(limiter.window(), 32, "the window grew back");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_pace_follows_a_limit_that_falls_and_rises_slowly_when_unrefused() {
        let limiter = limiter(32);
        let server = FixedWindow::new(200);
        import(&limiter, &server, 1_000).await;
        let first = limiter.pace().unwrap();
        // The API now allows fewer: the next 429 teaches the new rate.
        server.lock().unwrap().quota = 50;
        import(&limiter, &server, 500).await;
        let lower = limiter.pace().unwrap();
        assert!((45.0..50.0).contains(&lower), "{first:.1} then {lower:.1}");
        // Without a 429, the pace rises by a step every PROBE_EVERY.
        tokio::time::sleep(PROBE_EVERY).await;
        drop(limiter.acquire(0).await);
        let probed = limiter.pace().unwrap();
        assert!(
            (probed / lower - PROBE_STEP).abs() < 1e-9,
            "{lower} then {probed}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn paced_requests_leave_one_every_interval_and_none_before_the_pause_ends() {
        let limiter = limiter(8);
        // 10 requests let through in the second before a refused one, told
        // to wait 2 s: the API allows 10 in 2 s, paced so that 10 never
        // fall in 2 s, even 30 ms late: 9 in 2.03 s.
        for _ in 0..10 {
            let permit = limiter.acquire(0).await;
            limiter.sending();
            tokio::time::sleep(Duration::from_millis(100)).await;
            permit.success();
        }
        let permit = limiter.acquire(0).await;
        limiter.sending();
        let refused_at = Instant::now();
        permit.rate_limited(Some(Duration::from_secs(2)));
        assert_eq!(limiter.pace(), None, "learnt when the pause is over");
        let mut left = Vec::new();
        for _ in 0..4 {
            let permit = limiter.acquire(0).await;
            left.push(refused_at.elapsed());
            permit.success();
        }
        let pace = 9.0 / 2.03;
        assert!((limiter.pace().unwrap() - pace).abs() < 1e-9);
        assert!(left[0] >= Duration::from_secs(2), "{left:?}");
        for pair in left.windows(2) {
            let gap = pair[1] - pair[0];
            let interval = Duration::from_secs_f64(1.0 / pace);
            assert!(gap >= interval - Duration::from_millis(1), "{left:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_let_go_after_a_refused_one_and_let_through_counts_too() {
        let limiter = limiter(64);
        for _ in 0..20 {
            let permit = limiter.acquire(0).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
            permit.success();
        }
        // Let go one after the other; the second reached the API first (its
        // connection was ready) and was let through, the others refused.
        let mut three = Vec::new();
        for _ in 0..3 {
            three.push(limiter.acquire(0).await);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let [first, second, third] = <[_; 3]>::try_from(three).unwrap();
        first.rate_limited(Some(Duration::from_secs(1)));
        second.success();
        third.rate_limited(Some(Duration::from_secs(1)));
        drop(limiter.acquire(0).await);
        let expected = (21.0 * PACE_MARGIN).min(20.0 / 1.03);
        assert!(
            (limiter.pace().unwrap() - expected).abs() < 1e-9,
            "{:?}",
            limiter.pace()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_halves_the_window_but_not_below_what_the_pace_needs_in_flight() {
        // 1,000 a second at 20-40 ms an answer needs about 60 in flight:
        // all 32 are kept.
        let fast = limiter(32);
        import(&fast, &FixedWindow::new(1_000), 1_500).await;
        assert!(fast.pace().is_some());
        assert_eq!(fast.stats.smallest_window.load(Ordering::Relaxed), 32);
        // 50 a second needs 3 or 4: the window is halved.
        let slow = limiter(32);
        import(&slow, &FixedWindow::new(50), 100).await;
        assert!(slow.pace().is_some());
        assert_eq!(slow.stats.smallest_window.load(Ordering::Relaxed), 16);
    }
}
