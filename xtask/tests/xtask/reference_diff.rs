//! `cargo xtask reference-diff` compares our spec with Kinbox's reference
//! description: these small hand-written documents (not Kinbox's) check what it
//! reports, how it marks deliberate differences and its exit status.

use std::path::Path;
use std::process::{Command, Output};

/// Our spec: a few operations, the shapes kinbox.yaml uses (open enums,
/// `oneOf` ids, `allOf` wrappers, path-level parameters) and three markers.
const OURS: &str = r##"
openapi: 3.0.3
info:
  title: Widgets
  version: "1"
  description: |
    A test spec.
    Deliberate(DELETE /v1/gadgets/{id}): gadgets are never deleted from here. More text.
paths:
  /v1/widgets:
    get:
      operationId: list_widgets
      parameters:
        - name: limit
          in: query
          schema: {type: integer, minimum: 1}
        - name: kind
          in: query
          schema: {$ref: '#/components/schemas/KindOrOther'}
      responses:
        '200':
          description: The widgets.
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Widget'}
        '4XX': {description: An error.}
    post:
      operationId: create_widget
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/WidgetCreate'}
      responses:
        '201':
          description: The new widget.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Widget'}
  /v1/widgets/{id}:
    parameters:
      - $ref: '#/components/parameters/WidgetId'
    get:
      operationId: get_widget
      responses:
        '200':
          description: The widget.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Widget'}
  /v1/widgets/{id}/events:
    parameters:
      - $ref: '#/components/parameters/WidgetId'
    get:
      operationId: list_widget_events
      responses:
        '200':
          description: What happened to the widget.
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  properties:
                    at: {type: string, format: date-time}
                    count: {type: integer}
components:
  parameters:
    WidgetId:
      name: id
      in: path
      required: true
      schema: {type: string}
  schemas:
    Id:
      oneOf:
        - {type: integer, format: int64}
        - {type: string, pattern: '^[0-9]+$'}
    Kind:
      type: string
      enum: [small, large]
    KindOrOther:
      anyOf:
        - $ref: '#/components/schemas/Kind'
        - type: string
    Widget:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
        kind:
          description: The kind.
          nullable: true
          allOf:
            - $ref: '#/components/schemas/KindOrOther'
        ownerId:
          nullable: true
          allOf:
            - $ref: '#/components/schemas/Id'
        price: {type: number, nullable: true}
    WidgetCreate:
      type: object
      description: |
        A new widget. Deliberate(color): colours are set in the app, not by the API.
      required: [name]
      properties:
        name: {type: string}
        kind: {$ref: '#/components/schemas/KindOrOther'}
        ownerId:
          type: integer
          description: The owner. Deliberate:ids are numbers here. The reference says text.
"##;

/// The reference with differences of every kind: an operation only it has
/// (and one more, marked deliberate in our `info`), a parameter's type, a
/// field only it has (and one more, marked), an enum, a required field, a type
/// (marked), and paths outside /v1 that must be left alone.
const REFERENCE_JSON: &str = r##"{
  "openapi": "3.0.0",
  "info": {"title": "Widgets", "version": "1"},
  "paths": {
    "/v1/widgets": {
      "get": {
        "operationId": "listWidgets",
        "parameters": [
          {"name": "limit", "in": "query", "required": false, "schema": {"type": "number", "default": 10}},
          {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["small", "large"]}}
        ],
        "responses": {"200": {"description": "", "content": {"application/json": {"schema":
          {"type": "array", "items": {"$ref": "#/components/schemas/WidgetDto"}}}}}}
      },
      "post": {
        "operationId": "createWidget",
        "requestBody": {"required": true, "content": {"application/json": {"schema":
          {"$ref": "#/components/schemas/CreateWidgetDto"}}}},
        "responses": {"201": {"description": "", "content": {"application/json": {"schema":
          {"$ref": "#/components/schemas/WidgetDto"}}}}}
      }
    },
    "/v1/widgets/{widgetId}": {
      "get": {
        "operationId": "getWidget",
        "parameters": [{"name": "widgetId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "", "content": {"application/json": {"schema":
          {"$ref": "#/components/schemas/WidgetDto"}}}}}
      },
      "delete": {
        "operationId": "deleteWidget",
        "parameters": [{"name": "widgetId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": ""}}
      }
    },
    "/v1/widgets/{widgetId}/events": {
      "get": {
        "operationId": "getWidgetEvents",
        "parameters": [{"name": "widgetId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "", "content": {"application/json": {"schema":
          {"type": "array", "example": [{"at": "2026-03-03T14:32:41.016Z", "count": 3}]}}}}}
      }
    },
    "/v1/gadgets/{gadgetId}": {
      "delete": {"operationId": "deleteGadget", "responses": {"200": {"description": ""}}}
    },
    "/v3/widgets": {
      "get": {"operationId": "listWidgetsV3", "responses": {"200": {"description": ""}}}
    }
  },
  "components": {"schemas": {
    "WidgetDto": {
      "type": "object",
      "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["small", "large"]},
        "ownerId": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "price": {"type": "number"}
      },
      "required": ["id", "name"]
    },
    "CreateWidgetDto": {
      "type": "object",
      "properties": {
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["small", "large", "huge"]},
        "ownerId": {"type": "string"},
        "color": {"type": "string"},
        "size": {"type": "number"}
      },
      "required": ["name", "kind", "size"]
    }
  }}
}"##;

