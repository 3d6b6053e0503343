"""Benchmark: memory of a gunicorn worker while applicants upload 10 MB documents (loopback).

    .venv/bin/python -m bench.upload_memory [--uploads 5] [--size-mb 10] [--kind pdf|png]

Builds a temporary SQLite database and UPLOAD_DIR, migrates, creates (with the app's own
services) an open intake, a document type and a verified applicant with a draft, then starts the
portal under gunicorn (1 sync worker, 127.0.0.1, MAX_UPLOAD_MB=12). It logs in, warms the worker
up with a small upload, resets the worker's peak RSS (/proc/<pid>/clear_refs), uploads the big
file N times (each replaces the previous one, as an applicant would), and prints the worker's
peak RSS growth (VmHWM after - VmRSS before; target <= 15 MB) and the upload throughput.
Nothing leaves the machine; everything is deleted at the end.
"""

from __future__ import annotations

import argparse
import http.client
import io
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench passphrase lantern 2027"
EMAIL = "bench.uploader@example.com"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- files ---------------------------------------------------------------------------------

def big_pdf(size: int) -> bytes:
    """A real PDF: one page whose image XObject stream makes up the size."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    side = math.ceil((size / 3) ** 0.5)
    image = DecodedStreamObject()
    image.set_data(os.urandom(side * side * 3))
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(side), NameObject("/Height"): NumberObject(side),
                  NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                  NameObject("/BitsPerComponent"): NumberObject(8)})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def big_png(size: int) -> bytes:
    """Noise compresses to nothing, so the PNG is about width*height*3 bytes."""
    from PIL import Image

    side = math.ceil((size / 3) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=1)
    return out.getvalue()


# --- the server ----------------------------------------------------------------------------

def prepare(env: dict) -> None:
    """Migrate and create the data with the portal's own code, before gunicorn starts."""
    code = f"""
from datetime import timedelta
import flask_migrate
from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import DocumentType, Intake
from portal.services import accounts, applications
app = create_app()
with app.test_request_context():
    flask_migrate.upgrade()
    intake = Intake(code="BN99", name="Bench intake", opens_at=utcnow() - timedelta(days=1),
                    closes_at=utcnow() + timedelta(days=30), course_starts_on=(utcnow() + timedelta(days=200)).date())
    db.session.add(intake)
    db.session.add(DocumentType(code="passport", name_en="Passport", max_size_mb=12))
    user = accounts.create_user({EMAIL!r}, {PASSWORD!r}, verified=True)
    db.session.flush()
    applications.start_application(user, intake)
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)  # noqa: S603


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])  # kB
    return fields


class Client:
    """A browser's worth of HTTP: one keep-alive connection, cookies, CSRF tokens."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def token(self, path: str) -> str:
        _status, page = self.request("GET", path)
        return CSRF_RE.search(page.decode()).group(1)

    def login(self) -> None:
        form = urllib.parse.urlencode({"csrf_token": self.token("/auth/login"), "email": EMAIL,
                                       "password": PASSWORD}).encode()
        status, _ = self.request("POST", "/auth/login", form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"login failed: {status}"

    def upload(self, data: bytes, filename: str) -> tuple[int, float]:
        boundary = uuid.uuid4().hex
        token = self.token("/apply/documents")
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        started = time.perf_counter()
        status, answer = self.request("POST", "/apply/documents/passport", body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "application/json"})
        elapsed = time.perf_counter() - started
        assert status == 200, f"upload refused: {status} {answer[:300]!r}"
        return len(body), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--size-mb", type=float, default=10)
    parser.add_argument("--kind", choices=["pdf", "png"], default="pdf")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    env = {**os.environ, "PORTAL_ENV": "testing", "SECRET_KEY": uuid.uuid4().hex * 2,
           "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}", "UPLOAD_DIR": str(scratch / "uploads"),
           "MAX_UPLOAD_MB": "12", "MAIL_BACKEND": "locmem", "RATELIMIT_ENABLED": "0",
           "ARGON2_MEMORY_COST": "8192", "TMPDIR": str(scratch)}
    size = int(args.size_mb * 1024 * 1024)
    data = big_pdf(size) if args.kind == "pdf" else big_png(size)
    small = big_pdf(50_000) if args.kind == "pdf" else big_png(50_000)
    prepare(env)
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.PIPE)
    try:
        worker = worker_pid(server.pid)
        client = Client(port)
        for _ in range(100):
            try:
                client.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        client.login()
        extension = args.kind
        client.upload(small, f"warm-up.{extension}")  # imports pypdf/Pillow, fills caches
        client.upload(small, f"warm-up-2.{extension}")
        before = memory(worker)
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on
        reset = memory(worker)
        sent, seconds = 0, 0.0
        timings = []
        for n in range(args.uploads):
            length, elapsed = client.upload(data, f"scan-{n}.{extension}")
            sent += length
            seconds += elapsed
            timings.append(elapsed)
        after = memory(worker)
        stored = [p for p in (scratch / "uploads").rglob("*") if p.is_file()]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(scratch, ignore_errors=True)

    growth_mb = (after["VmHWM"] - reset["VmRSS"]) / 1024
    print(f"command: {' '.join(command)}  (bench: python -m bench.upload_memory --uploads {args.uploads} "
          f"--size-mb {args.size_mb:g} --kind {args.kind})")
    print(f"file: {args.kind.upper()} {len(data) / 1048576:.2f} MB x {args.uploads} uploads "
          f"(each replaces the previous one; {len(stored)} file(s) stored at the end)")
    print(f"worker {worker}: VmRSS before {before['VmRSS'] / 1024:.1f} MB (after warm-up), "
          f"VmHWM reset to {reset['VmHWM'] / 1024:.1f} MB; after: VmRSS {after['VmRSS'] / 1024:.1f} MB, "
          f"VmHWM {after['VmHWM'] / 1024:.1f} MB")
    print(f"peak RSS growth: {growth_mb:.1f} MB (target <= 15 MB) -> {'OK' if growth_mb <= 15 else 'OVER'}")
    print(f"throughput: {sent / 1048576 / seconds:.1f} MB/s over {args.uploads} uploads "
          f"(per upload: min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms; "
          "includes the checks and storing)")


if __name__ == "__main__":
    main()
    sys.exit(0)
