//! Which row of this run is which row of the journal: a row is known by its
//! content (its fingerprint), wherever it moved in the file; a row
//! corrected after its deal was made is known by its identity (its name and
//! contact, [`identity`](super::engine::identity)), or, in a journal of an
//! earlier version that does not record identities, by its line.
//!
//! Rows of the same content are counted: a journal that made two deals of
//! one content gives them to the first two rows of that content, and a
//! third is new (two identical rows make two deals, as on a first run).
//! Each journal row goes to at most one row of the run.

use std::collections::{BTreeSet, HashMap};

use super::journal::{Journal, Recorded};

/// What the journal says of a row of this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assignment {
    /// The journal's row of the same content, whose records name `line`.
    Same { line: u64 },
    /// The journal made (or may have made) a deal from a row of the same
    /// identity and other content, which its records name by `line` and
    /// `fingerprint`: the row changed since.
    Changed { line: u64, fingerprint: u64 },
    /// Not in the journal, or only as refused or never sent.
    New,
}

/// How a journal row is known when its content is not found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum IdKey {
    Identity(u64),
    /// A journal of an earlier version: the line is all there is.
    Line(u64),
}

/// The journal's rows that made (or may have made) a deal and that no row
/// of this run has taken yet, and, once planned, each row's assignment.
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    /// Fingerprint → the lines its records name.
    by_content: HashMap<u64, BTreeSet<u64>>,
    /// Identity (or line) → (line, fingerprint).
    by_identity: HashMap<IdKey, BTreeSet<(u64, u64)>>,
    keys: HashMap<(u64, u64), IdKey>,
    /// Once planned: each row's fingerprint and assignment, by line.
    plan: Option<HashMap<u64, (u64, Assignment)>>,
}

/// What identifies a row of this run: its line, content and identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) line: u64,
    pub(crate) fingerprint: u64,
    pub(crate) identity: u64,
}

impl Matcher {
    pub(crate) fn new(journal: Option<&Journal>) -> Self {
        let mut matcher = Self::default();
        for (line, entry) in journal.into_iter().flat_map(Journal::entries) {
            if matches!(entry.state, Recorded::Failed) {
                continue;
            }
            let key = match entry.identity {
                Some(identity) => IdKey::Identity(identity),
                None => IdKey::Line(line),
            };
            matcher
                .by_content
                .entry(entry.fingerprint)
                .or_default()
                .insert(line);
            matcher
                .by_identity
                .entry(key)
                .or_default()
                .insert((line, entry.fingerprint));
            matcher.keys.insert((line, entry.fingerprint), key);
        }
        matcher
    }

    /// Journal rows (that made or may have made a deal) no row has taken.
    pub(crate) fn left(&self) -> usize {
        self.keys.len()
    }

    fn take(&mut self, line: u64, fingerprint: u64) {
        if let Some(lines) = self.by_content.get_mut(&fingerprint) {
            lines.remove(&line);
            if lines.is_empty() {
                self.by_content.remove(&fingerprint);
            }
        }
        if let Some(key) = self.keys.remove(&(line, fingerprint))
            && let Some(rows) = self.by_identity.get_mut(&key)
        {
            rows.remove(&(line, fingerprint));
            if rows.is_empty() {
                self.by_identity.remove(&key);
            }
        }
    }

    /// The journal row of the same content and line, if untaken.
    fn same_line(&mut self, key: Key) -> Option<Assignment> {
        let found = self
            .by_content
            .get(&key.fingerprint)
            .is_some_and(|lines| lines.contains(&key.line));
        found.then(|| {
            self.take(key.line, key.fingerprint);
            Assignment::Same { line: key.line }
        })
    }

    /// The first untaken journal row of the same content.
    fn same_content(&mut self, key: Key) -> Option<Assignment> {
        let line = *self.by_content.get(&key.fingerprint)?.first()?;
        self.take(line, key.fingerprint);
        Some(Assignment::Same { line })
    }

