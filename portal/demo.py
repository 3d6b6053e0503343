"""Demo data for ``flask --app wsgi seed-demo``: every function is idempotent (it looks rows up
by their natural key first) and returns a line to print per thing it created or found."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Application,
    DocumentType,
    Inquiry,
    Intake,
    InterviewSlot,
    Notice,
    NoticeTranslation,
    Programme,
    ProgrammeLanguage,
)
from portal.services import accounts, applications, interview_times, submission
from portal.services.intakes import intake_is_open

DEMO_ACCOUNTS = (
    ("officer@demo.example.org", "officer", "Officer tulip harbour 2027"),
    ("admin@demo.example.org", "admin", "Admin cedar lantern 2027"),
    ("applicant@demo.example.org", "applicant", "Applicant river compass 2027"),
)

PROGRAMMES = (
    # code, en, ru, az, languages of instruction
    ("general-medicine", "General Medicine", "Лечебное дело", "Müalicə işi", ("en", "ru", "az")),
    ("dentistry", "Dentistry", "Стоматология", "Stomatologiya", ("en", "ru", "az")),
    ("pharmacy", "Pharmacy", "Фармация", "Əczaçılıq", ("en", "ru")),
    ("public-health", "Public Health", "Общественное здравоохранение", "İctimai səhiyyə", ("en", "az")),
)

DOCUMENT_TYPES = (
    # code, requirement, condition, en, ru, az
    ("passport", "required", None, "Passport (photo page)", "Паспорт (страница с фотографией)",
     "Pasport (şəkilli səhifə)"),
    ("school-certificate", "required", None, "Secondary school certificate",
     "Аттестат о среднем образовании", "Orta təhsil haqqında attestat"),
    ("transcript", "required", None, "Transcript of grades", "Приложение с оценками", "Qiymət cədvəli"),
    ("notarised-translation", "required", None, "Notarised translation of certificate and transcript",
     "Нотариально заверенный перевод аттестата и приложения",
     "Attestatın və qiymət cədvəlinin notarial qaydada təsdiqlənmiş tərcüməsi"),
    ("medical-certificate", "required", None, "Medical certificate (general health)",
     "Медицинская справка (общее состояние здоровья)", "Tibbi arayış (ümumi sağlamlıq)"),
    ("hiv-hepatitis", "required", None, "HIV and hepatitis test results",
     "Результаты анализов на ВИЧ и гепатит", "HİV və hepatit analizlərinin nəticələri"),
    ("photo", "required", None, "Photo 3x4 cm", "Фотография 3x4 см", "Foto 3x4 sm"),
    ("birth-certificate", "conditional", "under_18", "Birth certificate (required only under 18)",
     "Свидетельство о рождении (только для лиц младше 18 лет)",
     "Doğum haqqında şəhadətnamə (yalnız 18 yaşdan kiçiklər üçün)"),
    ("language-certificate", "optional", None, "Language certificate", "Языковой сертификат",
     "Dil sertifikatı"),
    ("interview-fee-receipt", "conditional", "interview", "Interview fee receipt",
     "Квитанция об оплате собеседования", "Müsahibə haqqının ödənişi barədə qəbz"),
)


def demo_intake() -> Intake:
    """An intake open now (whenever the demo is run): it opened a month ago, closes in six months."""
    now = utcnow()
    start = (now + timedelta(days=270)).date().replace(day=15)
    return Intake(code=f"FC{start.year % 100:02d}", name=f"Foundation Course {start.year}/{start.year + 1}",
                  opens_at=(now - timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0),
                  closes_at=datetime.combine(start - timedelta(days=75), time(20, 0), tzinfo=UTC),
                  course_starts_on=start, interview_required=True, interview_fee_amount=100,
                  interview_fee_currency="AZN", interview_fee_instructions=(
                      "Pay 100 AZN by bank transfer to the university's account AZ00 DEMO 0000 0000 0000 "
                      "0000 0000 (Demo Bank, Baku), with your reference number as the payment's purpose. "
                      "Then upload the bank's receipt."))


def seed_accounts() -> list[str]:
    lines = []
    for email, role, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(email, password, role=role, verified=True)
            state = "created"
        else:
            state = "exists, password unchanged"
        lines.append(f"  {role:<10} {email:<30} {password}   ({state})")
    return lines


def seed_reference_data() -> list[str]:
    lines = []
    intake = demo_intake()
    if db.session.scalar(select(Intake).where(Intake.code == intake.code)) is None:
        db.session.add(intake)
        lines.append(f"  intake {intake.code} {intake.name} (created)")
    for position, (code, en, ru, az, languages) in enumerate(PROGRAMMES):
        if db.session.scalar(select(Programme).where(Programme.code == code)) is None:
            db.session.add(Programme(code=code, name_en=en, name_ru=ru, name_az=az, position=position,
                                     languages=[ProgrammeLanguage(language=lang) for lang in languages]))
            lines.append(f"  programme {en} (created)")
    for position, (code, requirement, condition, en, ru, az) in enumerate(DOCUMENT_TYPES):
        if db.session.scalar(select(DocumentType).where(DocumentType.code == code)) is None:
            db.session.add(DocumentType(code=code, requirement=requirement, condition=condition,
                                        name_en=en, name_ru=ru, name_az=az, position=position))
            lines.append(f"  document type {en} (created)")
    return lines


# --- the public site: notices and inquiries ------------------------------------------------

DEMO_NOTICES = (
    # slug, kind, pinned, days ago, {locale: (title, summary, body)}
    ("admission-of-international-applicants-has-started", "announcement", True, 3, {
        "en": ("Admission process of international applicants to the Foundation Course has started",
               "Admission of international applicants to the Foundation Course for the 2027/2028 "
               "academic year has started according to the new rules. "
               "Applications are accepted through this portal only.",
               "Admission of international applicants to the **Foundation Course** has started "
               "according to the new rules.\n\n## How to apply\n\n"
               "1. Create an account on this portal and verify your e-mail address.\n"
               "2. Choose the language of instruction (English, Russian or Azerbaijani) "
               "and the faculty track.\n"
               "3. Upload scans of your documents and submit the application.\n"
               "4. After the documents are checked, pay the interview fee and book an online interview.\n\n"
               "The university works with **no recruiting agents**. The full rules are on the page "
               "[For foreign students](/foreign-students)."),
        "ru": ("Начался приём иностранных абитуриентов на подготовительный курс",
               "По новым правилам начался приём иностранных абитуриентов на подготовительный курс "
               "на 2027/2028 учебный год. Заявления принимаются только через "
               "этот портал.",
               "По новым правилам начался приём иностранных абитуриентов на **подготовительный курс**."
               "\n\n## Как подать заявление\n\n"
               "1. Создайте учётную запись на этом портале и подтвердите адрес электронной почты.\n"
               "2. Выберите язык обучения (английский, русский или азербайджанский) и направление.\n"
               "3. Загрузите сканы документов и отправьте заявление.\n"
               "4. После проверки документов оплатите собеседование и запишитесь на онлайн-собеседование.\n\n"
               "Университет **не работает с агентами**. Полные правила — на странице "
               "[Иностранным студентам](/foreign-students)."),
        "az": ("Əcnəbi abituriyentlərin Hazırlıq kursuna qəbul prosesi başlanıb",
               "Yeni qaydalara əsasən əcnəbi abituriyentlərin 2027/2028-ci tədris "
               "ili üçün Hazırlıq kursuna qəbulu başlanıb. Ərizələr yalnız bu portal vasitəsilə "
               "qəbul olunur.",
               "Yeni qaydalara əsasən əcnəbi abituriyentlərin **Hazırlıq kursuna** qəbulu başlanıb."
               "\n\n## Necə müraciət etməli\n\n"
               "1. Bu portalda hesab yaradın və e-poçt ünvanınızı təsdiqləyin.\n"
               "2. Tədris dilini (ingilis, rus və ya Azərbaycan dili) və ixtisas istiqamətini seçin.\n"
               "3. Sənədlərinizin skan nüsxələrini yükləyin və ərizəni göndərin.\n"
               "4. Sənədlər yoxlanıldıqdan sonra müsahibə haqqını ödəyin və onlayn müsahibəyə yazılın.\n\n"
               "Universitet **heç bir vasitəçi agentlə işləmir**. Tam qaydalar "
               "[Əcnəbi tələbələr üçün](/foreign-students) səhifəsindədir."),
    }),
    ("online-interviews-for-the-first-applicants", "news", False, 6, {
        "en": ("Online interviews for the first applicants",
               "The first applicants whose documents were accepted can now book an online interview.",
               "Applicants whose documents have been accepted will find the interview slots on their "
               "application page. The interview covers school-level biology, chemistry and physics "
               "and a short check of the language of instruction.\n\nPlease test your camera and "
               "microphone before the interview."),
        "ru": ("Онлайн-собеседования для первых абитуриентов",
               "Первые абитуриенты, чьи документы приняты, уже могут записаться на онлайн-собеседование.",
               "Абитуриенты, чьи документы приняты, найдут время собеседований на странице своего "
               "заявления. Собеседование охватывает биологию, химию и физику в объёме школьной "
               "программы и короткую проверку языка обучения.\n\nПожалуйста, проверьте камеру и "
               "микрофон заранее."),
        "az": ("İlk abituriyentlər üçün onlayn müsahibələr",
               "Sənədləri qəbul edilmiş ilk abituriyentlər artıq onlayn müsahibəyə yazıla bilərlər.",
               "Sənədləri qəbul edilmiş abituriyentlər müsahibə vaxtlarını ərizə səhifəsində tapacaqlar. "
               "Müsahibə məktəb səviyyəsində biologiya, kimya və fizika, həmçinin tədris dilinin qısa "
               "yoxlanışını əhatə edir.\n\nZəhmət olmasa, kamera və mikrofonu əvvəlcədən yoxlayın."),
    }),
    ("foundation-course-final-exams", "news", False, 12, {
        "en": ("Foundation Course students passed their final exams",
               "Students of the Foundation Course from twelve countries passed their final exams and "
               "continue in the first year of their faculties.",
               "This year's Foundation Course students came from twelve countries. After six months "
               "of language, medical physics, chemistry and biology they passed their final exams and "
               "start the first year of general medicine, dentistry and pharmacy."),
        "ru": ("Слушатели подготовительного курса сдали выпускные экзамены",
               "Слушатели подготовительного курса из двенадцати стран сдали выпускные экзамены и "
               "продолжают учёбу на первом курсе своих факультетов.",
               "В этом году на подготовительном курсе учились студенты из двенадцати стран. После "
               "шести месяцев языка, медицинской физики, химии и биологии они сдали выпускные экзамены "
               "и начинают первый курс лечебного дела, стоматологии и фармации."),
        "az": ("Hazırlıq kursunun tələbələri buraxılış imtahanlarını verdilər",
               "On iki ölkədən olan Hazırlıq kursu tələbələri buraxılış imtahanlarını verib fakültələrinin "
               "birinci kursunda təhsillərini davam etdirirlər.",
               "Bu il Hazırlıq kursunda on iki ölkədən tələbələr oxuyub. Altı ay dil, tibbi fizika, kimya "
               "və biologiya dərslərindən sonra onlar buraxılış imtahanlarını verib müalicə işi, "
               "stomatologiya və əczaçılıq ixtisaslarının birinci kursuna başlayırlar."),
    }),
    # Only English and Russian: Azerbaijani visitors see it in English, with a note.
    ("visa-invitation-letters", "news", False, 20, {
        "en": ("Invitation letters for the study visa",
               "Accepted applicants who need a visa receive the invitation letter through the portal.",
               "Accepted applicants whose citizenship requires a visa receive an invitation letter for "
               "the study visa on their application page, together with the admission letter. Every "
               "letter carries a code that the embassy can check on this portal."),
        "ru": ("Приглашения для учебной визы",
               "Принятые абитуриенты, которым нужна виза, получают приглашение через портал.",
               "Принятые абитуриенты, гражданство которых требует визы, получают приглашение для "
               "учебной визы на странице своего заявления вместе с письмом о зачислении. На каждом "
               "письме есть код, который посольство может проверить на этом портале."),
    }),
    ("interviews-with-our-doctors-mammologist", "article", False, 9, {
        "en": ("Interviews with our doctors: a consultation with the clinic's leading mammologist",
               "The leading physician of the university clinic's breast health unit on early "
               "examination and what students learn in her department.",
               "*Interviews with our Doctors* introduces the physicians who will teach you.\n\n"
               "## Why is early examination so important?\n\n"
               "Most breast diseases found early are treated successfully. A yearly examination, and "
               "from the age of forty a mammogram, make the difference.\n\n"
               "## What do students see in your department?\n\n"
               "From the third year, students take part in consultations, learn the clinical "
               "examination and read ultrasound and mammography images with us.\n\n"
               "> Medicine is learnt at the patient's side, not only from books."),
        "ru": ("Интервью с нашими врачами: консультация ведущего маммолога клиники",
               "Ведущий врач отделения маммологии университетской клиники о раннем обследовании и о "
               "том, чему студенты учатся в её отделении.",
               "*Интервью с нашими врачами* знакомит вас с теми, кто будет вас учить.\n\n"
               "## Почему так важно раннее обследование?\n\n"
               "Большинство заболеваний молочной железы, выявленных рано, успешно лечатся. Ежегодный "
               "осмотр, а после сорока лет — маммография, решают многое.\n\n"
               "## Что студенты видят в вашем отделении?\n\n"
               "С третьего курса студенты участвуют в консультациях, учатся клиническому осмотру и "
               "вместе с нами читают снимки УЗИ и маммографии.\n\n"
               "> Медицине учатся у постели больного, а не только по книгам."),
        "az": ("Həkimlərimizlə müsahibələr: klinikanın aparıcı mammoloqunun məsləhəti",
               "Universitet klinikasının mammologiya şöbəsinin aparıcı həkimi erkən müayinə və "
               "tələbələrin şöbədə nə öyrəndikləri barədə.",
               "*Həkimlərimizlə müsahibələr* sizə dərs deyəcək həkimləri tanıdır.\n\n"
               "## Erkən müayinə niyə bu qədər vacibdir?\n\n"
               "Erkən aşkar edilən süd vəzi xəstəliklərinin əksəriyyəti uğurla müalicə olunur. İllik "
               "müayinə, qırx yaşdan sonra isə mammoqrafiya çox şeyi həll edir.\n\n"
               "## Tələbələr şöbənizdə nə görürlər?\n\n"
               "Üçüncü kursdan tələbələr məsləhətlərdə iştirak edir, klinik müayinəni öyrənir və bizimlə "
               "birlikdə USM və mammoqrafiya şəkillərini oxuyurlar.\n\n"
               "> Tibb kitablardan deyil, xəstənin yanında öyrənilir."),
    }),
)

DEMO_INQUIRIES = (
    # kind, status, name, email, country, locale, subject, body
    ("contact", "new", "Amina Yusuf", "amina.yusuf@example.com", "NG", "en",
     "Translation of my school certificate",
     "Good afternoon. My school certificate is in English. Do I still need a notarised translation, "
     "or is a scan of the original enough? Thank you."),
    ("rector", "in_progress", "Рахим Каримов", "rahim.karimov@example.com", "UZ", "ru",
     "Общежитие для студентов подготовительного курса",
     "Уважаемый ректор! Прошу сообщить, предоставляется ли общежитие студентам подготовительного "
     "курса и можно ли забронировать место до приезда. С уважением, Рахим Каримов."),
)


def seed_notices() -> list[str]:
    officer = accounts.find_by_email(DEMO_ACCOUNTS[0][0])
    lines = []
    for slug, kind, pinned, days_ago, texts in DEMO_NOTICES:
        if db.session.scalar(select(Notice).where(Notice.slug == slug)) is not None:
            continue
        db.session.add(Notice(
            slug=slug, kind=kind, pinned=pinned, published=True,
            publish_at=utcnow() - timedelta(days=days_ago), author_id=officer.id if officer else None,
            translations=[NoticeTranslation(locale=code, title=title, summary=summary, body=body)
                          for code, (title, summary, body) in texts.items()]))
        lines.append(f"  {kind} {slug} (created)")
    return lines


def seed_inquiries() -> list[str]:
    lines = []
    for kind, status, name, email, country, locale, subject, body in DEMO_INQUIRIES:
        if db.session.scalar(select(Inquiry).where(Inquiry.email == email, Inquiry.subject == subject)):
            continue
        inquiry = Inquiry(kind=kind, status=status, name=name, email=email, country=country,
                          locale=locale, subject=subject, body=body)
        db.session.add(inquiry)
        db.session.flush()
        inquiry.reference = f"Q{inquiry.created_at:%y}-{inquiry.id:06d}"
        lines.append(f"  inquiry {inquiry.reference} from {email} (created)")
    return lines


DEMO_APPLICANTS = (
    # e-mail, status, surname, given names, citizenship, born, programme, language
    ("farid.rahimi@demo.example.org", "submitted", "RAHIMI", "FARID", "IR", date(2007, 4, 2),
     "general-medicine", "en"),
    ("ananya.sharma@demo.example.org", "submitted", "SHARMA", "ANANYA", "IN", date(2006, 11, 20),
     "dentistry", "en"),
    ("olga.petrova@demo.example.org", "submitted", "PETROVA", "OLGA", "RU", date(2008, 1, 9), "pharmacy", "ru"),
)
DEMO_APPLICANT_PASSWORD = "Demo applicant meadow 2027"  # noqa: S105  (printed demo data)


def seed_applications() -> list[str]:
    """The demo applicant's own draft (two steps done) and three submitted applications."""
    intake = db.session.scalar(select(Intake).where(Intake.code == demo_intake().code))
    lines = []
    own = accounts.find_by_email(DEMO_ACCOUNTS[2][0])
    if own is not None and db.session.scalar(select(Application).where(Application.applicant_id == own.id)) is None:
        draft = applications.start_application(own, intake) if intake_is_open(intake) else None
        if draft is not None:
            _fill(draft, "YILMAZ", "EMRE", "TR", date(2007, 6, 1), "general-medicine", "en")
            draft.completed_steps = ["programme", "personal"]
            lines.append(f"  application draft for {own.email} (created)")
    for email, status, surname, given, country, born, programme, language in DEMO_APPLICANTS:
        if accounts.find_by_email(email) is not None:
            continue
        user = accounts.create_user(email, DEMO_APPLICANT_PASSWORD, verified=True)
        application = Application(applicant_id=user.id, intake=intake, completed_steps=[], reopened_steps=[])
        db.session.add(application)
        _fill(application, surname, given, country, born, programme, language, complete=True)
        db.session.flush()
        submission.submit(application, user, application.version, missing=[])  # demo data: no documents
        lines.append(f"  application {application.reference} {status} for {email} (created)")
    return lines


