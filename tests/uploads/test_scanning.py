"""The virus-scanner hook: no scanner configured means no scan; a configured scanner that finds a
threat, or cannot answer, refuses the file (fails closed); clamd is spoken to over its socket."""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path

import pytest

from portal import uploads
from tests.builders import files
from tests.uploads.helpers import check, refused


def fake_scanner(folder: Path, body: str) -> str:
    script = folder / "clamscan"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_no_scanner_configured_means_no_scan():
    assert check(files.pdf(), "a.pdf", scanner=uploads.ScannerSettings())[0] == "pdf"


def test_scanner_settings_come_from_the_configuration(app, monkeypatch):
    assert uploads.scanner_settings() == uploads.ScannerSettings()
    monkeypatch.setitem(app.config, "CLAMSCAN_PATH", "/usr/bin/clamdscan")
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", "/run/clamav/clamd.ctl")
    settings = uploads.scanner_settings()
    assert settings.configured and settings == uploads.ScannerSettings(
        clamd_socket="/run/clamav/clamd.ctl", clamscan_path="/usr/bin/clamdscan")


def test_clamscan_clean(tmp_path):
    program = fake_scanner(tmp_path, 'test -s "$2" || exit 2\nexit 0')
    assert check(files.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))[0] == "pdf"


def test_clamscan_infected_is_refused(tmp_path, caplog):
    program = fake_scanner(tmp_path, 'echo "$2: Eicar-Test-Signature FOUND"\nexit 1')
    message = refused(files.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))
    assert "virus scanner found a threat" in message
    assert "Eicar-Test-Signature" in caplog.text


@pytest.mark.parametrize("body", ['echo "ERROR: Can\'t connect to clamd" >&2\nexit 2', None])
def test_scanner_configured_but_down_fails_closed(tmp_path, body):
    program = fake_scanner(tmp_path, body) if body else str(tmp_path / "no-such-scanner")
    message = refused(files.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))
    assert "could not check the file for viruses" in message


class FakeClamd:
    """Speaks clamd's INSTREAM protocol on a unix socket; answers with ``verdict``."""

    def __init__(self, verdict: bytes):
        self.folder = tempfile.mkdtemp(dir="/tmp")  # unix socket paths must stay short
        self.path = f"{self.folder}/clamd.sock"
        self.verdict = verdict
        self.received = b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            assert self._read(conn, 10) == b"zINSTREAM\0"
            while True:
                size = int.from_bytes(self._read(conn, 4), "big")
                if size == 0:
                    break
                self.received += self._read(conn, size)
            conn.sendall(self.verdict)

    def close(self):
        self.server.close()
        Path(self.path).unlink(missing_ok=True)
        Path(self.folder).rmdir()


@pytest.mark.parametrize("verdict, ok", [(b"stream: OK\0", True),
                                         (b"stream: Eicar-Test-Signature FOUND\0", False)])
def test_clamd_socket(verdict, ok):
    clamd = FakeClamd(verdict)
    data = files.pdf(pad_bytes=200_000)
    try:
        scanner = uploads.ScannerSettings(clamd_socket=clamd.path)
        if ok:
            assert check(data, "a.pdf", scanner=scanner)[0] == "pdf"
        else:
            assert "virus scanner found a threat" in refused(data, "a.pdf", scanner=scanner)
        clamd.thread.join(5)
        assert clamd.received == data  # the whole file went to the scanner
    finally:
        clamd.close()


def test_clamd_socket_down_fails_closed(tmp_path):
    scanner = uploads.ScannerSettings(clamd_socket=str(tmp_path / "no-such-clamd.sock"))
    assert "could not check the file for viruses" in refused(files.pdf(), "a.pdf", scanner=scanner)
