"""gunicorn's settings for gridcare: `gunicorn` in this folder reads them (or `-c` names it).

Every setting can be changed from the environment (GRIDCARE_BIND, GRIDCARE_WORKERS,
GRIDCARE_TIMEOUT) or on gunicorn's command line, which wins over this file.
"""

import faulthandler
import gc
import os

from gridcare.request_ids import LOG_FORMAT

wsgi_app = "wsgi:app"
# Behind nginx on the same machine; set GRIDCARE_BIND=0.0.0.0:8000 only inside a container.
bind = os.environ.get("GRIDCARE_BIND", "127.0.0.1:8000")
# Sync workers: pages are short database reads, and one slow export holds one worker only.
# Two on a two-core box; more cores, more workers (2 × cores + 1 is gunicorn's advice).
worker_class = "sync"
workers = int(os.environ.get("GRIDCARE_WORKERS", "2"))
# An XLSX export of a whole city or a registry import may take a while; beyond this a
# worker is stuck and is replaced.
timeout = int(os.environ.get("GRIDCARE_TIMEOUT", "120"))
# Recycle workers now and then, so a slow leak cannot grow without bound; the jitter keeps
# both from restarting at once.
max_requests = 5000
max_requests_jitter = 500
# gunicornc's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two
# servers on one machine would share it. Stop, reload and scale with signals instead.
control_socket_disable = True

# The access log names each request by the id gridcare logs it under (gridcare/request_ids.py).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s "%(a)s"'
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["console"]},
    # Each line once: gunicorn's own loggers write to their handler and stop there.
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
    "filters": {"request_id": {"()": "gridcare.request_ids.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["request_id"],
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        },
    },
    "formatters": {"generic": {"format": "[%(process)d] " + LOG_FORMAT}},
}


def post_worker_init(worker):
    """Freeze everything the app loaded at start-up out of the garbage collector's sight.

    A worker holds a few hundred thousand long-lived objects after loading the app
    (Flask and its extensions, SQLAlchemy's mappers, the modules of every domain). Python's full
    collection walks all of them, ~100 ms a pass at city scale, and it landed on whichever
    request was unlucky: that was most of the heavy pages' p95. gc.freeze() moves them to a
    permanent generation the collector skips, so a pass sees only what requests create.
    """
    # A worker that dies of a signal (a C extension's fault) says where, in the error log.
    faulthandler.enable()
    gc.collect()
    gc.freeze()
    worker.log.info("froze %d start-up objects out of the garbage collector", gc.get_freeze_count())
