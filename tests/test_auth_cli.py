"""`flask org create` makes an organisation and an admin whose printed password signs in."""
import re

from webapp.extensions import db
from webapp.models import Group, GroupMember, Organisation, User


def test_org_create_prints_a_password_that_signs_in(runner, client):
    result = runner.invoke(args=[
        "org", "create", "--name", "River School", "--slug", "river",
        "--admin-email", "Head@River.example.com", "--admin-first-name", "Rita", "--admin-last-name", "Reed",
    ])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password.*: (\S+)$", result.output, re.M).group(1)
    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "river"))
    admin = db.session.scalar(db.select(User).where(User.org_id == org.id))
    assert admin.email == "head@river.example.com" and admin.is_admin and admin.password_is_generated
    assert password not in (admin.password_hash or "")
    builtin = db.session.scalar(db.select(Group).where(Group.org_id == org.id, Group.is_builtin.is_(True)))
    assert db.session.get(GroupMember, (builtin.id, admin.id)) is not None
    response = client.post("/login", data={"email": "head@river.example.com", "password": password})
    assert "/choose-password" in response.headers["Location"]


def test_org_create_refuses_a_taken_slug(runner, org):
    result = runner.invoke(args=[
        "org", "create", "--name", "Again", "--slug", "acme", "--admin-email", "x@example.com",
        "--admin-first-name", "X", "--admin-last-name", "Y",
    ])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_org_create_refuses_an_invalid_email(runner):
    result = runner.invoke(args=[
        "org", "create", "--name", "Bad", "--slug", "bad", "--admin-email", "not-an-email",
        "--admin-first-name", "X", "--admin-last-name", "Y",
    ])
    assert result.exit_code != 0
    assert "valid email" in result.output
