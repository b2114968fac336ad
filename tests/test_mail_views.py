"""The Mail page: filters, counts, one message, attachments, resend, and who may see what."""
from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from webapp.extensions import db
from webapp.mail import messages, sender
from webapp.mail.outbox import queue
from webapp.models import AccountType, OutboxMessage


def add_message(org_id, to="someone@example.com", kind="welcome", status="sent",
                subject="Hello", last_error="") -> OutboxMessage:
    message = queue(org_id=org_id, kind=kind, to_address=to, subject=subject,
                    text_body=f"Text for {to}", html_body=f"<p>HTML for {to}</p>")
    message.status, message.last_error = status, last_error
    db.session.commit()
    return message


def summary(org, admin) -> OutboxMessage:
    outcomes = [dict(first_name="Ann", last_name="A", email="ann@example.com", account_type="user",
                     outcome="created", password="Ann-Pass-1"),
                dict(first_name="Bob", last_name="B", email="bob@example.com", account_type="user",
                     outcome="failed", reason="Already exists.")]
    message = messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    return message


def test_empty_mail_page_says_so_and_explains_keep_only_mode(signed_in):
    page = signed_in.get("/mail/").get_data(as_text=True)
    assert "No mail yet." in page
    assert "Not sent: this server keeps mail locally." in page
    assert "Configure MAIL_SERVER to send." in page


def test_keep_only_banner_is_gone_when_a_mail_server_is_set(signed_in, smtp_server):
    assert "keeps mail locally" not in signed_in.get("/mail/").get_data(as_text=True)


@pytest.mark.parametrize("query, shown, hidden", [
    ("status=failed", ["bounce@example.com"], ["ok@example.com", "kept@example.com"]),
    ("status=sent", ["ok@example.com"], ["bounce@example.com"]),
    ("kind=created_users_summary", ["admin@acme.example"], ["ok@example.com"]),
    ("recipient=BOUNCE", ["bounce@example.com"], ["ok@example.com"]),
    ("recipient=nobody-like-this", [], ["ok@example.com", "bounce@example.com"]),
])
def test_list_filters(signed_in, org, admin, query, shown, hidden):
    add_message(org.id, to="ok@example.com", status="sent")
    add_message(org.id, to="bounce@example.com", status="failed", last_error="550 No such user")
    add_message(org.id, to="kept@example.com", status="kept")
    summary(org, admin)
    page = signed_in.get(f"/mail/?{query}").get_data(as_text=True)
    for address in shown:
        assert address in page
    for address in hidden:
        assert address not in page
    if not shown:
        assert "No messages match these filters." in page


def test_counts_per_status(signed_in, org):
    for n in range(3):
        add_message(org.id, to=f"s{n}@example.com", status="sent")
    add_message(org.id, to="f@example.com", status="failed")
    page = signed_in.get("/mail/").get_data(as_text=True)
    assert '<span class="n">3</span><span class="l">Sent</span>' in page
    assert '<span class="n">1</span><span class="l">Failed</span>' in page
    assert '<span class="n">4</span><span class="l">All messages</span>' in page


