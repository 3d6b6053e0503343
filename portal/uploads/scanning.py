"""The optional virus scan of uploads: clamd's INSTREAM protocol over its socket, or a
clamscan/clamdscan program. Configured but unable to answer means ScannerDown, so the caller
refuses the upload (fails closed) instead of storing an unchecked file."""

from __future__ import annotations

import logging
import os
import socket
import struct
import subprocess  # noqa: S404  (runs the configured virus scanner, no shell)
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
SCAN_TIMEOUT = 60  # seconds


class Infected(Exception):
    pass


class ScannerDown(Exception):
    pass


@dataclass(frozen=True)
class ScannerSettings:
    clamd_socket: str = ""
    clamscan_path: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.clamd_socket or self.clamscan_path)


def scan(path: Path, scanner: ScannerSettings) -> None:
    """Returns when the file is clean or no scanner is configured; raises Infected, or
    ScannerDown when a configured scanner cannot give an answer (the caller fails closed)."""
    if not scanner.configured:
        return
    try:
        if scanner.clamd_socket:
            verdict = _clamd_instream(scanner.clamd_socket, path)
        else:
            verdict = _clamscan(scanner.clamscan_path, path)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.error("virus scanner unavailable: %s: %s", type(exc).__name__, exc)
        raise ScannerDown(str(exc)) from exc
    if verdict is not None:
        log.warning("upload refused by the virus scanner: %s", verdict)
        raise Infected(verdict)


def _clamscan(program: str, path: Path) -> str | None:
    """clamscan/clamdscan: exit 0 clean, 1 infected, anything else an error."""
    args = [program, "--no-summary"]
    if os.path.basename(program).startswith("clamdscan"):
        args.append("--fdpass")  # clamd may run as another user that cannot read our temp file
    result = subprocess.run([*args, str(path)], capture_output=True, timeout=SCAN_TIMEOUT,  # noqa: S603
                            check=False, text=True)
    if result.returncode == 0:
        return None
    if result.returncode == 1:
        found = [line for line in result.stdout.splitlines() if line.endswith("FOUND")]
        return (found[0].rsplit(":", 1)[-1] if found else "FOUND").strip()
    raise OSError(f"{program} exited with {result.returncode}: {result.stderr.strip()[:200]}")


def _clamd_instream(address: str, path: Path) -> str | None:
    """clamd's INSTREAM command over its socket: a unix socket path, or host:port."""
    if address.startswith("/") or ":" not in address:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = address
    else:
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        target = (host.strip("[]"), int(port))
    with sock:
        sock.settimeout(SCAN_TIMEOUT)
        sock.connect(target)
        sock.sendall(b"zINSTREAM\0")
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("OK"):
        return None
    if answer.endswith("FOUND"):
        return answer.split(":", 1)[-1].removesuffix("FOUND").strip()
    raise OSError(f"clamd answered {answer[:200]!r}")
