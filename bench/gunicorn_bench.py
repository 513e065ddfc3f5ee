"""Gunicorn settings for bench/throughput.py: production's gunicorn.conf.py, with the clock at the bench data's anchor.

The production values are read from BENCH_GUNICORN_CONF (the measured project's gunicorn.conf.py). Each worker
travels to BENCH_ANCHOR (ISO 8601, ticking) once it has started, so the pages show what they show at the anchor on
any day. Worker recycling (max_requests) is off: a restart in the middle of a 20-second run would put an import of
Django into one page's figures and not the others'.
"""

import os
import runpy

_production = runpy.run_path(os.environ["BENCH_GUNICORN_CONF"])
globals().update({k: v for k, v in _production.items() if not k.startswith("_") and k not in {"multiprocessing", "os", "Path"}})

max_requests = 0
max_requests_jitter = 0

_travellers = []


def post_worker_init(worker):
    from datetime import datetime

    import time_machine

    traveller = time_machine.travel(datetime.fromisoformat(os.environ["BENCH_ANCHOR"]), tick=True)
    traveller.start()
    _travellers.append(traveller)
