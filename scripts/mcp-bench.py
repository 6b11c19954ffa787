#!/usr/bin/env python3
"""Start-up of `kinbox mcp` to its first tools/list answer, and that answer's
size in bytes (what every conversation with the server pays in context).

    cargo build --release -p kinbox-cli --bin kinbox
    python3 scripts/mcp-bench.py target/release/kinbox [RUNS] [-- extra mcp args]
    python3 scripts/mcp-bench.py target/release/kinbox call [CALLS]

No API is called for tools/list (it needs none); the token is a dummy one.
`call` starts `kinbox sandbox` and times CALLS `list_tags` tool calls on one
running server against as many `GET /v1/tags` of a plain keep-alive HTTP
client (Python's http.client) on the same sandbox: the difference is what
the MCP layer and kinbox add to a call.
Standard library only: the client here is a bare JSON-RPC writer.
"""

import json
import os
import statistics
import subprocess
import sys
import time

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {},
    "clientInfo": {"name": "bench", "version": "0"}}}
READY = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


def once(kinbox, extra):
    env = dict(os.environ, KINBOX_TOKEN="bench-token", KINBOX_BASE_URL="http://127.0.0.1:9")
    started = time.perf_counter()
    process = subprocess.Popen([kinbox, "mcp", *extra], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    for message in (INIT, READY, LIST):
        process.stdin.write((json.dumps(message) + "\n").encode())
    process.stdin.flush()
    size = None
    for line in process.stdout:
        if json.loads(line).get("id") == 2:
            size = len(line.rstrip(b"\n"))
            break
    elapsed = time.perf_counter() - started
    process.stdin.close()
    process.wait(timeout=10)
    return elapsed, size


def calls(kinbox, count):
    import http.client
    token = "bench-token"
    sandbox = subprocess.Popen([kinbox, "sandbox", "--port", "0", "--token", token],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base_url = None
        for line in sandbox.stdout:
            if line.startswith("KINBOX_BASE_URL="):
                base_url = line.split("=", 1)[1].strip()
                break
        env = dict(os.environ, KINBOX_TOKEN=token, KINBOX_BASE_URL=base_url)
        process = subprocess.Popen([kinbox, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env)

        def ask(message):
            process.stdin.write((json.dumps(message) + "\n").encode())
            process.stdin.flush()
            if "id" not in message:
                return None
            for line in process.stdout:
                answer = json.loads(line)
                if answer.get("id") == message["id"]:
                    return answer

        ask(INIT)
        ask(READY)
        mcp_times = []
        for n in range(count):
            started = time.perf_counter()
            answer = ask({"jsonrpc": "2.0", "id": 10 + n, "method": "tools/call",
                          "params": {"name": "list_tags", "arguments": {}}})
            mcp_times.append(time.perf_counter() - started)
            assert not answer["result"].get("isError"), answer
        process.stdin.close()
        process.wait(timeout=10)
        host, port = base_url.split("//", 1)[1].split(":")
        connection = http.client.HTTPConnection(host, int(port))
        http_times = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", "/v1/tags", headers={"Authorization": "Bearer " + token})
            connection.getresponse().read()
            http_times.append(time.perf_counter() - started)
        mcp_median = statistics.median(mcp_times) * 1000
        http_median = statistics.median(http_times) * 1000
        print("list_tags through kinbox mcp: median %.3f ms over %d calls; GET /v1/tags with "
              "http.client: median %.3f ms; overhead %.3f ms a call"
              % (mcp_median, count, http_median, mcp_median - http_median))
    finally:
        sandbox.kill()
        sandbox.wait()


def main():
    kinbox = sys.argv[1]
    rest = sys.argv[2:]
    if rest[:1] == ["call"]:
        return calls(kinbox, int(rest[1]) if len(rest) > 1 else 200)
    runs = int(rest.pop(0)) if rest and rest[0].isdigit() else 20
    extra = rest[1:] if rest[:1] == ["--"] else rest
    results = [once(kinbox, extra) for _ in range(runs)]
    times = sorted(t for t, _ in results)
    size = results[-1][1]
    print("kinbox mcp %s: start-up to the first tools/list answer, %d runs: median %.1f ms, "
          "min %.1f ms, max %.1f ms; tools/list answer %d bytes"
          % (" ".join(extra), runs, statistics.median(times) * 1000, times[0] * 1000,
             times[-1] * 1000, size))


if __name__ == "__main__":
    main()
