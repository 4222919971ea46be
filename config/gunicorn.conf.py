"""gunicorn settings: one worker process per core, the app factory, sane timeouts."""

import multiprocessing
import os

bind = os.environ.get("CWFLOW_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("CWFLOW_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# The access log shows paths and statuses only: never query strings with personal data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
wsgi_app = "web:create_app()"
