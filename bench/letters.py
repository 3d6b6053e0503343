"""How many letters (PDF) can one core render per second? Target: at least 50.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.letters [--letters 500]

Renders admission and visa-invitation letters in turn, half of them bilingual (English with
Azerbaijani or Russian), for applicants whose names vary (Latin, Azerbaijani, Turkish, Cyrillic),
in one process, one thread. Each process prepares its fonts once (portal/letters/fonts.py); that
first letter is timed apart and not counted. The rate is judged on the process's CPU time, which
is one core's work whatever else the machine runs; the wall-clock rate is printed beside it.
The app runs with test settings on an in-memory SQLite database it never touches.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from portal import create_app
from portal.letters import LetterContent, new_code, render_letter

TARGET = 50.0
SURNAMES = ("Məmmədova", "Əliyev", "Иванова", "Öztürk", "Kowalczyk", "Hüseynli", "Петренко", "Nwosu",
            "Qurbanova", "Çelik", "Sharma", "Ağayev", "Смирнов", "Ibrahim", "Şahbazova", "Al-Farsi")
GIVEN_NAMES = ("Gülşən Ayşə", "Rəşad", "Мария", "Emre Can", "Zofia", "Fərid", "Олена", "Chiamaka",
               "Ülviyyə", "Barış", "Priya", "Tural İlqar", "Алексей", "Fatima Zahra", "Nərmin", "Omar")
CITIZENSHIPS = ("Türkiyə", "Russia", "India", "Nigeria", "Poland", "Ukraine", "Egypt", "Kazakhstan")
LANGUAGES = (("en",), ("en", "az"), ("en",), ("en", "ru"))


def make_app(tmp: Path):
    return create_app({
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-the-checks",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "MAIL_BACKEND": "locmem",
        "RATELIMIT_ENABLED": False,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "MAIL_FILE_PATH": str(tmp / "mail"),
    })


def letter(number: int) -> LetterContent:
    code = new_code()
    return LetterContent(
        kind=("admission", "visa_invitation")[number % 2], code=code,
        verify_url=f"https://admission.example.edu/verify/{code}", issued_on=date(2026, 7, 1) + timedelta(number % 60),
        reference=f"AMU-26-{number:06d}", surname=SURNAMES[number % len(SURNAMES)],
        given_names=GIVEN_NAMES[(number * 7) % len(GIVEN_NAMES)], passport_number=f"C{number:08d}",
        citizenship=CITIZENSHIPS[number % len(CITIZENSHIPS)], date_of_birth=date(2006, 1, 1) + timedelta(number % 700),
        programme="Foundation Course (Medicine)", instruction_language=("English", "Russian")[number % 2],
        course_start=date(2026, 9, 15), institution_name="Azerbaijan Medical University",
        institution_address="23 Bakikhanov Street\nBaku AZ1022, Republic of Azerbaijan",
        signatory_name="Leyla Hüseynova", signatory_title="Head of the Admissions Office",
        languages=LANGUAGES[(number // 2) % len(LANGUAGES)])


def measure(letters: list[LetterContent]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, bytes) for rendering every letter once."""
    size = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for content in letters:
        data = render_letter(content)
        if not data.startswith(b"%PDF-"):
            raise SystemExit(f"letter {content.reference} is not a PDF")
        size += len(data)
    return time.perf_counter() - wall, time.process_time() - cpu, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500, help="how many letters to render")
    args = parser.parse_args()
    letters = [letter(number) for number in range(args.letters)]
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            start = time.perf_counter()
            render_letter(letter(0))  # prepares the fonts: once per process
            first = time.perf_counter() - start
            wall, cpu, size = measure(letters)
    rate, wall_rate = len(letters) / cpu, len(letters) / wall
    print(f"first letter (fonts prepared once per process): {first * 1000:.0f} ms")
    print(f"{len(letters)} letters, both kinds, half bilingual: {size / len(letters) / 1024:.1f} KiB on average")
    verdict = "met" if rate >= TARGET else "NOT met"
    print(f"wall clock:          {wall_rate:7.1f} letters/s")
    print(f"CPU of the process:  {rate:7.1f} letters/s   (target >= {TARGET:.0f}: {verdict})")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
