//! Where the token, the base URL and the other global options come from:
//! flags, environment, stored profiles.

pub(crate) mod context;
pub mod credentials;
pub(crate) mod global;
pub(crate) mod zone;
