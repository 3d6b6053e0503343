"""How a stored file leaves the server for a person who may see it: inline or as a download, with
the same strict headers whoever asks (the office's viewer and an applicant checking their own file):
the content type decided by content at upload, nosniff, no caching, a CSP that lets nothing run,
framing by this site only, and the sanitised name in Content-Disposition."""

from __future__ import annotations

from typing import BinaryIO

from flask import Response, send_file

FILE_CSP = {
    # Images may be opened on their own: nothing may run, nothing may load but the image itself.
    "image": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; "
             "frame-ancestors 'self'",
    # No `sandbox` for PDFs: Chromium and Safari refuse to show a PDF in a sandboxed document.
    # PDFs with JavaScript are refused at upload, and nosniff keeps the type fixed.
    "pdf": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
           "frame-ancestors 'self'",
}

# A page that shows a stored file in a frame (the office's viewer, the application page's split view).
VIEWER_CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
              "frame-src 'self'; object-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
              "form-action 'self'")


def file_response(stream: BinaryIO, *, content_type: str, name: str, image: bool,
                  download: bool = False) -> Response:
    response = send_file(stream, mimetype=content_type, as_attachment=download, download_name=name,
                         conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = FILE_CSP["image" if image else "pdf"]
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
