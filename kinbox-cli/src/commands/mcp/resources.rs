//! The workspace as MCP resources an assistant reads before acting: its
//! pipelines with their stages (and lost reasons), the custom field
//! definitions, the tags. Each is read from the API when asked, with the
//! same limits and escaping as a tool's answer.

use kinbox_api::Client;

use super::answer::{self, ToolError};

/// One resource: its URI, name, what it holds and the path it is read from.
pub struct WorkspaceResource {
    pub uri: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub path: &'static str,
}

pub const ALL: [WorkspaceResource; 3] = [
    WorkspaceResource {
        uri: "kinbox://pipelines",
        name: "pipelines",
        description: "The pipelines (funis) with their stages (etapas) and lost reasons: the \
                      names the deal tools take",
        path: "/v1/pipelines",
    },
    WorkspaceResource {
        uri: "kinbox://custom-fields",
        name: "custom-fields",
        description: "The custom field definitions: placeholders and types (one page)",
        path: "/v1/custom-fields",
    },
    WorkspaceResource {
        uri: "kinbox://tags",
        name: "tags",
        description: "The tags (etiquetas)",
        path: "/v1/tags",
    },
];

pub fn find(uri: &str) -> Option<&'static WorkspaceResource> {
    ALL.iter().find(|r| r.uri == uri)
}

/// The resource's text: its answer as JSON, capped.
pub async fn read(client: &Client, resource: &WorkspaceResource) -> Result<String, ToolError> {
    let answer = client
        .raw(reqwest::Method::GET, resource.path, None)
        .await
        .map_err(|error| super::call::api_error(error, resource.name, "GET", ""))?;
    let text = answer
        .body
        .as_ref()
        .map(answer::json_text)
        .unwrap_or_default();
    if text.len() > answer::MAX_RESULT_BYTES {
        return Err(ToolError::new(format!(
            "{} is larger than {} bytes: read it in pages with its list tool instead",
            resource.uri,
            answer::MAX_RESULT_BYTES
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    /// Each resource reads a list the spec has, with a GET.
    #[test]
    fn each_resource_is_a_spec_read() {
        let spec = kinbox_spec::spec();
        for resource in super::ALL {
            assert!(
                spec.operations()
                    .iter()
                    .any(|op| op.method == "GET" && op.path == resource.path),
                "{}",
                resource.uri
            );
        }
    }
}