    /// An untaken journal row of the same identity (the one on the same
    /// line first), else, from a journal without identities, the one on the
    /// same line.
    fn same_identity(&mut self, key: Key) -> Option<Assignment> {
        let (line, fingerprint) = match self.by_identity.get(&IdKey::Identity(key.identity)) {
            Some(rows) => *rows
                .iter()
                .find(|(line, _)| *line == key.line)
                .or_else(|| rows.first())?,
            None => *self.by_identity.get(&IdKey::Line(key.line))?.first()?,
        };
        self.take(line, fingerprint);
        Some(Assignment::Changed { line, fingerprint })
    }

    /// Assigns every row of the file at once, before anything is sent: the
    /// rows whose content is in the journal take their rows first (on the
    /// same line, then anywhere), and only then do the rows left look for a
    /// row of their identity. Rows are then assigned as planned.
    pub(crate) fn plan(&mut self, rows: &[Key]) -> Vec<Assignment> {
        let mut assigned: Vec<Option<Assignment>> = rows.iter().map(|_| None).collect();
        for (row, slot) in rows.iter().zip(&mut assigned) {
            *slot = self.same_line(*row);
        }
        for (row, slot) in rows.iter().zip(&mut assigned) {
            if slot.is_none() {
                *slot = self.same_content(*row);
            }
        }
        for (row, slot) in rows.iter().zip(&mut assigned) {
            if slot.is_none() {
                *slot = self.same_identity(*row);
            }
        }
        let assigned: Vec<Assignment> = assigned
            .into_iter()
            .map(|slot| slot.unwrap_or(Assignment::New))
            .collect();
        self.plan = Some(
            rows.iter()
                .zip(&assigned)
                .map(|(row, assignment)| (row.line, (row.fingerprint, *assignment)))
                .collect(),
        );
        assigned
    }

    /// The row's assignment: as planned, or (without a plan) found now, by
    /// content then identity. `None` when a plan was made and the row is not
    /// the one it planned for (the file changed while it was imported).
    pub(crate) fn assign(&mut self, key: Key) -> Option<Assignment> {
        if let Some(plan) = &self.plan {
            return match plan.get(&key.line) {
                Some((fingerprint, assignment)) if *fingerprint == key.fingerprint => {
                    Some(*assignment)
                }
                _ => None,
            };
        }
        Some(
            self.same_line(key)
                .or_else(|| self.same_content(key))
                .or_else(|| self.same_identity(key))
                .unwrap_or(Assignment::New),
        )
    }
}

