"""The applicant's side of the message thread with the admissions office."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.apply.blueprint import bp
from portal.extensions import db, limiter
from portal.forms import MessageForm
from portal.security import applicant_required, config_limit, user_key
from portal.services import applications
from portal.services import messages as service


@bp.route("/messages", methods=["GET", "POST"])
@applicant_required
@limiter.limit(config_limit("MESSAGE_RATE_LIMIT"), key_func=user_key, methods=["POST"])  # each is e-mailed
def messages():
    application = applications.current_application(current_user)
    if application is None or application.reference is None:
        flash(_("Messages with the admissions office open once you have submitted your application."), "info")
        return redirect(url_for("apply.home"))
    form = MessageForm()
    if form.validate_on_submit():
        try:
            service.post_message(application, current_user, form.body.data)
        except service.MessageError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Your message has been sent to the admissions office."), "success")
            return redirect(url_for("apply.messages"))
    service.mark_read(application, current_user)
    db.session.commit()
    return render_template("apply/messages.html", application=application, form=form,
                           thread=service.thread(application))
