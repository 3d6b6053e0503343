"""How fast is the home page compared with a bare Flask "hello"? Both run under gunicorn the same
way (2 sync workers on loopback) and are driven by wrk in one run; the ratio home/hello is printed.
Target: at least 0.70.

    .venv/bin/python -m bench.home [--seconds 5] [--rounds 3] [--connections 16] [--threads 2]

Needs wrk (Debian: ``apt-get install -y wrk``). The portal runs with PORTAL_ENV=production (a random
SECRET_KEY, mail to the console, no rate limits) on a temporary SQLite database that is migrated
and seeded with the demo data (``flask db upgrade`` + ``flask seed-demo``), so the home page shows
the pinned announcement, the latest notices and the intake. Everything lives in a temporary
directory that is removed at the end; nothing is sent beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 0.70
HELLO_APP = '''from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello"
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_env(tmp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "FLASK_"))}
    env.update({
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "CONTENT_VERSION_FILE": str(tmp / "content-version"),
        "MAIL_BACKEND": "console",
        "RATELIMIT_ENABLED": "0",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    })
    return env


def prepare_database(env: dict[str, str]) -> None:
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def gunicorn(app: str, cwd: Path, env: dict[str, str]):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app], cwd=cwd, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up in {timeout} s")


def wrk(url: str, seconds: int, connections: int, threads: int, *headers: str) -> float:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Language: en"]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    return float(match.group(1))


def measure(urls: dict[str, str], args) -> dict[str, float]:
    """Alternate the two servers round by round and keep each one's median, so that a burst of
    other work on the machine does not land on one side only."""
    for url in urls.values():
        wrk(url, 2, args.connections, args.threads)  # warm up: imports, caches, connections
    rounds: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.rounds):
        for name, url in urls.items():
            rounds[name].append(wrk(url, args.seconds, args.connections, args.threads))
    for name, values in rounds.items():
        print(f"  {name:<6} rounds: {', '.join(f'{v:.0f}' for v in values)} requests/s")
    return {name: statistics.median(values) for name, values in rounds.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed. On Debian/Ubuntu: apt-get install -y wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        env = portal_env(tmp)
        prepare_database(env)
        (tmp / "hello_app.py").write_text(HELLO_APP)
        with gunicorn("hello_app:app", tmp, env) as hello_url, gunicorn("wsgi:app", ROOT, env) as home_url:
            body = urllib.request.urlopen(home_url, timeout=5).read().decode()  # noqa: S310  (loopback only)
            if "Admission process of international applicants" not in body:
                raise SystemExit("the home page does not show the demo announcement: is the database seeded?")
            result = measure({"hello": hello_url, "home": home_url}, args)
            # For information: a visitor who already has a session cookie gets the page rendered
            # for them (from cached data), never the shared copy.
            result["with session"] = wrk(home_url, args.seconds, args.connections, args.threads,
                                         "Cookie: portal_session=returning-visitor")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    hello, home = result["hello"], result["home"]
    ratio = home / hello
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s x {args.rounds} rounds each (median), "
          "gunicorn 2 sync workers, 127.0.0.1")
    print(f"hello (bare Flask):  {hello:10.1f} requests/s")
    print(f"home page (portal):  {home:10.1f} requests/s")
    print(f"home, visitor with a session cookie (rendered per request, not the target): "
          f"{result['with session']:.1f} requests/s")
    print(f"ratio home/hello:    {ratio:10.2f}   (target >= {TARGET:.2f}: {'met' if ratio >= TARGET else 'NOT met'})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
