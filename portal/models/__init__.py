"""All models, imported here so Alembic and the app see the whole metadata."""

from portal.models.application import Application, ApplicationEvent, Document
from portal.models.audit import AuditLog
from portal.models.inquiry import INQUIRY_KINDS, INQUIRY_STATUSES, Inquiry, InquiryReply
from portal.models.interview import InterviewBooking, InterviewFee, InterviewSlot
from portal.models.letter import CountryRule, Letter
from portal.models.message import Message, SavedView
from portal.models.notice import NOTICE_KINDS, Notice, NoticeTranslation
from portal.models.outbox import OutboundEmail
from portal.models.reference import INSTRUCTION_LANGUAGES, DocumentType, Intake, Programme, ProgrammeLanguage
from portal.models.reminder import REMINDER_KINDS, ReminderSent
from portal.models.status import STATUSES, Status
from portal.models.user import STAFF_ROLES, Role, User

__all__ = [
    "Application", "ApplicationEvent", "AuditLog", "CountryRule", "Document", "DocumentType", "INQUIRY_KINDS",
    "INQUIRY_STATUSES", "INSTRUCTION_LANGUAGES", "Inquiry", "InquiryReply", "Intake", "InterviewBooking",
    "InterviewFee", "InterviewSlot", "Letter", "Message", "NOTICE_KINDS", "Notice", "NoticeTranslation",
    "OutboundEmail", "Programme", "ProgrammeLanguage", "REMINDER_KINDS", "ReminderSent", "Role", "STAFF_ROLES",
    "STATUSES", "SavedView", "Status", "User",
]
