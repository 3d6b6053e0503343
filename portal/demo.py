"""Demo data for ``flask --app wsgi seed-demo``: every function is idempotent (it looks rows up
by their natural key first) and returns a line to print per thing it created or found."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import DocumentType, Intake, Programme, ProgrammeLanguage
from portal.services import accounts

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
    if db.session.scalar(select(Intake).where(Intake.code == "FC27")) is None:
        db.session.add(Intake(code="FC27", name="Foundation Course 2027/2028",
                              opens_at=datetime(2026, 11, 1, tzinfo=UTC),
                              closes_at=datetime(2027, 6, 30, 20, 0, tzinfo=UTC),
                              course_starts_on=date(2027, 9, 15)))
        lines.append("  intake FC27 Foundation Course 2027/2028 (created)")
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
               "To the attention of foreigners: admission of international applicants to the Foundation "
               "Course for the 2027/2028 academic year has started according to the new rules. "
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
               "Вниманию иностранцев: по новым правилам начался приём иностранных абитуриентов на "
               "подготовительный курс на 2027/2028 учебный год. Заявления принимаются только через "
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
               "Əcnəbilərin nəzərinə: yeni qaydalara əsasən əcnəbi abituriyentlərin 2027/2028-ci tədris "
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
    from datetime import timedelta

    from portal.database import utcnow
    from portal.models import Notice, NoticeTranslation

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
    from portal.models import Inquiry

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
