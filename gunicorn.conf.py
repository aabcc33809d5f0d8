"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value can be set from the environment, so one file serves every host:

    WEB_CONCURRENCY      worker processes (default 2 x cores + 1)
    GUNICORN_THREADS     threads per worker (default 1; above 1 gunicorn uses gthread workers)
    BIND or PORT         where to listen (BIND wins; default 0.0.0.0:8000)
    FORWARDED_ALLOW_IPS  the load balancers whose X-Forwarded-Proto is trusted
    GUNICORN_MAX_REQUESTS  a worker restarts after this many requests (default 1000, 0: never)

Each worker holds its own database pool (DB_POOL_SIZE + DB_MAX_OVERFLOW connections at most),
so workers x that must fit the database's max_connections; see docs/deploy.md.
"""

from __future__ import annotations

import os


def _cores() -> int:
    """The CPUs this process may run on (a container's cpuset, not the whole machine)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "surveys:create_app()"

bind = [os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"]
workers = _int("WEB_CONCURRENCY", 2 * _cores() + 1)
threads = _int("GUNICORN_THREADS", 1)
# The app is built in each worker after the fork, so no worker shares the master's database
# connections; keep preload_app off.
preload_app = False

# A request running longer than `timeout` gets its worker killed and restarted; on a restart
# or SIGTERM, workers have `graceful_timeout` to finish the requests they hold.
timeout = 30
graceful_timeout = 30
# Seconds an idle keep-alive connection from the load balancer stays open.
keepalive = 5

# Recycle workers now and then (memory growth in a long-lived process), not all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10

# X-Forwarded-Proto (https) is believed only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on stdout, errors on stderr: the peer (the load balancer), the client it forwards
# for, the time, the request line, status, bytes, the request time in milliseconds, referrer
# and user agent.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# Worker heartbeats in memory: a slow disk (a container's overlay /tmp) cannot stall them.
# (gunicorn makes its files there with mkstemp, private to the user.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(SHARED_MEMORY):
    worker_tmp_dir = SHARED_MEMORY
# No gunicornc control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) would be
# shared by every instance on the host.
control_socket_disable = True
