"""A client we did not write, driving `kinbox mcp`: the Python `mcp` package
(the reference SDK) starts the real binary over stdio (and, with --http,
over streamable HTTP) against a `kinbox sandbox`, and checks the sandbox
holds exactly what the tools were asked to do.

    python3 kinbox-cli/tests/mcp/python_client.py target/debug/kinbox

Run by .ci/run (which installs `mcp` into a virtualenv first). Loopback only.
"""

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "python-client-%d" % os.getpid()


def spec_operation_ids():
    text = (ROOT / "openapi" / "kinbox.yaml").read_text(encoding="utf-8")
    return re.findall(r"^\s+operationId:\s*(\w+)\s*$", text, re.M)


def start_sandbox(kinbox):
    process = subprocess.Popen(
        [kinbox, "sandbox", "--port", "0", "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        line = process.stdout.readline()
        if line.startswith("KINBOX_BASE_URL="):
            return process, line.split("=", 1)[1].strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the sandbox printed no KINBOX_BASE_URL")


def api_get(base_url, path):
    request = urllib.request.Request(
        base_url + path, headers={"Authorization": "Bearer " + TOKEN}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def text_of(result):
    return "".join(block.text for block in result.content if block.type == "text")


def json_after_summary(text):
    """The JSON of a result whose first line may be a summary."""
    start = text.index("{") if "{" in text else text.index("[")
    return json.loads(text[start:].split("\n[cut:")[0])


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok -", what.splitlines()[0][:100])


async def exercise(session, base_url, people=True):
    init = session.initialize_result if hasattr(session, "initialize_result") else None
    tools = (await session.list_tools()).tools
    names = [tool.name for tool in tools]
    expected = spec_operation_ids() + (
        ["create_deal_by_names", "update_deal_by_names", "move_deal", "win_deal", "lose_deal", "reopen_deal"]
        if people
        else []
    )
    check(sorted(names) == sorted(expected), "tools/list is the spec's operations and the people tools: %s" % names)
    by_name = {tool.name: tool for tool in tools}
    check(by_name["list_deals"].annotations.read_only_hint is True, "list_deals is read-only")
    check(by_name["delete_deal"].annotations.destructive_hint is True, "delete_deal is destructive")
    check("confirm" in by_name["delete_deal"].input_schema["required"], "delete_deal requires confirm")

    resources = (await session.list_resources()).resources
    check({str(r.uri) for r in resources} == {"kinbox://pipelines", "kinbox://custom-fields", "kinbox://tags"}, "three resources")
    pipelines = json.loads((await session.read_resource("kinbox://pipelines")).contents[0].text)
    check(any(p["name"] == "Vendas" for p in pipelines), "kinbox://pipelines holds Vendas")

    result = await session.call_tool("create_deal_by_names", {
        "name": "Pedido Python", "value": "R$ 1.890,50", "pipeline": "vendas",
        "stage": "Proposta", "contact_phone": "(85) 99728-1648", "tags": ["Lead quente"],
        "custom_fields": {"cpf": "060.715.303-54"},
    })
    check(not result.is_error, "create_deal_by_names: " + text_of(result))
    deal = json_after_summary(text_of(result))
    deal_id = deal["id"]

    result = await session.call_tool("create_deal_by_names", {
        "name": "x", "value": "1", "pipeline": "Vendas", "stage": "Propsta",
        "contact_phone": "(85) 99728-1648",
    })
    check(result.is_error and "Proposta" in text_of(result), "an unknown stage answers with the choices: " + text_of(result))

    result = await session.call_tool("list_deals", {"limit": 100})
    check(not result.is_error and text_of(result).split("\n")[0].endswith("."), "list_deals has a summary line")
    listed = json_after_summary(text_of(result))["data"]
    check(any(d["id"] == deal_id for d in listed), "list_deals lists the new deal")

    result = await session.call_tool("move_deal", {"id": deal_id, "stage": "Negociação"})
    check(not result.is_error, "move_deal: " + text_of(result)[:200])
    result = await session.call_tool("win_deal", {"id": deal_id, "date": "30/06/2025"})
    check(not result.is_error, "win_deal: " + text_of(result)[:200])

    held = api_get(base_url, "/v1/deals/" + deal_id)
    vendas = next(p for p in pipelines if p["name"] == "Vendas")
    negociacao = next(s for s in vendas["stages"] if s["name"] == "Negociação")
    check(held["name"] == "Pedido Python", "the sandbox holds the name")
    check(held["value"] == 1890.5, "the sandbox holds R$ 1.890,50 as 1890.5: %r" % held["value"])
    check(held["pipelineId"] == vendas["id"] and held["stageId"] == negociacao["id"], "the sandbox holds Vendas / Negociação")
    check(held["status"] == "won", "the sandbox holds the deal won")
    check(held["wonLostDate"].startswith("2025-06-30T03:00:00"), "won on 30/06/2025, Brasília: %s" % held["wonLostDate"])
    check(held["contact"]["phone"] == "5585997281648", "the contact is the one of that phone: %r" % held["contact"])
    check(len(held["tagIds"]) == 1, "one tag, Lead quente: %r" % held["tagIds"])
    check(held["customFields"]["cpf"]["value"] in ("06071530354", "060.715.303-54"), "the cpf custom field: %r" % held["customFields"]["cpf"])

    # Hostile arguments: each a tool error saying what to do, and the server keeps serving.
    for name, arguments, says in [
        ("get_deal", {"id": "../v1/tags"}, "/"),
        ("get_deal", {"id": ".."}, "not an id"),
        ("delete_deal", {"id": deal_id}, "confirm: true"),
        ("list_deals", {"limit": "many"}, "limit"),
        ("list_deals", {"limti": 5}, "did you mean"),
        ("create_tag", {"body": {"name": "x" * (2 * 1024 * 1024)}}, "bytes"),
        ("lose_deal", {"id": deal_id, "reasons": ["Prec"]}, "Preço"),
    ]:
        result = await session.call_tool(name, arguments)
        check(result.is_error and says in text_of(result), "%s %s is refused: %s" % (name, str(arguments)[:60], text_of(result)[:200]))
    check(api_get(base_url, "/v1/deals/" + deal_id)["status"] == "won", "the refused calls changed nothing")
    try:
        await session.call_tool("no_such_tool", {})
        check(False, "an unknown tool is an error")
    except Exception as error:  # a protocol error, as MCP says
        check("no_such_tool" in str(error), "an unknown tool is a protocol error: %s" % error)
    result = await session.call_tool("get_deal", {"id": deal_id})
    check(not result.is_error, "the server still serves")
    return deal_id


async def read_only(kinbox, env):
    params = StdioServerParameters(command=kinbox, args=["mcp", "--read-only"], env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            names = [t.name for t in (await session.list_tools()).tools]
            check(names and all(n.startswith(("list_", "get_")) for n in names), "--read-only lists only reads: %s" % names)
            check("create_deal_by_names" not in names, "--read-only has no people tools that write")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def over_http(kinbox, env, base_url):
    port = free_port()
    server = subprocess.Popen(
        [kinbox, "mcp", "--http", "127.0.0.1:%d" % port],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = server.stderr.readline()
        check("serving streamable HTTP" in line, "kinbox mcp --http says where: " + line.strip())
        async with streamable_http_client("http://127.0.0.1:%d/mcp" % port) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                await session.initialize()
                await exercise(session, base_url)
    finally:
        server.terminate()
        server.wait(timeout=10)


async def main():
    kinbox = str(Path(sys.argv[1]).resolve())
    sandbox, base_url = start_sandbox(kinbox)
    try:
        env = {"KINBOX_BASE_URL": base_url, "KINBOX_TOKEN": TOKEN, "PATH": os.environ.get("PATH", "")}
        params = StdioServerParameters(command=kinbox, args=["mcp"], env=env)
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await exercise(session, base_url)
        await read_only(kinbox, env)
        await over_http(kinbox, env, base_url)
        print("python mcp client: all checks passed")
    finally:
        sandbox.kill()
        sandbox.wait()


if __name__ == "__main__":
    asyncio.run(main())
