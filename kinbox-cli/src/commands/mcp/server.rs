//! The MCP server (rmcp's [`ServerHandler`]): lists the tools a run offers
//! and the workspace resources, and answers calls. A failed call is a tool
//! result with `isError`; only an unknown tool or resource is a protocol
//! error, as MCP says.

use std::collections::BTreeMap;
use std::sync::Arc;

use kinbox_api::Client;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode,
    Implementation, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value};

use super::answer::{Answer, ToolError};
use super::people::{self, PeopleTool};
use super::tools::{Selection, SpecTool, spec_tools};
use super::{call, resources};

enum Kind {
    Spec(SpecTool),
    People(PeopleTool),
}

/// What the server serves; cloned per HTTP session (cheap: shared).
#[derive(Clone)]
pub struct KinboxServer {
    inner: Arc<Inner>,
}

struct Inner {
    /// The tools offered, in the order listed.
    listed: Vec<Tool>,
    by_name: BTreeMap<String, Kind>,
    /// The client, or why there is none (no token…), said at each call.
    client: Result<Client, String>,
}

const INSTRUCTIONS: &str = "Kinbox CRM. Read the resource kinbox://pipelines for pipeline and \
    stage names. Prefer create_deal_by_names, update_deal_by_names, move_deal, win_deal and lose_deal, which take \
    names, R$ amounts and dd/mm/yyyy dates. Lists return one page: pass the cursor given to \
    read the next. Deletes need confirm: true, once the user has agreed.";

impl KinboxServer {
    pub fn new(selection: &Selection, client: Result<Client, String>) -> Self {
        let mut listed = Vec::new();
        let mut by_name = BTreeMap::new();
        for tool in spec_tools().iter().cloned() {
            if !selection.admits(&tool.name, &tool.toolset, tool.read_only) {
                continue;
            }
            let annotations = ToolAnnotations::new()
                .read_only(tool.read_only)
                .destructive(tool.destructive)
                .idempotent(tool.idempotent)
                .open_world(true);
            let mut listed_tool = Tool::new(
                tool.name.clone(),
                tool.description.clone(),
                Arc::new(tool.input_schema.clone()),
            )
            .annotate(annotations);
            if let Some(output) = &tool.output_schema {
                listed_tool = listed_tool.with_raw_output_schema(Arc::new(output.clone()));
            }
            listed.push(listed_tool);
            by_name.insert(tool.name.clone(), Kind::Spec(tool));
        }
        for tool in people::all() {
            if !selection.admits(tool.name, people::TOOLSET, false) {
                continue;
            }
            let schema = match &tool.input_schema {
                Value::Object(map) => map.clone(),
                _ => Map::new(),
            };
            let annotations = ToolAnnotations::new()
                .read_only(false)
                .destructive(false)
                .idempotent(tool.idempotent)
                .open_world(true);
            let mut listed_tool =
                Tool::new(tool.name, tool.description, Arc::new(schema)).annotate(annotations);
            if let Some(output) = people::output_schema() {
                listed_tool = listed_tool.with_raw_output_schema(Arc::new(output.clone()));
            }
            listed.push(listed_tool);
            by_name.insert(tool.name.to_owned(), Kind::People(tool));
        }
        Self {
            inner: Arc::new(Inner {
                listed,
                by_name,
                client,
            }),
        }
    }

    /// The names of the tools offered, in order.
    pub fn tool_names(&self) -> Vec<String> {
        self.inner
            .listed
            .iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    fn client(&self) -> Result<&Client, ToolError> {
        self.inner.client.as_ref().map_err(|why| {
            ToolError::new(format!(
                "{why}\nWhat to do: the user must run `kinbox auth login` (or set KINBOX_TOKEN), \
                 then restart this server"
            ))
        })
    }

    async fn call(&self, kind: &Kind, arguments: &Map<String, Value>) -> Result<Answer, ToolError> {
        match kind {
            Kind::Spec(tool) => {
                let request = call::request(tool, arguments)?;
                call::send(self.client()?, tool, request).await
            }
            Kind::People(tool) => people::run(self.client()?, tool, arguments).await,
        }
    }
}

impl ServerHandler for KinboxServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("kinbox", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.listed.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(kind) = self.inner.by_name.get(request.name.as_ref()) else {
            return Err(ErrorData::new(
                ErrorCode::INVALID_PARAMS,
                format!(
                    "no tool is named `{}` here: tools/list lists them (--read-only, --toolsets \
                     and --tools narrow the list)",
                    super::answer::escaped(&kinbox_api::server_text::shown(&request.name))
                ),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let result = match self.call(kind, &arguments).await {
            Ok(answer) => {
                let mut result = CallToolResult::success(vec![ContentBlock::text(answer.text)]);
                result.structured_content = answer.structured;
                result
            }
            // Messages quote what was given: cut like any result.
            Err(error) => CallToolResult::error(vec![ContentBlock::text(
                kinbox_api::server_text::cut(&error.message, super::answer::MAX_RESULT_BYTES - 200)
                    .into_owned(),
            )]),
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(
            resources::ALL
                .iter()
                .map(|r| {
                    Resource::new(r.uri, r.name)
                        .with_description(r.description)
                        .with_mime_type("application/json")
                })
                .collect(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let Some(resource) = resources::find(&request.uri) else {
            return Err(ErrorData::resource_not_found(
                format!(
                    "no resource is `{}`: resources/list lists them",
                    super::answer::escaped(&kinbox_api::server_text::shown(&request.uri))
                ),
                None,
            ));
        };
        let client = self
            .client()
            .map_err(|e| ErrorData::internal_error(e.message, None))?;
        let text = resources::read(client, resource)
            .await
            .map_err(|e| ErrorData::internal_error(e.message, None))?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, resource.uri).with_mime_type("application/json"),
        ])
        .into())
    }
}
