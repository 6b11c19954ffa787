//! Ids shaped like MongoDB ObjectIds, as the Kinbox API hands out.

use std::time::{SystemTime, UNIX_EPOCH};

/// Hands out 24-hex-digit ids: 4 bytes of Unix seconds, 5 bytes fixed per
/// generator, 3 bytes of counter. Unlike a real ObjectId they are strictly
/// increasing, so that sorting by id is sorting by creation, which is what
/// cursor pagination (`cursor` = the last id seen) relies on.
#[derive(Debug)]
pub(crate) struct ObjectIdGenerator {
    machine: u64,
    last_seconds: u32,
    counter: u32,
}

const COUNTER_LIMIT: u32 = 1 << 24;

impl ObjectIdGenerator {
    /// `machine` stands in for the random middle bytes (only the low 40 bits count).
    pub(crate) fn new(machine: u64) -> Self {
        Self {
            machine: machine & 0xff_ffff_ffff,
            last_seconds: 0,
            counter: 0,
        }
    }

    pub(crate) fn next_id(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
        if now > self.last_seconds {
            self.last_seconds = now;
            self.counter = 0;
        } else if self.counter + 1 >= COUNTER_LIMIT {
            // 16M ids in one second: borrow the next second rather than wrap
            // and break the ordering.
            self.last_seconds += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        format!(
            "{:08x}{:010x}{:06x}",
            self.last_seconds, self.machine, self.counter
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_24_hex_digits_and_strictly_increasing() {
        let mut ids = ObjectIdGenerator::new(0x00de_adbe_ef42);
        let first = ids.next_id();
        assert_eq!(first.len(), 24);
        assert!(
            first
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let mut previous = first;
        for _ in 0..10_000 {
            let next = ids.next_id();
            assert!(next > previous, "{next} should sort after {previous}");
            previous = next;
        }
    }

    #[test]
    fn counter_overflow_moves_to_the_next_second_instead_of_wrapping() {
        let mut ids = ObjectIdGenerator::new(1);
        let before = ids.next_id();
        ids.counter = COUNTER_LIMIT - 1;
        let after = ids.next_id();
        assert!(after > before);
        assert!(after.ends_with("000000"), "{after}");
    }
}
