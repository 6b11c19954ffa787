//! Which connections are open, and which of them may be closed to make room
//! for a new one.
//!
//! A connection waiting for a request head (just opened, stalled halfway
//! through a head, or idle between kept-alive requests) costs its client
//! nothing to hold, so a flood of them would take every slot if slots were
//! only freed when connections close or time out. At the limit, the one that
//! has waited longest is closed instead; a connection in the middle of a
//! request (its head read, its answer not yet sent) is never closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

/// The open connections, at most `max` of them.
pub(crate) struct Connections {
    max: usize,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<Slot>>,
}

/// One open connection, as the table and its own task share it.
pub(crate) struct Slot {
    state: Mutex<State>,
    /// Told once the connection is closed to make room.
    evicted: Notify,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// Waiting for a request head since then: may be closed to make room.
    Waiting(Instant),
    /// This many requests read and not yet answered in full.
    Busy(usize),
    /// Closed to make room: reads no further request.
    Evicted,
}

/// What [`Connections::admit`] made of a new connection.
pub(crate) enum Admission {
    /// Served: it holds this slot until the [`Admitted`] is dropped.
    Admitted(Admitted),
    /// Every connection is in the middle of a request: none can be closed.
    Full,
}

/// A served connection's place in the table; dropping it frees the place.
pub(crate) struct Admitted {
    id: u64,
    slot: Arc<Slot>,
    connections: Arc<Connections>,
}

/// A request being served: while any is, its connection is not closed to
/// make room. Dropped once its answer is sent (or abandoned).
pub(crate) struct Busy {
    slot: Arc<Slot>,
}

impl Connections {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            table: Mutex::new(Table::default()),
        })
    }

    /// A place for a new connection, made by closing the one that has
    /// waited longest for a request head when every place is taken.
    pub(crate) fn admit(self: &Arc<Self>) -> Admission {
        let mut table = self.table();
        if table.open.len() >= self.max {
            let oldest = table
                .open
                .iter()
                .filter_map(|(id, slot)| match *slot.state() {
                    State::Waiting(since) => Some((since, *id)),
                    State::Busy(_) | State::Evicted => None,
                })
                .min();
            let Some((_, id)) = oldest else {
                return Admission::Full;
            };
            if let Some(slot) = table.open.remove(&id) {
                // Under the table's lock: the connection cannot start a
                // request between being chosen and being closed.
                *slot.state() = State::Evicted;
                slot.evicted.notify_one();
            }
        }
        let id = table.next_id;
        table.next_id += 1;
        let slot = Arc::new(Slot {
            state: Mutex::new(State::Waiting(Instant::now())),
            evicted: Notify::new(),
        });
        table.open.insert(id, slot.clone());
        Admission::Admitted(Admitted {
            id,
            slot,
            connections: self.clone(),
        })
    }

    /// Connections open now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table().open.len()
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // The table stays consistent whatever panicked while it was held.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Slot {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Admitted {
    /// A request head was read: the connection is busy until the returned
    /// guard is dropped. `None` if it was closed to make room, in which
    /// case the request must not be served.
    pub(crate) fn start_request(&self) -> Option<Busy> {
        let mut state = self.slot.state();
        *state = match *state {
            State::Waiting(_) => State::Busy(1),
            State::Busy(n) => State::Busy(n + 1),
            State::Evicted => return None,
        };
        Some(Busy {
            slot: self.slot.clone(),
        })
    }

    /// Completes once the connection is closed to make room.
    pub(crate) async fn evicted(&self) {
        self.slot.evicted.notified().await;
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut table = self.connections.table();
        // Unless an eviction took it out already (and a new connection may
        // have its place).
        if table
            .open
            .get(&self.id)
            .is_some_and(|slot| Arc::ptr_eq(slot, &self.slot))
        {
            table.open.remove(&self.id);
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.slot.state();
        *state = match *state {
            State::Busy(1) => State::Waiting(Instant::now()),
            State::Busy(n) => State::Busy(n.saturating_sub(1)),
            other => other,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(connections: &Arc<Connections>) -> Admitted {
        match connections.admit() {
            Admission::Admitted(admitted) => admitted,
            Admission::Full => panic!("no place"),
        }
    }

    fn is_evicted(admitted: &Admitted) -> bool {
        *admitted.slot.state() == State::Evicted
    }

    #[test]
    fn at_the_limit_the_longest_waiting_connection_makes_room() {
        let connections = Connections::new(3);
        let first = admitted(&connections);
        let second = admitted(&connections);
        let third = admitted(&connections);
        // The first is busy, then the second answers a request: the third
        // has waited longest.
        let busy = first.start_request().unwrap();
        drop(second.start_request().unwrap());

        let fourth = admitted(&connections);
        assert!(is_evicted(&third) && !is_evicted(&first) && !is_evicted(&second));
        assert_eq!(connections.len(), 3);
        assert!(third.start_request().is_none(), "closed: serves nothing");

        // Then the second, then the fourth; never the busy first.
        let fifth = admitted(&connections);
        assert!(is_evicted(&second));
        let sixth = admitted(&connections);
        assert!(is_evicted(&fourth) && !is_evicted(&first));

        // Its request answered, the first waits like the others, from now.
        drop(busy);
        let _seventh = admitted(&connections);
        assert!(is_evicted(&fifth) && !is_evicted(&first));
        let _eighth = admitted(&connections);
        assert!(is_evicted(&sixth) && !is_evicted(&first));
        let _ninth = admitted(&connections);
        assert!(is_evicted(&first));
        assert_eq!(connections.len(), 3);
    }

    #[test]
    fn when_every_connection_is_busy_there_is_no_room_until_one_is_not() {
        let connections = Connections::new(2);
        let first = admitted(&connections);
        let second = admitted(&connections);
        let busy = (first.start_request(), second.start_request());
        assert!(matches!(connections.admit(), Admission::Full));

        drop(busy.0);
        let _third = admitted(&connections);
        assert!(is_evicted(&first));

        // A closed connection frees its place, and an evicted one's going
        // does not free the place of the one that took it.
        drop(first);
        assert_eq!(connections.len(), 2);
        drop(second);
        assert_eq!(connections.len(), 1);
    }
}
