"""Synthetic passport data pages for the MRZ bench and tests: a TD3 page (125 x 88 mm at 254 dpi)
with a photo box, the visual zone and a machine-readable zone in OCR-B (Debian's fonts-ocr-b)
with valid check digits, then degraded the way uploads are (rotated up to 3 degrees, scaled
0.6-1.0, mildly blurred, noisy, JPEG quality 60), a third of them as PDFs, half of those with the
scan placed on a white A4 page. Each sample carries what the applicant typed: the truth (names
with their original diacritics or Cyrillic) for most, one field changed for the rest.

Everything follows from the seed, so a failure can be looked at again: ``sample(seed)``.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from portal.uploads.mrz_compare import TypedPassport
from portal.uploads.mrz_format import check_digit

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SANS_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
PAGE = (1250, 880)  # 125 x 88 mm at 254 dpi: the MRZ pitch of 2.54 mm is 25.4 px
PITCH = 25.4
TODAY = date(2026, 12, 1)
CHANGED_SHARE = 0.3

# (surname, given names, MRZ surname, MRZ given names, nationality code, sex)
PEOPLE = [
    ("Məmmədova", "Aysel", "MAMMADOVA", "AYSEL", "AZE", "F"),
    ("Əliyev", "Rəşad Elçin", "ALIYEV", "RASAD ELCIN", "AZE", "M"),
    ("Müller-Lüdenscheidt", "Jürgen", "MUELLER LUEDENSCHEIDT", "JUERGEN", "D", "M"),
    ("Öztürk", "Şükrü Çağlar", "OZTURK", "SUKRU CAGLAR", "TUR", "M"),
    ("Щербакова", "Юлия", "SHCHERBAKOVA", "IULIIA", "RUS", "F"),
    ("Жуков", "Харитон", "ZHUKOV", "KHARITON", "RUS", "M"),
    ("Eriksson", "Anna Maria", "ERIKSSON", "ANNA MARIA", "SWE", "F"),
    ("Øvergård", "Håkon", "OEVERGAARD", "HAAKON", "NOR", "M"),
    ("O'Connor", "Siobhán", "OCONNOR", "SIOBHAN", "GBR", "F"),
    ("El-Sayed", "Mohamed Abdel Rahman", "EL SAYED", "MOHAMED ABDEL RAHMAN", "EGY", "M"),
    ("Nguyễn", "Thị Minh Khai", "NGUYEN", "THI MINH KHAI", "VNM", "F"),
    ("Okonkwo", "Chukwuemeka", "OKONKWO", "CHUKWUEMEKA", "NGA", "M"),
    ("Zhang", "Wei", "ZHANG", "WEI", "CHN", "M"),
    ("Lefèvre", "Hélène", "LEFEVRE", "HELENE", "FRA", "F"),
    ("Venkataraghavan", "Subramaniam Lakshminarayanan", "VENKATARAGHAVAN", "SUBRAMANIAM LAKSHMINARAYANAN",
     "IND", "M"),
    ("de la Santísima Trinidad", "María de los Ángeles", "DE LA SANTISIMA TRINIDAD", "MARIA DE LOS ANGELES",
     "ESP", "F"),
    ("Tursunov", "Jasur", "TURSUNOV", "JASUR", "UZB", "M"),
    ("Nurlanqyzy", "Aigerim", "NURLANQYZY", "AIGERIM", "KAZ", "F"),
    ("Hosseini", "Zahra", "HOSSEINI", "ZAHRA", "IRN", "F"),
    ("Kowalczyk", "Łukasz", "KOWALCZYK", "LUKASZ", "POL", "M"),
]
NATIONALITY_ALPHA2 = {"AZE": "AZ", "D": "DE", "TUR": "TR", "RUS": "RU", "SWE": "SE", "NOR": "NO", "GBR": "GB",
                      "EGY": "EG", "VNM": "VN", "NGA": "NG", "CHN": "CN", "FRA": "FR", "IND": "IN", "ESP": "ES",
                      "UZB": "UZ", "KAZ": "KZ", "IRN": "IR", "POL": "PL"}
GERMAN = "CFGHJKLMNPRTVWXYZ0123456789"


@dataclass(frozen=True)
class Sample:
    seed: int
    data: bytes
    content_type: str
    line1: str
    line2: str
    truth: TypedPassport
    typed: TypedPassport
    changed: str | None  # the field the applicant typed differently, if any


def samples(count: int, seed: int = 0) -> list[Sample]:
    return [sample(seed * 100_000 + n) for n in range(count)]


def sample(seed: int) -> Sample:
    rng = random.Random(seed)  # noqa: S311  (made-up test data, reproducible from the seed)
    person = rng.choice(PEOPLE)
    truth, line1, line2 = passport(rng, person)
    image = degrade(rng, render_page(line1, line2, truth, person, rng))
    data, content_type = encode(rng, image, seed)
    changed = rng.choice(list(CHANGES)) if rng.random() < CHANGED_SHARE else None
    typed = CHANGES[changed](rng, truth) if changed else truth
    return Sample(seed, data, content_type, line1, line2, truth, typed, changed)


def passport(rng: random.Random, person: tuple) -> tuple[TypedPassport, str, str]:
    surname, given, mrz_surname, mrz_given, code, sex = person
    number = document_number(rng)
    birth = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    expiry = TODAY + timedelta(days=rng.randrange(60, 365 * 10))
    optional = rng.choice(["", "", "".join(rng.choices("0123456789", k=rng.choice([7, 10, 14])))])
    line1 = mrz_line1(code, mrz_surname, mrz_given)
    line2 = mrz_line2(number, code, birth, sex, expiry, optional)
    truth = TypedPassport(passport_number=number, surname=surname, given_names=given,
                          nationality=NATIONALITY_ALPHA2[code], date_of_birth=birth, sex=sex, expires_on=expiry)
    return truth, line1, line2


def document_number(rng: random.Random) -> str:
    """Numbers as states write them: digits only, a letter or two and digits, or (as Germany) a
    mix of digits and consonants."""
    digits = "0123456789"
    shape = rng.choices(["digits", "letter", "letters", "mixed"], weights=[30, 35, 20, 15])[0]
    if shape == "digits":
        return "".join(rng.choices(digits, k=9))
    if shape == "letter":
        return rng.choice("ACEFJNPUX") + "".join(rng.choices(digits, k=rng.choice([7, 8])))
    if shape == "letters":
        return "".join(rng.choices("ABCEHKMNPRTX", k=2)) + "".join(rng.choices(digits, k=7))
    return rng.choice("CFGHJK") + "".join(rng.choices(GERMAN, k=8))


def mrz_line1(code: str, surname: str, given: str) -> str:
    names = surname.replace(" ", "<") + "<<" + given.replace(" ", "<")
    return ("P<" + code.ljust(3, "<") + names)[:44].ljust(44, "<")


def mrz_line2(number: str, code: str, birth: date, sex: str, expiry: date, optional: str) -> str:
    number, optional = number.ljust(9, "<"), optional.ljust(14, "<")
    births, expiries = birth.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    line = (number + check_digit(number) + code.ljust(3, "<") + births + check_digit(births) + sex
            + expiries + check_digit(expiries) + optional + check_digit(optional))
    composite = line[0:10] + line[13:20] + line[21:43]
    return line + check_digit(composite)


# --- what the applicant typed differently ---------------------------------------------------

def _other_number(rng: random.Random, t: TypedPassport) -> TypedPassport:
    n = list(t.passport_number)
    at = rng.randrange(1, len(n))
    n[at] = rng.choice([c for c in "0123456789" if c != n[at]])
    return replace(t, passport_number="".join(n))


CHANGES = {
    "passport_number": _other_number,
    "surname": lambda rng, t: replace(t, surname=t.surname[:-2] + t.surname[-1] + t.surname[-2]),
    "given_names": lambda rng, t: replace(t, given_names=rng.choice(["Alexander", "Maria", "Olga", "Kamran"])),
    "nationality": lambda rng, t: replace(t, nationality=rng.choice(["UA", "KG", "TM", "GE"])),
    "date_of_birth": lambda rng, t: replace(t, date_of_birth=t.date_of_birth + timedelta(days=rng.choice([-31, 1]))),
    "sex": lambda rng, t: replace(t, sex="F" if t.sex == "M" else "M"),
    "expires_on": lambda rng, t: replace(t, expires_on=t.expires_on + timedelta(days=rng.choice([10, 365, -1]))),
}


# --- the page -------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def mrz_font() -> ImageFont.FreeTypeFont:
    """OCR-B at the size whose glyphs are 2.54 mm apart."""
    probe = font(OCR_B, 100)
    return font(OCR_B, round(100 * PITCH / probe.getlength("<")))


def render_page(line1: str, line2: str, truth: TypedPassport, person: tuple, rng: random.Random) -> Image.Image:
    tint = tuple(rng.randrange(226, 246) for _ in range(3))
    page = Image.new("RGB", PAGE, tint)
    draw = ImageDraw.Draw(page)
    _guilloche(draw, rng, tint)
    draw.text((380, 30), "PASSPORT  PASSEPORT  ПАСПОРТ", font=font(SANS_BOLD, 30), fill=(40, 40, 90))
    _photo(draw, rng)
    rows = [("Type / Code / Passport No.", f"P   {person[4]}   {truth.passport_number}"),
            ("Surname", f"{truth.surname} / {person[2]}"), ("Given names", f"{truth.given_names} / {person[3]}"),
            ("Nationality", person[4]), ("Date of birth", truth.date_of_birth.strftime("%d %b %Y").upper()),
            ("Sex", truth.sex), ("Date of expiry", truth.expires_on.strftime("%d %b %Y").upper())]
    for n, (label, value) in enumerate(rows):
        draw.text((380, 95 + n * 68), label, font=font(SANS, 17), fill=(70, 70, 110))
        draw.text((380, 116 + n * 68), value, font=font(SANS, 27), fill=(25, 25, 35))
    ink = (rng.randrange(0, 40),) * 3
    for n, line in enumerate((line1, line2)):
        for i, char in enumerate(line):
            draw.text((62 + i * PITCH, 752 + n * 50), char, font=mrz_font(), fill=ink)
    return page


def _guilloche(draw: ImageDraw.ImageDraw, rng: random.Random, tint: tuple) -> None:
    colour = tuple(max(0, c - rng.randrange(18, 35)) for c in tint)
    phase, period = rng.random() * 6.28, rng.randrange(120, 260)
    for k in range(0, 720, 24):
        points = [(x, k + 30 * math.sin(x / period * 6.28 + phase + k / 90)) for x in range(0, PAGE[0], 10)]
        draw.line(points, fill=colour, width=1)


def _photo(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    grey = rng.randrange(120, 200)
    draw.rectangle((40, 100, 340, 500), fill=(grey, grey, grey + 20))
    skin = (rng.randrange(120, 230), rng.randrange(90, 180), rng.randrange(70, 150))
    draw.ellipse((110, 160, 270, 380), fill=skin)
    draw.rectangle((80, 380, 300, 500), fill=(rng.randrange(20, 90),) * 3)
    draw.line([(420, 650), (480, 610), (520, 660), (600, 620)], fill=(20, 20, 80), width=3)


# --- the upload -----------------------------------------------------------------------------

def degrade(rng: random.Random, page: Image.Image) -> Image.Image:
    scale = rng.uniform(0.6, 1.0)
    image = page.resize((round(PAGE[0] * scale), round(PAGE[1] * scale)), Image.Resampling.LANCZOS)
    border = round(40 * scale)
    framed = Image.new("RGB", (image.width + 2 * border, image.height + 2 * border), (250, 250, 250))
    framed.paste(image, (border, border))
    image = framed.rotate(rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, expand=True,
                          fillcolor=(250, 250, 250))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.9)))
    return add_noise(image, rng.uniform(3, 9), rng)


def add_noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, sigma, pixels.shape[:2])
    return Image.fromarray(np.clip(pixels + noise[..., None], 0, 255).astype(np.uint8))


def encode(rng: random.Random, image: Image.Image, seed: int) -> tuple[bytes, str]:
    out = io.BytesIO()
    kind = seed % 3
    if kind == 0:
        dpi = 254 * image.width / PAGE[0]
        if rng.random() < 0.5:
            a4 = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), (255, 255, 255))
            a4.paste(image, (round(0.6 * dpi), round(0.8 * dpi)))
            image = a4
        image.save(out, "PDF", resolution=dpi, quality=75)
        return out.getvalue(), "application/pdf"
    if rng.random() < 0.25:
        image.save(out, "PNG")
        return out.getvalue(), "image/png"
    image.save(out, "JPEG", quality=60)
    return out.getvalue(), "image/jpeg"
