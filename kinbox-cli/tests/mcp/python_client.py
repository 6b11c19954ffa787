"""A client we did not write, driving `kinbox mcp`: the Python `mcp` package
(the reference SDK) starts the real binary over stdio (and, with --http,
over streamable HTTP) against a `kinbox sandbox`, and checks the sandbox
holds exactly what the tools were asked to do. Then, against sandboxes that
inject faults: reads get through 429s, 5xx, latency and dropped connections;
a write whose answer is lost is said to be unknown, with how to check, and
is held once; a write answered 5xx is an error that says what to do, and is
not held.

    python3 kinbox-cli/tests/mcp/python_client.py target/debug/kinbox

Run by .ci/run (which installs `mcp` into a virtualenv first). Loopback only.
"""

import asyncio
import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
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


def start_sandbox(kinbox, *faults):
    """A sandbox on a free port; `faults` are its fault injection flags."""
    process = subprocess.Popen(
        [kinbox, "sandbox", "--port", "0", "--token", TOKEN, *faults],
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


def json_of(text):
    """The JSON of a result after its summary line, if any: an object or a
    list (whose summary may hold braces of its own)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(("{", "[")))
    return json.loads("\n".join(lines[start:]).split("\n[cut:")[0])


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
    check(
        all((tool.output_schema is None) == bool(tool.annotations.destructive_hint) for tool in tools),
        "every tool but the deletes lists an output schema",
    )

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
    # The client checked it against the tool's output schema before answering.
    check(result.structured_content == deal, "create_deal_by_names: the structured content is the text's JSON")

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


# --- Faults: sandboxes that fail on purpose, and what a user sees. ---

# Reads through a flaky API: 500s and 503s, dropped connections, latency.
# The seed replays the same faults for the same sequence of requests: with
# seed 26, no more than two requests in a row fail in the first 60, so every
# read's 3 retries outlast them.
FLAKY = [
    "--seed", "26", "--error-ratio", "0.3", "--drop-ratio", "0.15",
    "--latency-ms", "5", "--latency-jitter-ms", "30",
]
# ...and through a rate limit: past 2 requests a second, 429 with
# Retry-After: 1, which a retry waits. On a sandbox of its own: where the
# 429s fall depends on the clock, and would shift the flaky sandbox's faults.
RATE_LIMITED = ["--rate-limit", "2", "--rate-limit-window-ms", "1000"]
RETRIED = (429, 500, 502, 503, 504)


def api_patiently(base_url, path, body=None, tries=50):
    """api_get (or a POST of `body`) through a sandbox's 429s, 5xx and
    dropped connections. Safe for a POST only where no fault applies a
    write it fails (no --applied-then-fail-ratio): a failure is then never
    a change."""
    for _ in range(tries):
        request = urllib.request.Request(
            base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            if error.code not in RETRIED:
                raise
            time.sleep(float(error.headers.get("Retry-After") or 0.05))
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise AssertionError("%s %s failed %d times" % ("GET" if body is None else "POST", path, tries))


def held_deals(base_url):
    """Every deal the sandbox holds, page after page."""
    deals, cursor = [], None
    while True:
        path = "/v1/deals?limit=100" + ("&cursor=" + urllib.parse.quote(str(cursor)) if cursor else "")
        page = api_patiently(base_url, path)
        deals += page["data"]
        cursor = page.get("nextCursor")
        if not cursor:
            return deals


def held_named(base_url, name):
    return sum(deal["name"] == name for deal in held_deals(base_url))


def deal_body(name, pipeline):
    """create_deal's body: a deal in the first stage of `pipeline`, of the
    seeded contact Maria Oliveira."""
    return {
        "name": name, "value": 10, "status": "open", "pipelineId": pipeline["id"],
        "stageId": pipeline["stages"][0]["id"], "customFields": {}, "contactId": 1001,
    }


@contextlib.asynccontextmanager
async def mcp_on_faults(kinbox, faults, flags=(), errlog=None):
    """A session with `kinbox [flags] mcp` over stdio, on a sandbox started
    with `faults`; yields (session, the sandbox's base URL)."""
    sandbox, base_url = start_sandbox(kinbox, *faults)
    try:
        env = {"KINBOX_BASE_URL": base_url, "KINBOX_TOKEN": TOKEN, "PATH": os.environ.get("PATH", "")}
        params = StdioServerParameters(command=kinbox, args=[*flags, "mcp"], env=env)
        async with stdio_client(params, errlog=errlog or sys.stderr) as (read, write):
            # A hang fails instead of blocking.
            async with ClientSession(read, write, read_timeout_seconds=30) as session:
                await session.initialize()
                yield session, base_url
    finally:
        sandbox.kill()
        sandbox.wait()


async def reads_through(kinbox, faults, rounds, met):
    """The reads a user makes, `rounds` times, through a sandbox with
    `faults`: each answers, and answers right. `met`: what kinbox -v's log
    must show the reads met, else these checks proved nothing."""
    with tempfile.TemporaryFile("w+") as log:
        async with mcp_on_faults(kinbox, faults, ["-v"], errlog=log) as (session, base_url):
            vendas = next(p for p in api_patiently(base_url, "/v1/pipelines") if p["name"] == "Vendas")
            api_patiently(base_url, "/v1/deals", deal_body("Lido entre falhas", vendas))
            for _ in range(rounds):
                result = await session.call_tool("list_pipelines", {})
                check(not result.is_error, "list_pipelines through faults: " + text_of(result)[:300])
                check(
                    [s["name"] for p in result.structured_content["items"] if p["name"] == "Vendas" for s in p["stages"]]
                    == [s["name"] for s in vendas["stages"]],
                    "list_pipelines through faults has Vendas and its stages",
                )
                result = await session.call_tool("get_pipeline", {"id": vendas["id"]})
                check(not result.is_error, "get_pipeline through faults: " + text_of(result)[:300])
                check(json_of(text_of(result))["name"] == "Vendas", "get_pipeline through faults is Vendas")
                pipelines = json.loads((await session.read_resource("kinbox://pipelines")).contents[0].text)
                check(any(p["name"] == "Vendas" for p in pipelines), "kinbox://pipelines through faults holds Vendas")
                result = await session.call_tool("list_deals", {"limit": 100})
                check(not result.is_error, "list_deals through faults: " + text_of(result)[:300])
                names = [d["name"] for d in json_of(text_of(result))["data"]]
                check(names == ["Lido entre falhas"], "list_deals through faults lists the deal: %s" % names)
        log.seek(0)
        log = log.read()
    for what, pattern in met:
        check(re.search(pattern, log), "the reads met %s, and went on (kinbox -v's log)" % what)


async def lost_writes(kinbox, mode):
    """Each create is stored, then its answer lost as `mode` says."""
    faults = ["--applied-then-fail-ratio", "1.0", "--applied-then-fail-mode", mode]
    flags = []
    if mode == "timeout":
        # The answer is held past kinbox's timeout (in seconds), then dropped.
        faults += ["--applied-then-fail-hold-ms", "1500"]
        flags = ["--timeout", "1"]
    async with mcp_on_faults(kinbox, faults, flags) as (session, base_url):
        vendas = next(p for p in api_get(base_url, "/v1/pipelines") if p["name"] == "Vendas")
        by_names, raw = "Perdido por nomes (%s)" % mode, "Perdido cru (%s)" % mode
        for tool, arguments, name in [
            ("create_deal_by_names", {"name": by_names, "value": "R$ 10,00", "pipeline": "Vendas",
                                      "contact_phone": "(85) 99728-1648"}, by_names),
            ("create_deal", {"body": deal_body(raw, vendas)}, raw),
        ]:
            result = await session.call_tool(tool, arguments)
            text = text_of(result)
            check(
                result.is_error and "outcome is unknown" in text and "may have been applied" in text,
                "%s, answer lost (%s): the outcome is unknown: %s" % (tool, mode, text[:300]),
            )
            check(
                "Do not call %s again before checking: call list_deals" % tool in text,
                "%s, answer lost (%s): says not to call it again before checking with list_deals" % (tool, mode),
            )
            check(held_named(base_url, name) == 1, "%s, answer lost (%s): the sandbox holds it once" % (tool, mode))
        # The check the message names finds each once.
        result = await session.call_tool("list_deals", {"limit": 100})
        names = sorted(d["name"] for d in json_of(text_of(result))["data"])
        check(names == sorted([by_names, raw]), "answer lost (%s): list_deals finds each once: %s" % (mode, names))


async def refused_writes(kinbox):
    """Writes through a sandbox that answers half of all requests 500 or
    503 before doing anything: reads are retried, writes never; a write
    answered 5xx says what to do, and is not held. With seed 3, some writes
    of each tool are answered 5xx and some made."""
    async with mcp_on_faults(kinbox, ["--seed", "3", "--error-ratio", "0.5"]) as (session, base_url):
        vendas = next(p for p in api_patiently(base_url, "/v1/pipelines") if p["name"] == "Vendas")
        answered = {"create_deal": [], "create_deal_by_names": []}
        for i in range(6):
            for tool, name, arguments in [
                ("create_deal", "Sob erros %d" % i, lambda name: {"body": deal_body(name, vendas)}),
                ("create_deal_by_names", "Sob erros por nomes %d" % i,
                 lambda name: {"name": name, "value": "R$ 10,00", "pipeline": "Vendas",
                               "contact_phone": "(85) 99728-1648"}),
            ]:
                result = await session.call_tool(tool, arguments(name))
                answered[tool].append((name, result.is_error, text_of(result)))
        for tool, answers in answered.items():
            # create_deal_by_names may also fail on a read of the names
            # (past its retries), before it writes: "nothing was changed".
            refused = [text for _, error, text in answers if error and "so nothing was changed" not in text]
            check(refused, "%s: %d of %d writes were answered 5xx" % (tool, len(refused), len(answers))
                  + ("" if refused else ": %s" % [a[2][:80] for a in answers]))
            for text in refused:
                check(
                    re.search(r"answered 50[03]", text) and "outcome is unknown" not in text
                    and "call list_deals and look for what it would have made, before trying again" in text,
                    "%s answered 5xx: an error that says to check with list_deals before trying again: %s" % (tool, text[:300]),
                )
        made = sorted(name for answers in answered.values() for name, error, _ in answers if not error)
        held = sorted(d["name"] for d in held_deals(base_url))
        check(held == made, "a write answered 5xx is not held, and is not sent again; the others once: %s" % held)


async def faults(kinbox):
    retried = ("a retry", r"retrying")
    await reads_through(kinbox, FLAKY, 2, [
        ("a 500 or 503", r"status=50[03]"), ("a dropped connection", r"connection closed"), retried,
    ])
    await reads_through(kinbox, RATE_LIMITED, 1, [("a 429", r"status=429"), retried])
    for mode in ("drop", "timeout", "garbled"):
        await lost_writes(kinbox, mode)
    await refused_writes(kinbox)


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
    finally:
        sandbox.kill()
        sandbox.wait()
    await faults(kinbox)
    print("python mcp client: all checks passed")


if __name__ == "__main__":
    asyncio.run(main())
