"""gunicorn settings: one worker process per core with a pool of threads each, the app factory, sane
timeouts, and an access log that never carries personal data.

Threaded workers (gthread): a client that sends its request slowly holds one thread, not a whole
worker, and a connection that has sent nothing yet waits in the worker's poller without any thread,
so a few slow or idle clients cannot starve everyone else. In production a buffering proxy (nginx,
config/nginx/cwflow.conf) in front reads whole requests before passing them on (docs/operations.md)."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from engine.core.privacy import mask_personal

bind = os.environ.get("CWFLOW_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("CWFLOW_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
# Threads per worker. A thread reading a slow client's request holds no database connection; the few
# threads beyond the pool of a process (pool_size + max_overflow = 20, config/settings.py) that run
# requests at once wait for a connection at most the connect timeout, then answer 503.
threads = int(os.environ.get("CWFLOW_THREADS", "32"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
# Bounded request lines and headers: a hostile client cannot make a worker buffer megabytes of them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every gunicorn of a
# user on the host, and systemd (config/systemd/cwflow-web.service) manages the workers.
control_socket_disable = True
accesslog = "-"
# The access log shows paths and statuses only: never query strings with personal data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
wsgi_app = "web:create_app()"

class PersonalDataMaskingLogger(Logger):
    """The access log with phone and ID numbers (runs of 11+ digits) in paths replaced by ***."""

    def atoms(self, resp, req, environ, request_time):  # noqa: ANN001, ANN201 - gunicorn's signature
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "q"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_personal(atoms[key])
        return atoms


logger_class = PersonalDataMaskingLogger
