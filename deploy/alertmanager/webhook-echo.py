"""The receiver of deploy/alertmanager/alertmanager.yml in deploy/compose.yml: prints each webhook
notification Alertmanager sends (one line per alert) and answers 200. A stand-in to replace with
your real receiver; read it with `docker compose -f deploy/compose.yml logs -f alert-echo`.

    python3 webhook-echo.py [PORT] [HOST]      # defaults 5001 and 0.0.0.0

Only the Python standard library; bodies over 1 MiB are refused (413).
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


class Echo(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413, "body over 1 MiB")
            return
        body = self.rfile.read(length)
        try:
            message = json.loads(body)
            alerts = message.get("alerts") or []
            for alert in alerts:
                labels = alert.get("labels") or {}
                summary = (alert.get("annotations") or {}).get("summary", "")
                print(
                    f"{self.path} receiver={message.get('receiver')} {alert.get('status')}"
                    f" alertname={labels.get('alertname')} severity={labels.get('severity')}"
                    f" service={labels.get('service')} instance={labels.get('instance')}"
                    f" summary={summary!r}",
                    flush=True,
                )
        except (ValueError, AttributeError) as e:
            print(f"{self.path} not an Alertmanager notification ({e}): {body[:200]!r}", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass  # one line per alert above is the log


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5001
    host = sys.argv[2] if len(sys.argv) > 2 else "0.0.0.0"
    print(f"webhook-echo: listening on {host}:{port}", flush=True)
    ThreadingHTTPServer((host, port), Echo).serve_forever()
