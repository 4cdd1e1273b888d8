"""A stand-in service for tests/e2e/gateway.sh: answers every request with JSON naming the
service, the method, the path, the body length it read and the X-Request-Id, Upgrade and
Connection headers it received; it also
sends its own CORS and security headers, which the gateway must replace (on the API) or pass
on (the web pages' Content-Security-Policy and X-Frame-Options; none of the latter when the
path asks for `embed=1`, as the embedded chat page).

usage: python3 upstream.py <service name> <port>
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The stand-in's own policy: the gateway drops it on the API and passes it on for the pages.
STAND_IN_CSP = "default-src 'self'; frame-ancestors https://site.test"


class Handler(BaseHTTPRequestHandler):
    """Echoes what the gateway forwarded."""

    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        read = 0
        while read < length:
            chunk = self.rfile.read(min(65536, length - read))
            if not chunk:
                break
            read += len(chunk)
        body = json.dumps({
            "service": self.server.service_name,
            "method": self.command,
            "path": self.path,
            "body_bytes": read,
            "request_id": self.headers.get("X-Request-Id"),
            "upgrade": self.headers.get("Upgrade"),
            "connection": self.headers.get("Connection"),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", "upstream-own-id")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", STAND_IN_CSP)
        if "embed=1" not in self.path:
            self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = answer

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
    server.service_name = sys.argv[1]
    server.serve_forever()


if __name__ == "__main__":
    main()
