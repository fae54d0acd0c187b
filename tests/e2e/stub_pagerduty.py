#!/usr/bin/env python3
"""A PagerDuty source whose one service carries integrations the target
cannot take (Events API v1, a custom event transformer), beside one it can.
Every other list is empty; /v1/tenants/* answers 404, so a dry run sees a
missing tenant. Prints the port it listens on, then serves until killed."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SERVICE = {
    "id": "PSTUB01", "name": "Legacy pager", "status": "active",
    "integrations": [
        {"id": "PINTV1", "type": "generic_events_api_inbound_integration",
         "name": "old hook token=stub-secret-value"},
        {"id": "PINTXF", "type": "event_transformer_api_inbound_integration", "name": "transformer"},
        {"id": "PINTV2", "type": "events_api_v2_inbound_integration", "name": "v2 hook"},
    ],
}
LISTS = {"services": [SERVICE], "teams": [], "users": [], "schedules": [],
         "escalation_policies": [], "incidents": [], "members": []}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if path.startswith("/pagerduty/"):
            key = path.rsplit("/", 1)[-1]
            if key in LISTS:
                return self.reply(200, {key: LISTS[key], "more": False, "offset": 0,
                                        "limit": 100, "total": len(LISTS[key])})
        self.reply(404, {"error": {"message": "not found", "code": 2100}})


srv = HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
sys.stdout.close()
srv.serve_forever()
