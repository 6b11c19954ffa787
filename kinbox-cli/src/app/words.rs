//! The words `kinbox <resource> <verb>` of each operation of the OpenAPI
//! description, as [`resources`](crate::resources) names it, and the
//! operation that words name.

use crate::generated_cli::CliCommand;
use crate::resources;

/// The words of each operation: `kinbox <resource> <verb>`.
pub fn words(op: CliCommand) -> (&'static str, &'static str) {
    let operation = resources::operation(op);
    (operation.resource.name, operation.verb)
}

/// The words of the operation whose `operationId` is `operation_id`
/// (`create_deal` → `("deals", "create")`), for tests driven by the spec.
pub fn words_of_operation(operation_id: &str) -> Option<(&'static str, &'static str)> {
    let pascal: String = operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    CliCommand::iter()
        .find(|op| format!("{op:?}") == pascal)
        .map(words)
}

/// The operation named `kinbox <resource> <verb>`, if any.
pub fn operation(resource: &str, verb: &str) -> Option<CliCommand> {
    CliCommand::iter().find(|op| words(*op) == (resource, verb))
}
