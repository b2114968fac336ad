"""Sign-in details on demand: a new password by the 48-hour rule (or a link), sent by email.

A password the person chose is never replaced, and one generated less than 48 hours ago
that was emailed to their current address still stands (PRODUCT.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update

from webapp import audit, credentials
from webapp.accounts import tokens
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.mail import messages
from webapp.mail.outbox import PASSWORD_REMOVED
from webapp.models import InviteStatus, Organisation, OutboxMessage, User

# Messages that deliver sign-in details (a password or a set-password link).
DETAILS_KINDS = ("welcome", "sign_in_details", "created_user_series_enrolment", "series_enrolment")
SENT_STATUSES = ("queued", "sending", "sent")


@dataclass(frozen=True)
class DetailsSent:
    """How many people got which kind of sign-in details email."""

    new_password: int = 0
    link: int = 0
    earlier_password: int = 0
    own_password: int = 0
    inactive: int = 0

    @property
    def emailed(self) -> int:
        return self.new_password + self.link + self.earlier_password + self.own_password


def _passwords_emailed_since_set(user_ids: Select | list[int], since: datetime) -> dict[int, datetime]:
    """Users whose current generated password went by email to their current address, and when."""
    rows = db.session.execute(
        select(OutboxMessage.to_user_id, func.max(OutboxMessage.created_at))
        .join(User, User.id == OutboxMessage.to_user_id)
        .where(OutboxMessage.to_user_id.in_(user_ids), OutboxMessage.carries_password.is_(True),
               OutboxMessage.status.in_(SENT_STATUSES), OutboxMessage.to_address == User.email,
               OutboxMessage.created_at >= User.password_set_at, OutboxMessage.created_at >= since,
               # The body held a password (not a link): its kept copy has the password blanked.
               or_(OutboxMessage.text_body.contains(PASSWORD_REMOVED),
                   OutboxMessage.redacted_text_body.contains(PASSWORD_REMOVED)))
        .group_by(OutboxMessage.to_user_id)
    ).all()
    return dict(rows)


def send_details(org: Organisation, actor: User, user_ids: Select | list[int]) -> DetailsSent:
    """Queue a sign-in details email to each chosen active user of the organisation (one transaction)."""
    people = db.session.scalars(
        select(User).where(User.org_id == org.id, User.id.in_(user_ids)).order_by(User.id)
    ).all()
    now = utcnow()
    chosen = select(User.id).where(User.org_id == org.id, User.id.in_(user_ids))
    emailed_at = _passwords_emailed_since_set(chosen, now - credentials.PASSWORD_FRESH_FOR)
    active = [p for p in people if p.is_active_account]
    own = [p for p in active if p.signed_in_at is not None or not p.password_is_generated]
    needing = [p for p in active if p not in own]
    if org.sends_password_links:
        linked, earlier, fresh = needing, [], []
    else:
        linked = []
        earlier = [p for p in needing if p.id in emailed_at and p.password_set_at
                   and now - p.password_set_at < credentials.PASSWORD_FRESH_FOR]
        fresh = [p for p in needing if p not in earlier]

    passwords = {p.id: credentials.generate_password() for p in fresh}
    if passwords:
        db.session.execute(update(User), [
            {"id": user_id, "password_hash": credentials.hash_generated_password(password),
             "password_is_generated": True, "password_set_at": now,
             "invite_status": InviteStatus.INVITED.value}
            for user_id, password in passwords.items()])
    link_tokens = tokens.issue_many(org.id, [p.id for p in linked], tokens.WELCOME)
    if linked:
        db.session.execute(update(User).where(User.id.in_([p.id for p in linked]))
                           .values(invite_status=InviteStatus.INVITED.value)
                           .execution_options(synchronize_session=False))
    messages.sign_in_details(org, [
        *(messages.DetailsFor(p, password=passwords[p.id]) for p in fresh),
        *(messages.DetailsFor(p, link=tokens.link_for(link_tokens[p.id])) for p in linked),
        *(messages.DetailsFor(p, earlier_sent_at=emailed_at[p.id]) for p in earlier),
        *(messages.DetailsFor(p) for p in own),
    ])
    result = DetailsSent(new_password=len(fresh), link=len(linked), earlier_password=len(earlier),
                         own_password=len(own), inactive=len(people) - len(active))
    single = people[0].id if len(people) == 1 else None
    audit.record(org.id, actor.id, "user.send_details", target_type="user" if single else None,
                 target_id=single, new_password=result.new_password, link=result.link,
                 earlier_password=result.earlier_password, own_password=result.own_password,
                 inactive=result.inactive)
    db.session.commit()
    db.session.expire_all()  # the bulk UPDATE changed users the session may hold
    return result


@dataclass(frozen=True)
class MailState:
    """The latest sign-in details email of a person, in words the user's page shows."""

    message: OutboxMessage
    label: str
    tone: str  # ok, info, bad (badge classes)


STATE_WORDS = {
    "sent": ("Delivered to the mail server", "ok"),
    "kept": ("Kept on the Mail page, not sent (no mail server is configured)", "info"),
    "queued": ("Waiting to be sent", "info"),
    "sending": ("Being sent now", "info"),
    "failed": ("Failed: not delivered", "bad"),
}


def last_details(user: User) -> MailState | None:
    """The newest email that carried this person's sign-in details, with its delivery state."""
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.org_id == user.org_id, OutboxMessage.to_user_id == user.id,
               OutboxMessage.kind.in_(DETAILS_KINDS),
               or_(OutboxMessage.kind != "series_enrolment", OutboxMessage.carries_password.is_(True)))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(1)
    )
    if message is None:
        return None
    label, tone = STATE_WORDS.get(message.status, (message.status, "info"))
    return MailState(message=message, label=label, tone=tone)


def failed_mail(user: User, limit: int = 5) -> list[OutboxMessage]:
    """Messages to this person that failed for good, newest first."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.org_id == user.org_id, OutboxMessage.to_user_id == user.id,
               OutboxMessage.status == "failed")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    ))


def describe(result: DetailsSent, *, keeps_mail_only: bool) -> str:
    """What Send sign-in details did, in plain words, honest about whether mail goes out."""
    if result.emailed == 0:
        if result.inactive:
            return "Nothing was sent: deactivated people cannot sign in. Reactivate them first."
        return "Nobody was selected. Tick some users, or choose every user matching the filter."
    people = f"{result.emailed:,} " + ("person" if result.emailed == 1 else "people")
    parts = []
    if result.new_password:
        parts.append(f"{result.new_password:,} with a new password")
    if result.link:
        parts.append(f"{result.link:,} with a link to choose a password")
    if result.earlier_password:
        parts.append(f"{result.earlier_password:,} reminded of the password emailed to them in the "
                     f"last 48 hours, which still stands")
    if result.own_password:
        parts.append(f"{result.own_password:,} who chose their own password, told how to sign in "
                     f"and reset it")
    one = result.emailed == 1
    subject = "The email is" if one else "The emails are"
    where = (f"{subject} kept on the Mail page: no mail server is configured, so nothing is sent."
             if keeps_mail_only else f"{subject} on {'its' if one else 'their'} way.")
    sentence = f"Sign-in details for {people}: {'; '.join(parts)}. {where}"
    if result.inactive:
        sentence += f" {result.inactive:,} deactivated {'person was' if result.inactive == 1 else 'people were'} skipped."
    return sentence
