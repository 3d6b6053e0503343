"""Synthetic submitted applications, for trying the office's list at the size of a real season
(``flask --app wsgi seed-demo --applications 100000``) and for bench/office_list.py.

Why it is shaped this way: a hundred thousand applications through the ORM, one object and one
flush at a time, would take many minutes; here each batch of applicants and of applications goes
in with one COPY on PostgreSQL (psycopg's copy protocol; the applicants' ids are reserved from
their sequence first) and one executemany elsewhere, so 100,000 take seconds. The data look
like a season's: statuses, citizenships, tracks and languages drawn with realistic weights,
submissions spread over the intake's weeks and busier towards the present, references numbered
by the intake's own counter (reserved in one UPDATE), unique passport numbers. The applicants'
accounts cannot log in (their password hash is not a hash). No documents, events or e-mails.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import JSON, Table, func, insert, select, update

from portal.database import utcnow
from portal.extensions import db
from portal.models import STAFF_ROLES, Application, Intake, Programme, Status, User
from portal.models.status import DECIDED

NO_PASSWORD = "!synthetic-account-cannot-log-in"  # noqa: S105 (not a hash: verification always fails)
BATCH = 5000

STATUS_WEIGHTS = {Status.SUBMITTED: 30, Status.UNDER_REVIEW: 24, Status.ACTION_REQUIRED: 8, Status.INTERVIEW: 10,
                  Status.ACCEPTED: 12, Status.REJECTED: 8, Status.WAITLISTED: 4, Status.WITHDRAWN: 4}
STEPS_DONE = ("programme", "personal", "passport", "contact", "education")
# Citizenship: weight, and the pool of names used for it.
COUNTRIES = {
    "IN": (18, "south_asia"), "PK": (9, "south_asia"), "BD": (3, "south_asia"), "NP": (2, "south_asia"),
    "NG": (9, "africa"), "GH": (2, "africa"), "KE": (2, "africa"), "SD": (2, "arabic"), "EG": (5, "arabic"),
    "IQ": (6, "arabic"), "SY": (3, "arabic"), "JO": (2, "arabic"), "MA": (2, "arabic"), "IR": (8, "persian"),
    "TR": (7, "turkic"), "TM": (5, "turkic"), "UZ": (4, "turkic"), "KZ": (2, "turkic"), "RU": (4, "slavic"),
    "UA": (1, "slavic"), "GE": (2, "caucasus"), "KG": (1, "turkic"), "TJ": (1, "persian"), "LK": (1, "south_asia"),
    "CN": (1, "east_asia"),
}
NAMES = {
    "south_asia": (("SHARMA", "KHAN", "PATEL", "SINGH", "REDDY", "AHMED", "HUSSAIN", "GUPTA", "RAO", "IQBAL",
                    "CHOWDHURY", "MALIK", "NAIR", "JOSHI"),
                   ("ANANYA", "ARJUN", "AYESHA", "BILAL", "DEEPAK", "FATIMA", "HAMZA", "PRIYA", "RAHUL", "SANA",
                    "VIKRAM", "ZARA", "MEERA", "ADNAN")),
    "africa": (("OKAFOR", "ADEYEMI", "MENSAH", "OTIENO", "BELLO", "OKONKWO", "ASANTE", "KAMAU", "EZE", "ABUBAKAR"),
               ("CHIDI", "AMARA", "KWAME", "NGOZI", "TUNDE", "AISHA", "KOFI", "WANJIRU", "EMEKA", "HALIMA")),
    "arabic": (("HASSAN", "ALI", "MAHMOUD", "IBRAHIM", "AL RASHID", "SALEH", "NASSER", "HADDAD", "YOUSSEF",
                "OMAR", "AL AMIN", "MANSOUR"),
               ("AHMED", "MARYAM", "OMAR", "LAYLA", "YOUSEF", "NOUR", "KHALID", "HUDA", "TAREK", "SALMA", "ZAID")),
    "persian": (("RAHIMI", "HOSSEINI", "KARIMI", "MOHAMMADI", "AHMADI", "REZAEI", "JAFARI", "SADEGHI", "MORADI"),
                ("FARID", "NEGAR", "REZA", "SHIRIN", "DARIUS", "PARISA", "KAVEH", "MINA", "SAMAN", "LEILA")),
    "turkic": (("YILMAZ", "KAYA", "DEMIR", "ATAYEV", "KARIMOV", "NURLANOV", "ORAZOV", "SAHIN", "TURSUNOV",
                "ALIYEVA", "BERDIYEV"),
               ("EMRE", "AYSEL", "MERAL", "BATYR", "DILNOZA", "TIMUR", "AIGERIM", "SERDAR", "ZEYNEP", "OGUZ")),
    "slavic": (("PETROVA", "IVANOV", "SMIRNOVA", "KOVALENKO", "VOLKOV", "MOROZOVA", "SOKOLOV", "POPOVA"),
               ("OLGA", "DMITRY", "ANNA", "SERGEI", "MARIA", "ALEXEI", "IRINA", "PAVEL", "DARIA")),
    "caucasus": (("BERIDZE", "KAPANADZE", "GELASHVILI", "MAISURADZE", "LOMIDZE"),
                 ("NINO", "GIORGI", "TAMAR", "LEVAN", "ANA", "DAVIT")),
    "east_asia": (("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG"), ("WEI", "FANG", "JING", "LEI", "MIN", "HAO")),
}
PROGRAMME_WEIGHTS = {"general-medicine": 50, "dentistry": 25, "pharmacy": 15, "public-health": 10}
LANGUAGE_WEIGHTS = {"en": 62, "ru": 28, "az": 10}


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed_applications(count: int, *, intake: Intake, rng: random.Random | None = None) -> int:
    """Add ``count`` submitted applications (and their applicants' accounts) to ``intake``."""
    rng = rng or random.Random()  # noqa: S311 (synthetic data, not secrets)
    programmes = {p.code: (p.id, p.language_codes) for p in db.session.scalars(select(Programme))}
    if not programmes:
        raise ValueError("no programmes: seed the reference data first")
    officers = list(db.session.scalars(select(User.id).where(User.role.in_(sorted(STAFF_ROLES)))))
    last = db.session.execute(update(Intake).where(Intake.id == intake.id)
                              .values(last_reference=Intake.last_reference + count)
                              .returning(Intake.last_reference)).scalar_one()
    first_number = last - count + 1
    now = utcnow()
    window = max(now - max(intake.opens_at, now - timedelta(days=150)), timedelta(days=1))
    run = secrets.token_hex(4)
    for start in range(0, count, BATCH):
        numbers = range(first_number + start, first_number + min(start + BATCH, count))
        accounts = [{"email": f"applicant.{run}.{n}@synthetic.example.org", "password_hash": NO_PASSWORD,
                     "role": "applicant", "locale": rng.choice(("en", "en", "ru", "az")),
                     "email_verified_at": now, "active": True, "session_token": secrets.token_urlsafe(32),
                     "failed_login_count": 0, "created_at": now, "updated_at": now} for n in numbers]
        ids = _insert(User.__table__, accounts, returning_ids=True)
        rows = [_application(rng, intake, n, applicant_id, programmes, officers, now, window)
                for n, applicant_id in zip(numbers, ids, strict=True)]
        _insert(Application.__table__, rows)
    return count


def _insert(table: Table, rows: list[dict], returning_ids: bool = False) -> list[int]:
    """Many rows at once: COPY on PostgreSQL, executemany elsewhere; the new ids if asked."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        if returning_ids:
            return list(connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                           rows).scalars())
        connection.execute(insert(table), rows)
        return []
    ids: list[int] = []
    if returning_ids:
        sequence = func.pg_get_serial_sequence(table.name, "id")
        ids = list(connection.execute(select(func.nextval(sequence)).select_from(
            func.generate_series(1, len(rows)))).scalars())
        rows = [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)]
    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[n]) if n in as_json else row[n] for n in names])
    return ids


def _application(rng, intake, number, applicant_id, programmes, officers, now, window) -> dict:
    citizenship = _weighted(rng, {code: w for code, (w, _pool) in COUNTRIES.items()})
    surnames, given = NAMES[COUNTRIES[citizenship][1]]
    weights = {code: PROGRAMME_WEIGHTS.get(code, 5) for code in programmes}
    programme_id, languages = programmes[_weighted(rng, weights)]
    language = _weighted(rng, {lang: w for lang, w in LANGUAGE_WEIGHTS.items() if lang in languages} or {"en": 1})
    # Busier towards the present: the square root pulls the draws to the end of the window.
    submitted = now - window * (1 - rng.random() ** 0.5)
    age_days = (now - submitted).days
    status = Status.SUBMITTED if age_days < 2 and rng.random() < 0.8 else _weighted(rng, STATUS_WEIGHTS)
    born = now.date() - timedelta(days=rng.randint(17 * 365, 24 * 365))
    first, second = rng.choice(given), rng.choice(given)
    return {
        "reference": f"{intake.code}-{number:06d}", "applicant_id": applicant_id, "intake_id": intake.id,
        "status": status, "version": 1, "completed_steps": list(STEPS_DONE),
        "reopened_steps": [], "flagged_duplicate": rng.random() < 0.01, "submitted_at": submitted,
        "decided_at": min(submitted + timedelta(days=rng.randint(3, 30)), now) if status in DECIDED else None,
        "declarations_accepted_at": submitted,
        "assigned_officer_id": rng.choice(officers) if officers and (status != Status.SUBMITTED or rng.random() < 0.3)
        else None,
        "programme_id": programme_id, "instruction_language": language,
        "surname": rng.choice(surnames), "given_names": first if rng.random() < 0.6 or first == second
        else f"{first} {second}",
        "sex": rng.choice("FM"), "date_of_birth": born, "place_of_birth": "Capital City", "citizenship": citizenship,
        "passport_number": f"{citizenship}{number:07d}", "passport_country": citizenship,
        "passport_issued_on": now.date() - timedelta(days=rng.randint(100, 1500)),
        "passport_expires_on": now.date() + timedelta(days=rng.randint(1200, 3000)),
        "phone": f"+99450{rng.randint(1000000, 9999999)}", "address": f"{rng.randint(1, 200)} Main Street",
        "city": "Capital City", "country": citizenship, "emergency_name": f"{rng.choice(given)} {rng.choice(surnames)}",
        "emergency_phone": f"+99455{rng.randint(1000000, 9999999)}", "school_name": "Secondary School No. 1",
        "school_country": citizenship, "graduation_year": now.year - rng.randint(0, 2),
        "certificate_number": f"SC-{number:07d}", "grade_scale": "100",
        "biology_grade": Decimal(rng.randint(60, 100)), "chemistry_grade": Decimal(rng.randint(60, 100)),
        "language_certificate": "none", "created_at": submitted - timedelta(days=rng.randint(1, 20)),
        "updated_at": submitted,
    }
