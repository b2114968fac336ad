"""Series pages and enrolling users: sources, options, bad input, isolation, set-based work."""
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event, func, select

from tests.conftest import TEST_PASSWORD, _prime_csrf
from webapp import credentials
from webapp.clock import utcnow
from webapp.enrolments import services
from webapp.extensions import db
from webapp.models import AccountType, Enrolment, Group, GroupMember, OutboxMessage, Series, User


@pytest.fixture
def series(admin):
    return services.create_series(admin.org_id, admin, name="Safety Basics",
                                  description="Ten short lessons on staying safe at work.")


def created_user(make_user, **fields):
    """A Created user who has never signed in, holding a generated password."""
    fields.setdefault("password_set_at", utcnow())
    return make_user(generated=True, invite_status="created", **fields)


def second_client(app):
    """Another browser: its own session and CSRF token."""
    other = app.test_client()
    _prime_csrf(other, app)
    return other


def enrol(signed_in, series, **form):
    data = {"series": series.id, "send_invite": "yes", "source": "selection", **form}
    return signed_in.post("/enrolments/new", data=data)


def enrolments_in(series):
    return db.session.scalars(select(Enrolment).where(Enrolment.series_id == series.id)).all()


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def password_in(message):
    for line in message.text_body.splitlines():
        if "assword:" in line:
            return line.split(":", 1)[1].strip()
    return None


# --- Series ---------------------------------------------------------------------------

def test_series_can_be_created_edited_archived_and_unarchived(signed_in):
    response = signed_in.post("/series/new", data={"name": " Onboarding 101 ", "description": "Start here."})
    assert response.status_code == 302
    series = db.session.scalar(select(Series))
    assert series.name == "Onboarding 101"
    page = signed_in.get("/series").get_data(as_text=True)
    assert "Onboarding 101" in page and "Start here." in page

    signed_in.post(f"/series/{series.id}/edit", data={"name": "Onboarding 102", "description": "New."})
    assert signed_in.get(f"/series/{series.id}").get_data(as_text=True).count("Onboarding 102") >= 1

    archived = signed_in.post(f"/series/{series.id}/archive", follow_redirects=True).get_data(as_text=True)
    assert "is archived: no one can be enrolled" in archived
    assert "Onboarding 102" not in signed_in.get("/series").get_data(as_text=True)
    assert "Onboarding 102" in signed_in.get("/series?show=archived").get_data(as_text=True)
    assert "no active series" in signed_in.get("/enrolments/new").get_data(as_text=True)

    signed_in.post(f"/series/{series.id}/unarchive")
    assert "Onboarding 102" in signed_in.get("/series").get_data(as_text=True)


