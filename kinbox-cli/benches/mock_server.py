#!/usr/bin/env python3
"""A tiny Kinbox API stand-in on 127.0.0.1 for benchmarks (see BENCHMARKS.md).

Answers POST /v1/deals with 201 and a created deal, GET /v1/deals with a
page of one deal, GET /v1/deals/ID with the deal; anything else with 404. Standard library only; HTTP/1.1 with
keep-alive off, so that each client pays for its own connection.

    python3 kinbox-cli/benches/mock_server.py 8765
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEAL = {
    "id": "65f0c0ffee0000000000dddd",
    "name": "Pedido #1042",
    "value": 1890.5,
    "status": "open",
    "pipelineId": "65f0c0ffee0000000000aaaa",
    "stageId": "65f0c0ffee0000000000bbbb",
    "customFields": {},
    "contact": {"id": 123456},
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path == "/v1/deals":
            self._answer(201, DEAL)
        else:
            self._answer(404, {"message": "not found"})

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/v1/deals":
            self._answer(200, {"data": [DEAL], "nextCursor": None})
        elif path.startswith("/v1/deals/"):
            self._answer(200, DEAL)
        else:
            self._answer(404, {"message": "not found"})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
