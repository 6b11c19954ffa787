//! `kinbox deals …`: the workflow commands over `update` (`move`, `win`,
//! `lose`, `reopen`), the bulk `import`, and the names that `create`,
//! `list` and `update` take instead of ids.

pub mod close;
pub mod create;
pub mod import;
pub mod import_paths;
pub mod import_report;
pub mod list;
pub mod r#move;
pub mod update;
pub mod workflow;
