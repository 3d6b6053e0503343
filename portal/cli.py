"""Flask commands: ``flask --app wsgi user create``, ``seed-demo``, ``worker``, ``mail send-pending``."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from portal import demo
from portal import synthetic as generator
from portal.extensions import db
from portal.models import Intake, Role
from portal.services import accounts, documents
from portal.worker import consumer, delivery

user_cli = AppGroup("user", help="Manage accounts.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
documents_cli = AppGroup("documents", help="Uploaded documents and their storage.")

def _fail(message: str) -> None:
    raise click.ClickException(message)


@user_cli.command("create")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--role", required=True, help="applicant, officer or admin.")
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
@click.option("--locale", default="en", show_default=True, help="en, ru or az.")
def create_user(email: str, role: str, password: str | None, locale: str) -> None:
    """Create an account with a verified e-mail address."""
    if role not in Role.values():
        _fail(f"unknown role {role!r}: use one of {', '.join(Role.values())}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, password, role=role, locale=locale, verified=True)
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(str(error.message))
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("seed-demo")
@click.option("--applications", "synthetic", type=click.IntRange(min=0, max=1_000_000), default=0,
              show_default=True, help="Also add this many synthetic submitted applications (scale tests).")
@with_appcontext
def seed_demo(synthetic: int) -> None:
    """Create demo data (idempotent) and print the demo accounts."""
    click.echo("Demo accounts:")
    for line in demo.seed_accounts():
        click.echo(line)
    for line in demo.seed_reference_data():
        click.echo(line)
    db.session.flush()  # the notices name the demo officer as their author
    for line in (demo.seed_notices() + demo.seed_inquiries() + demo.seed_applications()
                 + demo.seed_interview_slots()):
        click.echo(line)
    db.session.commit()
    if synthetic:
        _seed_synthetic(synthetic)


def _seed_synthetic(count: int) -> None:
    """Bulk-insert synthetic submitted applications into the demo intake (portal/synthetic.py)."""
    intake = db.session.scalar(select(Intake).where(Intake.code == demo.demo_intake().code))
    started = time.perf_counter()
    generator.seed_applications(count, intake=intake)
    db.session.commit()
    click.echo(f"  {count} synthetic applications in {intake.code} ({time.perf_counter() - started:.1f} s)")


@mail_cli.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="At most this many e-mails.")
def send_pending(limit: int) -> None:
    """Deliver due e-mails from this process now (the worker does it on its own)."""
    report = delivery.deliver_due(limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}, to retry {report.retrying}.")
    if report.failed or report.retries:
        raise SystemExit(1)


@click.command("worker")
@click.option("--workers", type=click.IntRange(min=1), help="Threads (or processes); default WORKER_CONCURRENCY.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), help="Default WORKER_TYPE.")
@with_appcontext
def run_worker(workers: int | None, worker_type: str | None) -> None:
    """Run the background worker: delivers the e-mail outbox (stop with Ctrl-C or SIGTERM)."""
    config = current_app.config
    consumer.run(current_app._get_current_object(), workers or config["WORKER_CONCURRENCY"],
                 worker_type or config["WORKER_TYPE"])


@documents_cli.command("verify")
@click.option("--repair", is_flag=True, help="Delete orphan files older than an hour.")
def verify_documents(repair: bool) -> None:
    """Compare the upload storage with the documents table (orphans and missing files)."""
    report = documents.verify_storage(repair=repair)
    for key in report.orphans:
        state = "deleted" if key in report.removed else "kept (younger than an hour, or no --repair)"
        click.echo(f"orphan file (no document row): {key}: {state}")
    for document_id, key in report.missing:
        click.echo(f"missing file for document {document_id}: {key}")
    if report.partial_removed:
        click.echo(f"deleted {report.partial_removed} unfinished temporary file(s)")
    click.echo(f"{len(report.orphans)} orphan file(s), {len(report.removed)} deleted; "
               f"{len(report.missing)} missing file(s).")
    if report.problems:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(user_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(run_worker)