def seed_interview_slots() -> list[str]:
    """Slots on the next three weekdays, 10:00 to 12:00 every 30 minutes, in English and Russian."""
    if db.session.scalar(select(InterviewSlot.id).where(InterviewSlot.starts_at > utcnow()).limit(1)):
        return []
    officer = accounts.find_by_email(DEMO_ACCOUNTS[0][0])
    zone = interview_times.institution_zone()
    day, days = utcnow().astimezone(zone).date(), []
    while len(days) < 3:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    for day in days:
        for language in ("en", "ru"):
            for at in interview_times.series(day, time(10, 0), time(12, 0), 30, zone):
                db.session.add(InterviewSlot(starts_at=at, duration_minutes=30, capacity=2, language=language,
                                             meeting_url=f"https://meet.example.org/amu-interview-{language}",
                                             interviewer_id=officer.id if officer else None))
    return [f"  interview slots on {', '.join(d.isoformat() for d in days)} (created)"]


def _fill(application, surname, given, country, born, programme_code, language, complete=False) -> None:
    application.programme = db.session.scalar(select(Programme).where(Programme.code == programme_code))
    application.instruction_language = language
    application.surname, application.given_names, application.sex = surname, given, "F"
    application.date_of_birth, application.place_of_birth = born, "Capital City"
    application.citizenship = country
    if not complete:
        return
    application.passport_number = f"{country}{born:%y%m%d}7"
    application.passport_country = country
    application.passport_issued_on, application.passport_expires_on = date(2024, 2, 1), date(2034, 1, 31)
    application.phone, application.emergency_phone = "+994501234567", "+994551234567"
    application.address, application.city, application.country = "1 Demo Street", "Capital City", country
    application.emergency_name = "Demo Parent"
    application.school_name, application.school_country, application.graduation_year = "Demo School", country, 2026
    application.certificate_number, application.grade_scale = "DEMO-2026-001", "100"
    application.biology_grade, application.chemistry_grade = 92, 87
    application.language_certificate = "none"
    application.completed_steps = ["programme", "personal", "passport", "contact", "education"]
