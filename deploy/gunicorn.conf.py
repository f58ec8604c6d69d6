"""gunicorn settings shared by every Switchboard HTTP process (the gateway and each service).

Threads, not processes, carry concurrency: each open Server-Sent Events stream holds one
thread, and streams end after five minutes (clients reconnect with Last-Event-ID).
"""

import os

# The port this process listens on: SWITCHBOARD_BIND_PORT for a service, else the gateway's port.
bind = f"0.0.0.0:{os.environ.get('SWITCHBOARD_BIND_PORT') or os.environ.get('SWITCHBOARD_HTTP_PORT', '8080')}"
# Worker processes; scale a busy service with more containers before more workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Threads per worker: request handlers plus open event streams.
threads = int(os.environ.get("SWITCHBOARD_THREADS", "32"))
# A worker that does not answer its heartbeat for this long is restarted.
timeout = 60
graceful_timeout = 20
keepalive = 5
# Logs go to stderr; Switchboard writes its own JSON access lines.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SWITCHBOARD_LOG_LEVEL", "info").lower()