def test_htmx_filter_gets_the_results_fragment_only(signed_in, org):
    add_message(org.id, to="ok@example.com")
    response = signed_in.get("/mail/?recipient=ok", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "ok@example.com" in body and "<html" not in body and "<h1>" not in body


def test_paging(signed_in, org):
    for n in range(55):
        add_message(org.id, to=f"p{n:02d}@example.com")
    first = signed_in.get("/mail/").get_data(as_text=True)
    assert "Showing 1–50 of 55 messages" in first and "Page 1 of 2" in first
    second = signed_in.get("/mail/?page=2").get_data(as_text=True)
    assert "Showing 51–55 of 55 messages" in second and "p00@example.com" in second


def test_message_page_shows_headers_bodies_attachment_and_attempts(signed_in, org, admin, smtp_server):
    message = summary(org, admin)
    sender.send_queued()
    page = signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    assert "File Import: 1 user created, 1 failed" in page
    assert "admin@acme.example" in page and str(escape(message.message_id)) in page
    assert "Bob B &lt;bob@example.com&gt;, User: NOT created. Already exists." in page
    assert 'sandbox=""' in page and f'src="/mail/{message.id}/preview"' in page
    assert "Accepted by the mail server." in page
    assert "the password was then removed from the copy kept here" in page
    download = signed_in.get(f"/mail/{message.id}/attachments/{message.attachments[0].id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=created-users-")
    csv_text = download.get_data().decode("utf-8-sig")
    assert "ann@example.com" in csv_text and "[password removed after sending]" in csv_text
    assert "Ann-Pass-1" not in csv_text


def test_kept_message_shows_the_password_and_why_it_was_not_sent(signed_in, org, admin):
    from webapp.users.services import create_user

    created = create_user(org, admin, first_name="Nina", last_name="N", email="nina@example.com",
                          send_invite=True)
    message = db.session.scalar(select(OutboxMessage))
    page = signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    assert created.password in page
    assert "Not sent: this server keeps mail locally." in page
    assert "It is shown in full because it never left this machine." in page


def test_resend_requeues_a_failed_message_and_it_is_delivered(signed_in, org, admin, smtp_server):
    smtp_server.handler.reject.add("typo@example.com")
    queue(org_id=org.id, kind="welcome", to_address="typo@example.com", subject="Hi", text_body="Hi")
    db.session.commit()
    sender.send_queued()
    message = db.session.scalar(select(OutboxMessage))
    page = signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    assert "Not delivered." in page and "550" in page and ">Resend</button>" in page

    smtp_server.handler.reject.clear()
    response = signed_in.post(f"/mail/{message.id}/resend", follow_redirects=True)
    assert "is queued to be sent again" in response.get_data(as_text=True)
    assert sender.send_queued().sent == 1
    assert len(smtp_server.to("typo@example.com")) == 1
    db.session.expire_all()
    assert [a.outcome for a in message.delivery_attempts] == ["failed", "sent"]


def test_resend_of_a_sent_message_is_refused_with_a_reason(signed_in, org, smtp_server):
    message = add_message(org.id, status="sent")
    response = signed_in.post(f"/mail/{message.id}/resend", follow_redirects=True)
    assert "Only a failed or kept message can be sent; this one is sent." in response.get_data(as_text=True)


def test_resend_without_csrf_token_is_refused(signed_in, org, smtp_server):
    message = add_message(org.id, status="failed")
    response = signed_in.post(f"/mail/{message.id}/resend", with_csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert message.status == "failed"


@pytest.mark.parametrize("path", ["/mail/{id}", "/mail/{id}/attachments/{att}"])
def test_another_organisations_message_is_not_found(signed_in, other_org, path):
    message = queue(org_id=other_org.id, kind="welcome", to_address="x@example.com",
                    subject="Theirs", text_body="secret",
                    attachments=(messages.Attachment("f.csv", "text/csv", b"a,b"),))
    db.session.commit()
    response = signed_in.get(path.format(id=message.id, att=message.attachments[0].id))
    assert response.status_code == 404


def test_another_organisations_message_cannot_be_resent(signed_in, other_org, smtp_server):
    message = add_message(other_org.id, status="failed")
    assert signed_in.post(f"/mail/{message.id}/resend").status_code == 404
    assert "x@example.com" not in signed_in.get("/mail/").get_data(as_text=True)


def test_list_shows_only_this_organisations_mail(signed_in, org, other_org):
    add_message(other_org.id, to="theirs@example.com")
    add_message(org.id, to="ours@example.com")
    page = signed_in.get("/mail/").get_data(as_text=True)
    assert "ours@example.com" in page and "theirs@example.com" not in page


@pytest.mark.parametrize("account_type", [AccountType.USER, AccountType.GUEST, AccountType.TEAM_MANAGER])
def test_non_admins_are_refused(client, make_user, login_as, account_type):
    login_as(make_user(account_type=account_type))
    assert client.get("/mail/").status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, org):
    response = client.get("/mail/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_mail_kept_before_a_server_was_configured_can_be_sent_now(signed_in, org, app, smtp_server):
    app.config["MAIL_SERVER"] = None
    message = queue(org_id=org.id, kind="welcome", to_address="early@example.com", subject="Hi",
                    text_body="Hi")
    db.session.commit()
    assert message.status == "kept"
    app.config["MAIL_SERVER"] = "127.0.0.1"
    page = signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    assert "kept while no mail server was configured" in page and ">Send now</button>" in page
    signed_in.post(f"/mail/{message.id}/resend")
    assert sender.send_queued().sent == 1
    assert len(smtp_server.to("early@example.com")) == 1


def test_nothing_can_be_sent_in_keep_only_mode(signed_in, org):
    message = add_message(org.id, status="failed")
    assert ">Resend</button>" not in signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    response = signed_in.post(f"/mail/{message.id}/resend", follow_redirects=True)
    assert "This server keeps mail locally, so nothing can be sent." in response.get_data(as_text=True)
