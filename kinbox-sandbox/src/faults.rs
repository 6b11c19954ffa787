//! Decides, per request, whether to answer normally or to fail on purpose.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{AppliedThenFailMode, FaultConfig};

/// The fault plan of one sandbox.
pub(crate) struct Faults {
    config: FaultConfig,
    rolls: Mutex<ChaCha8Rng>,
    /// The applied-then-fail rolls: the same seed on another stream, so that
    /// this fault leaves the sequence of the others as it was.
    applied_rolls: Mutex<ChaCha8Rng>,
    window: Mutex<Option<Window>>,
}

struct Window {
    started: Instant,
    requests: u32,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Wait this long before anything else.
    pub(crate) delay: Duration,
    pub(crate) verdict: Verdict,
    /// When the request is a write that succeeds: store it, then fail the
    /// answer this way. Only with [`Verdict::Serve`].
    pub(crate) applied_then_fail: Option<AnswerFailure>,
}

/// How the answer to an applied write fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AnswerFailure {
    /// Close the connection without answering.
    Drop,
    /// Close the connection without answering, after this long.
    Hold(Duration),
    /// The status and headers, then a body cut short.
    Garbled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Serve,
    /// Close the connection without answering.
    Drop,
    /// 429, with `Retry-After` in seconds.
    RateLimited {
        retry_after_seconds: u64,
    },
    /// 500 or 503.
    ServerError(StatusCode),
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        let mut applied_rolls = ChaCha8Rng::seed_from_u64(config.seed);
        applied_rolls.set_stream(1);
        Self {
            rolls: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            applied_rolls: Mutex::new(applied_rolls),
            window: Mutex::new(None),
            config,
        }
    }

    pub(crate) fn decide(&self) -> Decision {
        if !self.config.is_active() {
            return Decision {
                delay: Duration::ZERO,
                verdict: Verdict::Serve,
                applied_then_fail: None,
            };
        }
        // Every request draws the same four numbers, whichever faults are
        // on, so that one seed gives one sequence of answers.
        let [jitter, drop, error, which] = {
            let mut rolls = self.rolls.lock().unwrap_or_else(|e| e.into_inner());
            [(); 4].map(|()| rolls.random::<f64>())
        };
        let delay = self.config.latency + self.config.latency_jitter.mul_f64(jitter);
        let verdict = if drop < self.config.drop_ratio {
            Verdict::Drop
        } else if let Some(retry_after_seconds) = self.rate_limited(Instant::now()) {
            Verdict::RateLimited {
                retry_after_seconds,
            }
        } else if error < self.config.server_error_ratio {
            Verdict::ServerError(if which < 0.5 {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            })
        } else {
            Verdict::Serve
        };
        // Two more numbers per request, from their own stream, whatever the
        // verdict: the sequence depends on the requests alone.
        let [applied, how] = {
            let mut rolls = self.applied_rolls.lock().unwrap_or_else(|e| e.into_inner());
            [(); 2].map(|()| rolls.random::<f64>())
        };
        let applied_then_fail = (verdict == Verdict::Serve
            && applied < self.config.applied_then_fail_ratio)
            .then(|| self.answer_failure(how));
        Decision {
            delay,
            verdict,
            applied_then_fail,
        }
    }

    fn answer_failure(&self, roll: f64) -> AnswerFailure {
        let hold = AnswerFailure::Hold(self.config.applied_then_fail_hold);
        match self.config.applied_then_fail_mode {
            AppliedThenFailMode::Drop => AnswerFailure::Drop,
            AppliedThenFailMode::Timeout => hold,
            AppliedThenFailMode::Garbled => AnswerFailure::Garbled,
            AppliedThenFailMode::Any if roll < 1.0 / 3.0 => AnswerFailure::Drop,
            AppliedThenFailMode::Any if roll < 2.0 / 3.0 => hold,
            AppliedThenFailMode::Any => AnswerFailure::Garbled,
        }
    }

    /// Counts the request; past the limit, the whole seconds until the
    /// window ends (at least 1, as `Retry-After: 0` invites a busy loop).
    fn rate_limited(&self, now: Instant) -> Option<u64> {
        let limit = self.config.rate_limit?;
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let window = match window.as_mut() {
            Some(current) if now < current.started + limit.window => current,
            _ => window.insert(Window {
                started: now,
                requests: 0,
            }),
        };
        window.requests = window.requests.saturating_add(1);
        (window.requests > limit.requests).then(|| {
            let left = (window.started + limit.window).saturating_duration_since(now);
            left.as_secs_f64().ceil().max(1.0) as u64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RateLimit;

    fn verdicts(config: FaultConfig, count: usize) -> Vec<Verdict> {
        let faults = Faults::new(config);
        (0..count).map(|_| faults.decide().verdict).collect()
    }

    #[test]
    fn no_faults_by_default() {
        let faults = Faults::new(FaultConfig::default());
        for _ in 0..100 {
            assert_eq!(
                faults.decide(),
                Decision {
                    delay: Duration::ZERO,
                    verdict: Verdict::Serve,
                    applied_then_fail: None,
                }
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_answers_and_the_ratio_holds() {
        let config = |seed| FaultConfig {
            seed,
            server_error_ratio: 0.3,
            ..FaultConfig::default()
        };
        let first = verdicts(config(42), 2000);
        assert_eq!(first, verdicts(config(42), 2000));
        assert_ne!(first, verdicts(config(43), 2000));
        let failed = first
            .iter()
            .filter(|v| matches!(v, Verdict::ServerError(_)))
            .count();
        assert!(
            (500..700).contains(&failed),
            "{failed} of 2000 failed, expected about 600"
        );
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            assert!(first.contains(&Verdict::ServerError(status)));
        }
    }

    #[test]
    fn drops_follow_their_ratio() {
        let all = verdicts(
            FaultConfig {
                drop_ratio: 1.0,
                ..FaultConfig::default()
            },
            10,
        );
        assert!(all.iter().all(|v| *v == Verdict::Drop));
    }

    #[test]
    fn the_rate_limit_refuses_past_the_quota_until_the_window_ends() {
        let faults = Faults::new(FaultConfig {
            rate_limit: Some(RateLimit {
                requests: 2,
                window: Duration::from_secs(10),
            }),
            ..FaultConfig::default()
        });
        let start = Instant::now();
        assert_eq!(faults.rate_limited(start), None);
        assert_eq!(faults.rate_limited(start), None);
        assert_eq!(
            faults.rate_limited(start + Duration::from_millis(500)),
            Some(10)
        );
        assert_eq!(
            faults.rate_limited(start + Duration::from_millis(9_900)),
            Some(1)
        );
        assert_eq!(faults.rate_limited(start + Duration::from_secs(10)), None);
    }

    #[test]
    fn applied_then_fail_replays_with_the_seed_and_leaves_the_other_faults_alone() {
        let config = |seed, applied_then_fail_ratio| FaultConfig {
            seed,
            server_error_ratio: 0.3,
            applied_then_fail_ratio,
            applied_then_fail_hold: Duration::from_secs(7),
            ..FaultConfig::default()
        };
        let decisions = |config| {
            let faults = Faults::new(config);
            (0..600).map(|_| faults.decide()).collect::<Vec<_>>()
        };
        let first = decisions(config(42, 0.5));
        assert_eq!(first, decisions(config(42, 0.5)));
        assert_ne!(first, decisions(config(43, 0.5)));
        let verdicts =
            |decisions: &[Decision]| decisions.iter().map(|d| d.verdict).collect::<Vec<_>>();
        assert_eq!(
            verdicts(&first),
            verdicts(&decisions(config(42, 0.0))),
            "turning it on changes no other fault"
        );
        let failures: Vec<AnswerFailure> =
            first.iter().filter_map(|d| d.applied_then_fail).collect();
        assert!(
            (150..270).contains(&failures.len()),
            "{} of 600 hit, expected about 210 (half of the 70% served)",
            failures.len()
        );
        assert!(
            first
                .iter()
                .all(|d| d.applied_then_fail.is_none() || d.verdict == Verdict::Serve),
            "a write refused by another fault is not applied, so not hit"
        );
        for kind in [
            AnswerFailure::Drop,
            AnswerFailure::Hold(Duration::from_secs(7)),
            AnswerFailure::Garbled,
        ] {
            let count = failures.iter().filter(|f| **f == kind).count();
            assert!(
                count > 40,
                "{kind:?} drawn {count} times of {}",
                failures.len()
            );
        }
    }

    #[test]
    fn applied_then_fail_can_be_one_kind() {
        let faults = Faults::new(FaultConfig {
            applied_then_fail_ratio: 1.0,
            applied_then_fail_mode: AppliedThenFailMode::Garbled,
            ..FaultConfig::default()
        });
        for _ in 0..50 {
            assert_eq!(
                faults.decide().applied_then_fail,
                Some(AnswerFailure::Garbled)
            );
        }
    }

    #[test]
    fn latency_and_jitter_add_up() {
        let faults = Faults::new(FaultConfig {
            latency: Duration::from_millis(100),
            latency_jitter: Duration::from_millis(50),
            ..FaultConfig::default()
        });
        for _ in 0..100 {
            let delay = faults.decide().delay;
            assert!(delay >= Duration::from_millis(100) && delay <= Duration::from_millis(150));
        }
    }
}