/// The same API as ours, written the way the reference writes it: no `type`
/// beside `properties`, plain enums, `{widgetId}`, unquoted status codes,
/// unknown keywords, an example-only answer, and a /v3 path.
const REFERENCE_CLEAN_YAML: &str = r##"
openapi: 3.0.0
info: {title: Widgets, version: "1"}
paths:
  /v1/widgets:
    get:
      operationId: listWidgets
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: kind, in: query, schema: {type: string, enum: [small, large]}}
      responses:
        200:
          description: ''
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/WidgetDto'}}
    post:
      operationId: createWidget
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/CreateWidgetDto'}
      responses:
        201:
          description: ''
          content:
            application/json:
              schema: {$ref: '#/components/schemas/WidgetDto'}
  /v1/widgets/{widgetId}:
    get:
      operationId: getWidget
      parameters:
        - {name: widgetId, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: ''
          content:
            application/json:
              schema: {allOf: [{$ref: '#/components/schemas/WidgetDto'}]}
  /v1/widgets/{widgetId}/events:
    get:
      operationId: getWidgetEvents
      parameters:
        - {name: widgetId, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: ''
          content:
            application/json:
              schema:
                type: array
                example: [{at: '2026-03-03T14:32:41.016Z', count: 3}]
  /v3/widgets:
    delete: {operationId: deleteAllWidgets, responses: {200: {description: ''}}}
components:
  schemas:
    WidgetDto:
      x-vendor: whatever
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string, enum: [large, small]}
        ownerId: {oneOf: [{type: integer}, {type: string}]}
        price: {type: number, nullable: true}
      required: [id, name]
    CreateWidgetDto:
      properties:
        name: {type: string}
        kind: {type: string, enum: [small, large]}
        ownerId: {type: integer}
      required: [name]
"##;

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["--root", root.to_str().unwrap()])
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A workspace whose `openapi/kinbox.yaml` is [`OURS`], with `reference`
/// written beside it as `name`.
fn workspace(name: &str, reference: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("openapi")).unwrap();
    std::fs::write(root.path().join("openapi/kinbox.yaml"), OURS).unwrap();
    std::fs::write(root.path().join(name), reference).unwrap();
    root
}

/// The line under `heading` whose place (the first column) is `place`, and
/// whose text holds `message`.
fn line_of<'a>(out: &'a str, heading: &str, place: &str, message: &str) -> &'a str {
    let section = out
        .split("\n== ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("no section `== {heading}` in:\n{out}"));
    section
        .lines()
        .skip(1)
        .find(|line| {
            line.trim_start()
                .strip_prefix(place)
                .is_some_and(|rest| rest.starts_with("  ") && rest.contains(message))
        })
        .unwrap_or_else(|| panic!("no `{place}  {message}` under `== {heading}` in:\n{out}"))
}

