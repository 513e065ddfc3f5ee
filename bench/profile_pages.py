"""Where a page's CPU goes: cProfile over N requests through django.test.Client, with throughput.py's settings.

    .venv/bin/python bench/profile_pages.py [--database asb_portal_bench_pages] [--requests 50] [--only list,home]
        [--top 25] [--dump DIR]

Same settings, clock and verified sessions as bench/throughput.py (in this process, no gunicorn). After 5 warm-up
requests per page, times --requests requests (CPU time of this process: the median, which the machine's other
load disturbs less than wall time), then profiles as many and prints: time split by
area (SQL execute, ORM compile, template rendering, middleware, the rest) and the top functions by own time and by
cumulative time. --dump writes each page's .prof for snakeviz/pstats. It profiles the checkout it sits in: to
profile other code, copy bench/throughput.py and this file into that checkout and run them there.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
from pathlib import Path
from time import perf_counter, process_time

BASE_DIR = Path(__file__).resolve().parent.parent

AREAS = [
    # (area, cumulative-time function matcher): the first match wins, outermost first.
    ("SQL execute (psycopg)", lambda f: f[0].endswith("django/db/backends/utils.py") and f[2] == "_execute"),
    ("ORM compile", lambda f: f[0].endswith("django/db/models/sql/compiler.py") and f[2] == "as_sql"),
    ("template render", lambda f: f[0].endswith("django/template/base.py") and f[2] == "render" and f[1] < 200),
    ("context processors", lambda f: f[0].endswith("django/template/context.py") and f[2] == "bind_template"),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="asb_portal_bench_pages")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path, default=None)
    parser.add_argument("--no-two-factor", action="store_true")
    parser.add_argument("--show-all", action="store_true", help="with --pyinstrument: library frames too")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="sample with pyinstrument (pip install pyinstrument; less overhead than cProfile) and print its tree")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    from bench import data, throughput

    two_factor = not args.no_two_factor
    env = throughput.environment(data.database_url(args.database), two_factor=two_factor)
    env["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(env)
    import django

    django.setup()
    import time_machine
    from django.test import Client

    marker = throughput._marker()
    pages = {
        "list": ("/staff/cases/", "officer"),
        "detail": (f"/staff/cases/{marker['detail_reference']}/", "officer"),
        "home": ("/staff/", "officer"),
        "dashboard": ("/dashboard/?period=12m", "manager"),
    }
    only = [k for k in args.only.split(",") if k] or list(pages)
    try:
        with time_machine.travel(marker["anchor"], tick=True):
            cookies = throughput.sessions_make(two_factor=two_factor)
            for key in only:
                path, role = pages[key]
                client = Client()
                name, value = cookies[role].split("=", 1)
                client.cookies[name] = value
                for _ in range(5):
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                cpu = []
                for _ in range(args.requests):
                    started = process_time()
                    client.get(path)
                    cpu.append((process_time() - started) * 1000)
                cpu_ms = statistics.median(cpu)
                if args.pyinstrument:
                    sampled(key, path, client, cpu_ms, args)
                    continue
                profiler = cProfile.Profile()
                started = perf_counter()
                profiler.enable()
                for _ in range(args.requests):
                    client.get(path)
                profiler.disable()
                wall = (perf_counter() - started) * 1000 / args.requests
                report(key, path, profiler, wall, cpu_ms, args)
    finally:
        if two_factor:
            throughput.devices_remove()


def sampled(key, path, client, cpu_ms, args) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.requests):
        client.get(path)
    profiler.stop()
    print(f"\n=== {key} {path}: CPU {cpu_ms:.1f} ms per request (median, unprofiled); pyinstrument, {args.requests} requests")
    print(profiler.output_text(unicode=False, color=False, show_all=args.show_all, time="percent_of_total"))


def report(key, path, profiler, wall_ms, cpu_ms, args) -> None:
    stats = pstats.Stats(profiler)
    n = args.requests
    print(f"\n=== {key} {path}: CPU {cpu_ms:.1f} ms per request (median, unprofiled); profiled {wall_ms:.1f} ms wall")
    raw = stats.stats  # func -> (cc, nc, tt, ct, callers)
    for area, match in AREAS:
        ct = sum(v[3] for f, v in raw.items() if match(f))
        print(f"  {area:<24} {ct * 1000 / n:7.1f} ms")
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.top)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
        print(f"  -- top by {sort} (seconds over {n} requests)")
        for line in lines[start:start + args.top + 1]:
            print("  " + line.replace(str(Path(sys.prefix)), "venv")[:200])
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(args.dump / f"{key}.prof")


if __name__ == "__main__":
    main()
