#!/usr/bin/env bash
# A second MCP client we did not write: the MCP Inspector's CLI mode, on the
# TypeScript SDK, whose client checks every result's structured content
# against the output schema the tool listed (ajv) and fails the call when it
# does not fit. It drives `kinbox mcp` over stdio against a `kinbox sandbox`:
# every list, a deal created, moved and won by names, a delete refused
# without `confirm`; the sandbox is then read with curl.
#
#     kinbox-cli/tests/mcp/inspector_cli.sh target/debug/kinbox [NPM_PREFIX]
#
# Run by .ci/run. Loopback only (npm's registry aside, for the install).
set -euo pipefail
cd "$(dirname "$0")/../../.."

kinbox=$(realpath "$1")
prefix=${2:-target/ci-inspector}
npm install --silent --no-audit --no-fund --prefix "$prefix" '@modelcontextprotocol/inspector@0.15.0' >/dev/null
inspector="$prefix/node_modules/.bin/mcp-inspector"

token="inspector-$$"
sandbox_out=$(mktemp)
"$kinbox" sandbox --port 0 --token "$token" >"$sandbox_out" 2>/dev/null &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; rm -f "$sandbox_out"' EXIT
for _ in $(seq 100); do
    grep -q '^KINBOX_BASE_URL=' "$sandbox_out" && break
    sleep 0.1
done
base_url=$(sed -n 's/^KINBOX_BASE_URL=//p' "$sandbox_out")

ok() { printf 'ok - %s\n' "$*"; }
fail() { printf 'not ok - %s\n' "$*" >&2; exit 1; }
# A tool call or a list through the Inspector; its JSON on stdout.
mcp() {
    "$inspector" --cli -e "KINBOX_BASE_URL=$base_url" -e "KINBOX_TOKEN=$token" "$kinbox" mcp "$@"
}
# `python3 -c` reads the JSON on stdin: the checks below need no jq.
json() { python3 -c "import json, sys; v = json.load(sys.stdin); $1"; }

spec_operations=$(grep -cE '^\s+operationId:' openapi/kinbox.yaml)
mcp --method tools/list | json "
tools = v['tools']
assert len(tools) == $spec_operations + 6, len(tools)
for tool in tools:
    destructive = tool['annotations'].get('destructiveHint')
    assert ('outputSchema' in tool) != bool(destructive), tool['name']
" || fail "tools/list is not the spec's $spec_operations operations and the 6 people tools, each but the deletes with an output schema"
ok "tools/list: every spec operation and the 6 people tools; each but the deletes with an output schema"

for list in list_deals list_pipelines list_contacts list_custom_fields list_products list_tags list_campaigns list_sessions; do
    mcp --method tools/call --tool-name "$list" | json 'assert not v.get("isError"), v; assert isinstance(v["structuredContent"], dict)' \
        || fail "$list"
done
ok "every list answers structured content that fits its output schema"

id=$(mcp --method tools/call --tool-name create_deal_by_names \
    --tool-arg 'name=Pedido Inspector' 'value=R$ 1.890,50' pipeline=Vendas stage=Proposta \
    'contact_phone=+55 (85) 99728-1648' \
    | json 'assert not v.get("isError"), v; print(v["structuredContent"]["id"])') || fail "create_deal_by_names"
ok "create_deal_by_names made $id"
mcp --method tools/call --tool-name move_deal --tool-arg "id=$id" 'stage=Negociação' \
    | json 'assert not v.get("isError"), v' || fail "move_deal"
mcp --method tools/call --tool-name win_deal --tool-arg "id=$id" date=30/06/2025 \
    | json 'assert not v.get("isError"), v' || fail "win_deal"
refused=$(mcp --method tools/call --tool-name delete_deal --tool-arg "id=$id" | json 'print(v.get("isError"))')
[ "$refused" = True ] || fail "delete_deal without confirm was not refused"
ok "move_deal, win_deal; delete_deal without confirm refused"

negociacao=$(curl -sf -H "Authorization: Bearer $token" "$base_url/v1/pipelines" | json '
print(next(s["id"] for p in v if p["name"] == "Vendas" for s in p["stages"] if s["name"] == "Negociação"))')
curl -sf -H "Authorization: Bearer $token" "$base_url/v1/deals/$id" | json "
assert v['name'] == 'Pedido Inspector', v
assert v['value'] == 1890.5, v['value']
assert v['stageId'] == '$negociacao', v['stageId']
assert v['status'] == 'won', v['status']
assert v['wonLostDate'].startswith('2025-06-30T03:00:00'), v['wonLostDate']
" || fail "the sandbox does not hold the deal as asked"
ok "the sandbox holds it: R\$ 1.890,50 as 1890.5, in Negociação, won on 30/06/2025 (Brasília)"
echo "mcp inspector cli: all checks passed"