#[test]
fn reports_each_kind_of_difference_and_fails_when_some_are_unmarked() {
    let root = workspace("reference.json", REFERENCE_JSON);
    let out = xtask(
        root.path(),
        &[
            "reference-diff",
            root.path().join("reference.json").to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));

    // An operation only the reference has; another one, marked in `info`.
    let missing = line_of(
        &stdout,
        "operation DELETE /v1/widgets/{widgetId} (reference: deleteWidget)",
        "operation",
        "only in the reference",
    );
    assert!(!missing.contains("deliberate"), "{missing}");
    let gadgets = line_of(
        &stdout,
        "operation DELETE /v1/gadgets/{gadgetId}",
        "operation",
        "only in the reference",
    );
    assert!(
        gadgets.ends_with("[deliberate: gadgets are never deleted from here]"),
        "{gadgets}"
    );
    // A parameter's type.
    line_of(
        &stdout,
        "operation GET /v1/widgets (list_widgets; reference: listWidgets)",
        "query limit",
        "type: ours integer, reference number",
    );
    // The request body's schema, compared once under its own heading.
    let create = "schema WidgetCreate (reference: CreateWidgetDto)";
    assert!(
        stdout.contains("   used by: POST /v1/widgets request\n"),
        "{stdout}"
    );
    let size = line_of(
        &stdout,
        create,
        ".size",
        "only in the reference, required there",
    );
    assert!(!size.contains("deliberate"), "{size}");
    line_of(
        &stdout,
        create,
        ".kind",
        "enum: ours [large, small], reference [huge, large, small]",
    );
    line_of(&stdout, create, ".kind", "required: ours no, reference yes");
    let owner = line_of(
        &stdout,
        create,
        ".ownerId",
        "type: ours integer, reference string",
    );
    assert!(
        owner.ends_with("[deliberate: ids are numbers here]"),
        "{owner}"
    );
    let color = line_of(&stdout, create, ".color", "only in the reference");
    assert!(
        color.ends_with("[deliberate: colours are set in the app, not by the API]"),
        "{color}"
    );

    // Matched in spite of `{id}` / `{widgetId}`; /v3 left alone; the answers,
    // the open enums, the ids and the example-only answer all agree.
    for absent in [
        "get_widget",
        "list_widget_events",
        "/v3",
        "Widget (reference: WidgetDto)",
    ] {
        assert!(!stdout.contains(absent), "`{absent}` reported:\n{stdout}");
    }
    assert!(
        stdout.ends_with("\n8 differences, 3 deliberate, 5 to review\n"),
        "{stdout}"
    );
}

#[test]
fn a_clean_comparison_of_a_yaml_reference_exits_zero() {
    let root = workspace("reference.yaml", REFERENCE_CLEAN_YAML);
    let out = xtask(
        root.path(),
        &[
            "reference-diff",
            root.path().join("reference.yaml").to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(!stdout.contains("\n=="), "{stdout}");
    assert!(
        stdout.ends_with("no differences\n0 differences, 0 deliberate, 0 to review\n"),
        "{stdout}"
    );
}

#[test]
fn differences_all_marked_deliberate_exit_zero() {
    // The clean reference, plus what ours marks deliberate: the text owner id,
    // the colour, the gadgets' DELETE.
    let reference = REFERENCE_CLEAN_YAML
        .replace(
            "        ownerId: {type: integer}\n",
            "        ownerId: {type: string}\n        color: {type: string}\n",
        )
        .replace(
            "  /v3/widgets:",
            "  /v1/gadgets/{gadgetId}:\n    delete: {responses: {200: {description: ''}}}\n  /v3/widgets:",
        );
    assert_ne!(reference, REFERENCE_CLEAN_YAML);
    let root = workspace("openapi.yaml", &reference);
    // Ours given by --ours, not found through --root.
    let ours = root.path().join("ours.yaml");
    std::fs::rename(root.path().join("openapi/kinbox.yaml"), &ours).unwrap();
    let out = xtask(
        root.path(),
        &[
            "reference-diff",
            "--ours",
            ours.to_str().unwrap(),
            root.path().join("openapi.yaml").to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout.matches("[deliberate: ").count(), 3, "{stdout}");
    assert!(
        stdout.ends_with("\n3 differences, 3 deliberate, 0 to review\n"),
        "{stdout}"
    );
}

#[test]
fn a_file_that_is_not_openapi_is_an_error() {
    let root = workspace("reference.json", "{\"hello\": 1}");
    let out = xtask(
        root.path(),
        &[
            "reference-diff",
            root.path().join("reference.json").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("it is not an OpenAPI description"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_documents_the_marker() {
    let out = xtask(Path::new("."), &["reference-diff", "--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("Deliberate: <reason>"), "{help}");
    assert!(help.contains("to review"), "{help}");
}