/// How the rows of a file differ from those of the last run: rows are
/// paired by content first (as many times as a content appears in both),
/// then the rows left by identity (changed); the rest are added or removed.
pub(crate) fn compare(last: &[(u64, u64)], now: &[(u64, u64)]) -> (u64, u64, u64) {
    let mut contents: HashMap<u64, u64> = HashMap::new();
    for (fingerprint, _) in last {
        *contents.entry(*fingerprint).or_default() += 1;
    }
    let mut new_identities: HashMap<u64, u64> = HashMap::new();
    for (fingerprint, identity) in now {
        match contents.get_mut(fingerprint) {
            Some(count) if *count > 0 => *count -= 1,
            _ => *new_identities.entry(*identity).or_default() += 1,
        }
    }
    let (mut changed, mut removed) = (0, 0);
    for (fingerprint, identity) in last {
        let Some(count) = contents.get_mut(fingerprint).filter(|count| **count > 0) else {
            continue;
        };
        *count -= 1;
        match new_identities.get_mut(identity) {
            Some(count) if *count > 0 => {
                *count -= 1;
                changed += 1;
            }
            _ => removed += 1,
        }
    }
    let added = new_identities.values().sum();
    (added, changed, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(line: u64, fingerprint: u64, identity: u64) -> Key {
        Key {
            line,
            fingerprint,
            identity,
        }
    }

    /// A matcher over journal rows (line, fingerprint, identity).
    fn matcher(rows: &[(u64, u64, Option<u64>)]) -> Matcher {
        let mut matcher = Matcher::default();
        for (line, fingerprint, identity) in rows {
            let key = match identity {
                Some(identity) => IdKey::Identity(*identity),
                None => IdKey::Line(*line),
            };
            matcher
                .by_content
                .entry(*fingerprint)
                .or_default()
                .insert(*line);
            matcher
                .by_identity
                .entry(key)
                .or_default()
                .insert((*line, *fingerprint));
            matcher.keys.insert((*line, *fingerprint), key);
        }
        matcher
    }

    #[test]
    fn rows_are_found_by_content_wherever_they_moved() {
        // Journal: A on 2, B on 3, C on 4. File: a new row on 2, then C,
        // A, B reordered; B corrected (same identity, other content).
        let mut matcher = matcher(&[(2, 0xA, Some(1)), (3, 0xB, Some(2)), (4, 0xC, Some(3))]);
        let rows = [
            key(2, 0xD, 4),
            key(3, 0xC, 3),
            key(4, 0xA, 1),
            key(5, 0xB2, 2),
        ];
        let plan = matcher.plan(&rows);
        assert_eq!(
            plan,
            [
                Assignment::New,
                Assignment::Same { line: 4 },
                Assignment::Same { line: 2 },
                Assignment::Changed {
                    line: 3,
                    fingerprint: 0xB
                },
            ]
        );
        assert_eq!(matcher.left(), 0);
        assert_eq!(
            matcher.assign(key(3, 0xC, 3)),
            Some(Assignment::Same { line: 4 })
        );
        assert_eq!(matcher.assign(key(3, 0xE, 3)), None, "not the planned row");
    }

    #[test]
    fn a_content_found_elsewhere_is_never_taken_for_a_changed_row() {
        // The row now on line 2 is new, but has the identity of the row
        // once on line 2, which moved to line 9: planned, it takes nothing.
        let mut matcher = matcher(&[(2, 0xA, Some(1))]);
        let plan = matcher.plan(&[key(2, 0xB, 1), key(9, 0xA, 1)]);
        assert_eq!(plan, [Assignment::New, Assignment::Same { line: 2 }]);
    }

    #[test]
    fn identical_rows_take_as_many_journal_rows_as_there_are() {
        let mut matcher = matcher(&[(2, 0xA, Some(1)), (3, 0xA, Some(1))]);
        let plan = matcher.plan(&[key(5, 0xA, 1), key(6, 0xA, 1), key(7, 0xA, 1)]);
        assert_eq!(
            plan,
            [
                Assignment::Same { line: 2 },
                Assignment::Same { line: 3 },
                Assignment::New
            ]
        );
    }

    #[test]
    fn a_journal_without_identities_knows_a_changed_row_by_its_line() {
        let mut matcher = matcher(&[(2, 0xA, None), (3, 0xB, None)]);
        // Unplanned, as the SDK's streaming import: line 3 changed.
        assert_eq!(
            matcher.assign(key(3, 0xC, 7)),
            Some(Assignment::Changed {
                line: 3,
                fingerprint: 0xB
            })
        );
        assert_eq!(
            matcher.assign(key(2, 0xA, 8)),
            Some(Assignment::Same { line: 2 })
        );
        assert_eq!(matcher.assign(key(4, 0xD, 9)), Some(Assignment::New));
    }

    #[test]
    fn files_compare_by_content_then_identity() {
        // Last: A B C D (identities 1 2 3 4). Now: E(new) A C B'(2) and D gone.
        let last = [(0xA, 1), (0xB, 2), (0xC, 3), (0xD, 4)];
        let now = [(0xE, 5), (0xA, 1), (0xC, 3), (0xB2, 2)];
        assert_eq!(compare(&last, &now), (1, 1, 1));
        // Reordered only: nothing changed.
        assert_eq!(
            compare(&last, &[(0xD, 4), (0xC, 3), (0xB, 2), (0xA, 1)]),
            (0, 0, 0)
        );
        // A duplicate added.
        assert_eq!(compare(&last[..1], &[(0xA, 1), (0xA, 1)]), (1, 0, 0));
    }
}