@pytest.mark.parametrize("name, message", [
    ("", "Give the series a name."),
    ("safety basics", "already exists"),
])
def test_series_name_problems_are_shown_beside_the_field(signed_in, series, name, message):
    response = signed_in.post("/series/new", data={"name": name, "description": "kept text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "kept text" in page
    assert db.session.scalar(select(func.count()).select_from(Series)) == 1


def test_series_list_and_page_have_empty_states(signed_in):
    assert "No series yet" in signed_in.get("/series").get_data(as_text=True)
    assert "No archived series" in signed_in.get("/series?show=archived").get_data(as_text=True)


def test_active_tab_says_when_every_series_is_archived(signed_in, series, admin):
    services.set_archived(series, admin, True)
    page = signed_in.get("/series").get_data(as_text=True)
    assert "No active series" in page and "No series yet" not in page
    series = services.create_series(db.session.scalar(select(User)).org_id,
                                    db.session.scalar(select(User)), name="Empty", description="")
    assert "No one is enrolled yet" in signed_in.get(f"/series/{series.id}").get_data(as_text=True)


# --- Enrolling from each source ---------------------------------------------------------

def test_enrol_the_users_list_selection(signed_in, series, make_user, admin):
    ann, bob, _ = created_user(make_user, first_name="Ann"), created_user(make_user), created_user(make_user)
    form_page = signed_in.get(f"/enrolments/new?user_id={ann.id}&user_id={bob.id}").get_data(as_text=True)
    assert "2 users selected" in form_page

    response = enrol(signed_in, series, user_id=[ann.id, bob.id])
    assert response.status_code == 302
    result = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    # No mail server in tests: the emails are kept, as the Mail page says ("queued" sent the admin looking for them).
    assert "2 users enrolled" in result and "2 enrolment emails to the learners kept on the Mail page" in result
    assert {e.user_id for e in enrolments_in(series)} == {ann.id, bob.id}
    assert all(e.enrolled_by_id == admin.id and e.send_invite for e in enrolments_in(series))
    assert sorted(m.to_address for m in outbox()) == sorted([ann.email, bob.email])


@pytest.mark.parametrize("send_invite,sentence", [
    ("yes", "1 enrolment email queued to the learners."),
    ("no", "one summary with their details and new passwords was queued to you"),
])
def test_with_a_mail_server_the_enrolment_result_says_its_emails_are_queued(
        signed_in, series, make_user, smtp_server, send_invite, sentence):
    ann = created_user(make_user)
    response = enrol(signed_in, series, user_id=[ann.id], send_invite=send_invite)
    result = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert sentence in result and "kept on the Mail page" not in result


def test_enrol_everyone_matching_the_users_list_filter(signed_in, series, make_user):
    zeds = [created_user(make_user, last_name=f"Zedson{i}") for i in range(3)]
    created_user(make_user, last_name="Other")
    page = signed_in.get("/enrolments/new?all_matching=1&q=zedson").get_data(as_text=True)
    assert "3 users selected" in page and "everyone matching" in page
    response = enrol(signed_in, series, all_matching="1", q="zedson")
    assert response.status_code == 302
    assert {e.user_id for e in enrolments_in(series)} == {u.id for u in zeds}


def test_enrol_a_group(signed_in, series, make_user, org):
    members = [created_user(make_user) for _ in range(3)]
    created_user(make_user)
    group = Group(org_id=org.id, name="Warehouse")
    db.session.add(group)
    db.session.flush()
    db.session.add_all(GroupMember(group_id=group.id, user_id=u.id) for u in members)
    db.session.commit()
    assert "Warehouse (3 members)" in signed_in.get("/enrolments/new").get_data(as_text=True)
    response = enrol(signed_in, series, source="group", group=group.id)
    assert response.status_code == 302
    assert {e.user_id for e in enrolments_in(series)} == {u.id for u in members}


def test_enrol_pasted_addresses_reports_unknown_and_invalid_lines(signed_in, series, make_user):
    ann = created_user(make_user, email="ann@example.com")
    bob = created_user(make_user, email="bob@example.com")
    pasted = "ANN@example.com\n\nnobody@example.com\nbob@example.com, ann@example.com\nnot an email\n"
    response = enrol(signed_in, series, source="emails", emails=pasted)
    assert response.status_code == 302
    result = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert {e.user_id for e in enrolments_in(series)} == {ann.id, bob.id}
    assert "2 users enrolled" in result
    assert "nobody@example.com" in result and "No account with this address" in result
    assert "<td>3</td>" in result  # the line it was on
    assert "<td>5</td>" in result and "Not a valid email address" in result


def test_pasted_addresses_count_even_when_their_option_was_not_ticked(signed_in, series, make_user):
    ann = created_user(make_user, email="ann@example.com")
    response = enrol(signed_in, series, source="group", group=0, emails="ann@example.com")
    assert response.status_code == 302
    assert [e.user_id for e in enrolments_in(series)] == [ann.id]


def test_pasted_addresses_that_match_no_one_enrol_nobody(signed_in, series):
    response = enrol(signed_in, series, source="emails", emails="ghost@example.com\nspook@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was enrolled" in page and "ghost@example.com" in page and "spook@example.org" in page
    assert "ghost@example.com\nspook@example.org" in page  # the pasted text is kept
    assert enrolments_in(series) == [] and outbox() == []


def test_already_enrolled_is_reported_never_duplicated(signed_in, series, make_user):
    ann, bob = created_user(make_user, first_name="Ann", last_name="Early"), created_user(make_user)
    enrol(signed_in, series, user_id=[ann.id])
    sent_before = len(outbox())
    response = enrol(signed_in, series, user_id=[ann.id, bob.id])
    result = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 user enrolled" in result and "Already enrolled" in result and "Ann Early" in result
    assert len(enrolments_in(series)) == 2
    assert len(outbox()) == sent_before + 1


# --- Bad input: a clear message and nothing enrolled -------------------------------------

def test_archived_series_is_refused(signed_in, series, make_user, admin):
    user = created_user(make_user)
    services.set_archived(series, admin, True)
    response = enrol(signed_in, series, user_id=[user.id])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is archived" in page and "Nothing was enrolled" in page
    assert enrolments_in(series) == [] and outbox() == []


@pytest.mark.parametrize("days_from_today, accepted", [(-2, False), (-30, False), (0, True), (40, True)])
def test_due_date_cannot_be_in_the_past(signed_in, series, make_user, days_from_today, accepted):
    user = created_user(make_user)
    due = utcnow().date() + timedelta(days=days_from_today)
    response = enrol(signed_in, series, user_id=[user.id], due_date=due.isoformat())
    if accepted:
        assert response.status_code == 302
        assert enrolments_in(series)[0].due_date == due
        assert f"{due.day} {due:%B %Y}" in outbox()[0].text_body  # "4 January 2027"
    else:
        assert "The due date is in the past" in response.get_data(as_text=True)
        assert enrolments_in(series) == [] and outbox() == []


def test_no_users_selected_gets_a_clear_message(signed_in, series, org):
    page = enrol(signed_in, series).get_data(as_text=True)
    assert "No users were selected" in page
    empty_group = Group(org_id=org.id, name="Nobody here")
    db.session.add(empty_group)
    db.session.commit()
    page = enrol(signed_in, series, source="group", group=empty_group.id).get_data(as_text=True)
    assert "No users were selected" in page
    assert "Choose a group." in enrol(signed_in, series, source="group", group=0).get_data(as_text=True)
    assert "Paste at least one" in enrol(signed_in, series, source="emails", emails=" ").get_data(as_text=True)
    assert enrolments_in(series) == []


# --- Send Invite = No ---------------------------------------------------------------------

def test_send_invite_no_sends_one_summary_to_the_admin(signed_in, series, make_user, admin, client):
    fresh = created_user(make_user, first_name="Fresh", email="fresh@example.com")
    invited = make_user(generated=True, invite_status="invited", password_set_at=utcnow())
    regular = make_user(signed_in_at=utcnow())
    response = enrol(signed_in, series, send_invite="no", user_id=[fresh.id, invited.id, regular.id])
    result = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "the learners were not emailed" in result and admin.email in result

    messages = outbox()
    assert len(messages) == 1
    summary = messages[0]
    assert summary.to_address == admin.email and summary.kind == "enrolment_admin_summary"
    assert summary.carries_password
    assert "3 learners" in summary.subject
    password_line = next(line for line in summary.text_body.splitlines() if "fresh@example.com" in line)
    new_password = password_line.split("password:")[1].strip()
    assert credentials.check_password(db.session.get(User, fresh.id).password_hash, new_password)
    assert "password unchanged" in next(text for text in summary.text_body.splitlines() if invited.email in text)
    csv_text = summary.attachments[0].data.decode("utf-8-sig")
    assert "fresh@example.com" in csv_text and new_password in csv_text and invited.email in csv_text


# --- Passwords -------------------------------------------------------------------------------

def test_new_password_from_enrolment_replaces_the_old_one(signed_in, series, make_user, app):
    user = created_user(make_user, email="learner@example.com")  # holds TEST_PASSWORD, generated
    enrol(signed_in, series, user_id=[user.id])
    message = outbox("created_user_series_enrolment")[0]
    emailed = password_in(message)
    assert message.carries_password and emailed
    stored = db.session.get(User, user.id)
    assert not credentials.check_password(stored.password_hash, TEST_PASSWORD)
    assert credentials.check_password(stored.password_hash, emailed)

    learner = second_client(app)
    assert learner.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 401
    assert learner.post("/login", data={"email": user.email, "password": emailed}).status_code == 302


def test_48_hour_rule_across_three_enrolments(signed_in, admin, make_user):
    names = ["First", "Second", "Third"]
    series = [services.create_series(admin.org_id, admin, name=n, description="") for n in names]
    start = utcnow()
    with freeze_time(start) as clock:
        user = created_user(make_user, password_set_at=utcnow() - timedelta(days=10))
        enrol(signed_in, series[0], user_id=[user.id])
        first = password_in(outbox()[-1])
        clock.tick(timedelta(hours=47))
        enrol(signed_in, series[1], user_id=[user.id])
        second = outbox()[-1]
        assert password_in(second) is None and not second.carries_password
        assert "the password you were given for this account" in second.text_body
        assert credentials.check_password(db.session.get(User, user.id).password_hash, first)
        clock.tick(timedelta(hours=2))
        enrol(signed_in, series[2], user_id=[user.id])
        third = password_in(outbox()[-1])
    assert third and third != first
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert credentials.check_password(stored.password_hash, third)
    assert not credentials.check_password(stored.password_hash, first)


def test_signed_in_user_gets_the_plain_email_and_keeps_their_password(signed_in, series, make_user):
    user = make_user(signed_in_at=utcnow() - timedelta(days=5), password_set_at=utcnow() - timedelta(days=90))
    enrol(signed_in, series, user_id=[user.id])
    message = outbox()[0]
    assert message.kind == "series_enrolment" and not message.carries_password
    assert "Sign in with your email address and your password" in message.text_body
    assert credentials.check_password(db.session.get(User, user.id).password_hash, TEST_PASSWORD)


def test_enrolling_thousands_uses_a_fixed_number_of_statements(signed_in, series, org, admin):
    def insert_users(n, offset):
        db.session.execute(db.insert(User), [
            {"org_id": org.id, "email": f"bulk{offset + i}@example.com", "first_name": "Bulk",
             "last_name": str(i), "invite_status": "created" if i % 2 else "invited",
             "password_hash": "x", "password_is_generated": True, "password_set_at": utcnow()}
            for i in range(n)])
        db.session.commit()
        return db.session.scalars(select(User.id).where(User.email.like("bulk%"))).all()

    def statements_for(user_ids, target):
        seen = []

        def listener(*args):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            services.enrol(org, admin, target, select(User.id).where(User.id.in_(user_ids)),
                           send_invite=True, due_date=None)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small = statements_for(insert_users(4, 0), series)
    other = services.create_series(org.id, admin, name="Bigger", description="")
    large = statements_for(insert_users(1500, 100), other)
    assert large == small
    assert len(enrolments_in(other)) == 1504


# --- Pages, isolation, access ------------------------------------------------------------------

def test_series_page_lists_enrolments_with_counts_and_pages(signed_in, series, org, admin):
    db.session.execute(db.insert(User), [
        {"org_id": org.id, "email": f"p{i}@example.com", "first_name": "Page", "last_name": f"{i:03}",
         "password_hash": "x", "password_is_generated": True, "signed_in_at": utcnow() if i < 5 else None}
        for i in range(60)])
    db.session.commit()
    services.enrol(org, admin, series, select(User.id).where(User.email.like("p%@example.com")),
                   send_invite=True, due_date=None)
    page = signed_in.get(f"/series/{series.id}").get_data(as_text=True)
    assert "Showing 1–50 of 60 enrolments" in page and "Page 1 of 2" in page
    assert '<span class="n">5</span><span class="l">have signed in</span>' in page
    fragment = signed_in.get(f"/series/{series.id}?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Showing 51–60 of 60" in fragment and "<html" not in fragment


def test_user_enrolments_page_and_learner_page(signed_in, admin, make_user, client, login_as, app):
    user = make_user(first_name="Lee", signed_in_at=utcnow())
    old = services.create_series(admin.org_id, admin, name="Old one", description="")
    new = services.create_series(admin.org_id, admin, name="New one", description="Fresh content")
    gone = services.create_series(admin.org_id, admin, name="Retired", description="")
    enrol(signed_in, old, user_id=[user.id])
    db.session.execute(db.update(Enrolment).where(Enrolment.series_id == old.id)
                       .values(enrolled_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    enrol(signed_in, new, user_id=[user.id], due_date=(date.today() + timedelta(days=30)).isoformat())
    enrol(signed_in, gone, user_id=[user.id])
    services.set_archived(gone, admin, True)
    page = signed_in.get(f"/enrolments/user/{user.id}").get_data(as_text=True)
    assert "Old one" in page and "New one" in page and "Enrolled in 3 series" in page

    learner = second_client(app)
    learner.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    learning = learner.get("/learning").get_data(as_text=True)
    assert learning.index("New one") < learning.index("Old one")
    assert "Fresh content" in learning and "Retired" not in learning
    due = date.today() + timedelta(days=30)
    assert f"{due.day} {due:%b %Y}" in learning  # "4 Jan 2027"


def test_another_organisations_objects_are_404(signed_in, other_org, series):
    boss = db.session.scalar(select(User).where(User.org_id == other_org.id))
    theirs = services.create_series(other_org.id, boss, name="Theirs", description="")
    their_group = db.session.scalar(select(Group).where(Group.org_id == other_org.id))
    for url in (f"/series/{theirs.id}", f"/series/{theirs.id}/edit", f"/enrolments/user/{boss.id}"):
        assert signed_in.get(url).status_code == 404, url
    assert signed_in.post(f"/series/{theirs.id}/archive").status_code == 404
    assert enrol(signed_in, theirs, user_id=[boss.id]).status_code == 404
    assert enrol(signed_in, series, source="group", group=their_group.id).status_code == 404
    # Another organisation's users in a selection are never enrolled.
    assert "No users were selected" in enrol(signed_in, series, user_id=[boss.id]).get_data(as_text=True)
    their_event = services.enrol(other_org, boss, theirs, select(User.id).where(User.id == boss.id),
                                 send_invite=True, due_date=None)
    assert signed_in.get(f"/enrolments/result/{their_event}").status_code == 404
    assert "Theirs" not in signed_in.get("/series").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


@pytest.mark.parametrize("account_type", [AccountType.USER, AccountType.TEAM_MANAGER, AccountType.GUEST])
def test_console_pages_are_for_admins_only(client, make_user, login_as, series, account_type):
    login_as(make_user(account_type=account_type))
    for url in ("/series", f"/series/{series.id}", "/enrolments/new"):
        assert client.get(url).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, series):
    response = client.get("/series")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_posts_without_csrf_token_are_refused(signed_in, series, make_user):
    user = created_user(make_user)
    assert signed_in.post("/series/new", data={"name": "X"}, with_csrf=False).status_code == 400
    assert signed_in.post(f"/series/{series.id}/archive", with_csrf=False).status_code == 400
    response = signed_in.post("/enrolments/new", with_csrf=False, data={
        "series": series.id, "send_invite": "yes", "source": "selection", "user_id": user.id})
    assert response.status_code == 400
    assert enrolments_in(series) == [] and not db.session.get(Series, series.id).is_archived
