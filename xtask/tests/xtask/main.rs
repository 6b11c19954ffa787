//! The `xtask` binary run as a developer runs it: one test binary, linked
//! once (each file under `tests/` would be a binary of its own).

mod diff;
mod reference_diff;
