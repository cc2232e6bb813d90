#!/usr/bin/env python3
"""A webhook receiver for Candor's tests that verifies every delivery with PyPI's
`standardwebhooks` (an implementation we did not write), rejecting bad signatures
and stale timestamps as the spec requires. Verified deliveries are appended, one
JSON object per line, to FILE: {"id", "attempt", "payload"}. The signing secret is
read from SECRET_FILE at each request (written by the test once it knows it);
until it exists every delivery gets a 503.
With --fail-first N, the first N verified deliveries of each id get a 503, to
exercise retries. Prints its port on stdout, then serves until killed."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

out_file, secret_file = sys.argv[1], sys.argv[2]
fail_first = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--fail-first" else 0
seen = {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            with open(secret_file) as f:
                secret = f.read().strip()
        except FileNotFoundError:
            secret = None
        if secret is None:
            # Not told the secret yet: not ready, so the sender must retry.
            self.send_response(503)
            self.end_headers()
            return
        try:
            payload = Webhook(secret).verify(body, headers)
        except WebhookVerificationError as e:
            self.send_response(400)
            self.end_headers()
            self.wfile.write(str(e).encode())
            return
        n = seen.get(headers["webhook-id"], 0) + 1
        seen[headers["webhook-id"]] = n
        status = 503 if n <= fail_first else 200
        record = {"id": headers["webhook-id"], "attempt": n, "status": status, "payload": payload}
        with open(out_file, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
