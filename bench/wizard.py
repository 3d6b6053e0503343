"""Benchmark: applicants saving wizard steps under load (gunicorn + PostgreSQL, loopback).

    .venv/bin/python -m bench.wizard [--users 50] [--seconds 20] [--connections 16] [--workers 2]

Creates a scratch PostgreSQL database (dropped afterwards), migrates it, creates N verified
applicants each with a draft, starts the portal under gunicorn (sync workers), logs every
applicant in to collect a session cookie and a CSRF token, then drives "Save draft" on the
Personal details step with wrk (apt-get install wrk), each request from a random applicant.
Prints requests/s, latency p50/p95/p99, and checks that every request was a 302 (saved).
Needs: the PostgreSQL server on 127.0.0.1:5432 (trust auth), wrk, requirements-dev.txt.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from bench.scratch import drop_database, scratch_database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench passphrase lantern 2027"
PERSONAL = {"surname": "Aliyeva", "given_names": "Leyla", "sex": "F", "date_of_birth": "2007-03-14",
            "place_of_birth": "Tabriz", "citizenship": "IR", "other_citizenship": "", "save_draft": "1"}

LUA = r"""
local users = %(users)s
request = function()
  local u = users[math.random(#users)]
  local body = u.body
  return wrk.format("POST", "/apply/step/personal",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = u.cookie}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%f %%f %%f %%f\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""


def prepare(env: dict, users: int) -> None:
    """Migrate and create the applicants with drafts, in a child process using the bench env."""
    code = f"""
import flask_migrate
from portal import create_app
from portal.extensions import db
from portal import demo
from portal.services import accounts, applications, intakes
app = create_app()
with app.test_request_context():
    flask_migrate.upgrade()
    demo.seed_reference_data()
    db.session.flush()
    intake = intakes.open_intakes()[0]
    for n in range({users}):
        user = accounts.create_user(f"bench{{n}}@example.com", {PASSWORD!r}, verified=True)
        applications.start_application(user, intake)
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def login(port: int, n: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port)

    def request(method, path, body=None, cookie=""):
        headers = {"Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        jar = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
        return response.status, data, "; ".join(jar) or cookie

    _, page, cookie = request("GET", "/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": f"bench{n}@example.com", "password": PASSWORD, "csrf_token": token})
    status, _, cookie = request("POST", "/auth/login", form, cookie)
    assert status == 302, status
    _, page, cookie = request("GET", "/apply/step/personal", cookie=cookie)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    conn.close()
    return {"cookie": cookie, "body": urllib.parse.urlencode({**PERSONAL, "csrf_token": token})}


def lua_table(sessions: list[dict]) -> str:
    return "{" + ",".join(f"{{cookie={json.dumps(s['cookie'])}, body={json.dumps(s['body'])}}}"
                          for s in sessions) + "}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    url = scratch_database()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
           "DATABASE_URL": url, "MAIL_BACKEND": "locmem", "RATELIMIT_ENABLED": "0",
           "UPLOAD_DIR": str(workdir / "uploads"), "PUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}"}
    server = None
    try:
        prepare(env, args.users)
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{args.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env)
        wait_for(args.port)
        sessions = [login(args.port, n) for n in range(args.users)]
        script = workdir / "save.lua"
        script.write_text(LUA % {"users": lua_table(sessions)})
        out = subprocess.run(["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s",
                              "-s", str(script), f"http://127.0.0.1:{args.port}"],
                             capture_output=True, text=True, check=True).stdout
        requests, micros, p50, p95, p99, errors = re.search(r"RESULT (.*)", out).group(1).split()
        rate = int(requests) / (int(micros) / 1e6)
        print(f"wizard step saves (Save draft, Personal details) on PostgreSQL, gunicorn {args.workers} sync "
              f"workers, wrk {args.connections} connections, {args.users} applicants, {args.seconds}s:")
        print(f"  requests: {requests}  HTTP >= 400 or socket errors: {errors}")
        print(f"  throughput: {rate:.1f} requests/s")
        print(f"  latency: p50 {float(p50):.1f} ms  p95 {float(p95):.1f} ms  p99 {float(p99):.1f} ms")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(10)
        drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start")


if __name__ == "__main__":
    main()
