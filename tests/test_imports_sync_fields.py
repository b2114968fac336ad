"""Group, Series and Status as fields of the import registry: headers, cleaning, typed problems, database checks."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.enrolments.services import create_series, set_archived
from webapp.extensions import db
from webapp.imports import columns, staging, sync, table
from webapp.imports.fields import get_field
from webapp.imports.problems import sentences
from webapp.models import Group, StagedRow


def stage(org, admin, text: str, *, create_groups=False):
    batch = staging.stage_upload(org.id, admin.id, "people.csv", text.encode(), max_bytes=10**6, ttl_days=7)
    if create_groups:
        sync.configure(batch, create_missing_groups=True)
    db.session.commit()
    return batch


def row(batch, line) -> StagedRow:
    db.session.expire_all()
    return db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == line))


@pytest.mark.parametrize("header, key", [
    ("Group", "groups"), ("Groups", "groups"), ("Groupes", "groups"), ("Gruppe", "groups"), ("Grupo", "groups"),
    ("Team", "groups"), ("Series", "series"), ("Séries", "series"), ("Kurs", "series"), ("Course", "series"),
    ("Status", "account_status"), ("Statut", "account_status"), ("Account status", "account_status"),
    ("Aktiv", "account_status"), ("STATUS (active/inactive)", "account_status"),
])
def test_headers_in_several_languages_are_mapped_to_the_registry_fields(app, header, key):
    with app.app_context():
        assert columns.map_columns(["Email", header]).columns.get(key) == 1


def test_a_department_column_is_not_read_as_groups(app, org, admin):
    with app.app_context():
        assert columns.map_columns(["Email", "Department"]).columns.get("groups") is None
    batch = stage(org, admin, "First Name,Email,Department\nAnn,ann@example.com,Finance\n")
    assert row(batch, 2).status == "valid" and not (row(batch, 2).extra or {}).get("groups")
    assert not sync.in_use(batch)


@pytest.mark.parametrize("cell, stored", [
    ("Sales", "Sales"), (" Sales ;  Night   shift ", "Sales; Night shift"), ("a;A;b", "a; b"),
    ("", ""), (" ; ", ""), ("x|y", "x; y"),
])
def test_names_are_split_on_semicolons_and_tidied(app, cell, stored):
    with app.app_context():
        for key in ("groups", "series"):
            problems = []
            assert get_field(key).clean_value(cell, problems) == stored and problems == []


@pytest.mark.parametrize("cell, stored", [
    ("active", "active"), ("Active", "active"), ("yes", "active"), ("Y", "active"), ("enabled", "active"),
    ("actif", "active"), ("aktiv", "active"), ("1", "active"), ("inactive", "inactive"), ("no", "inactive"),
    ("disabled", "inactive"), ("inactif", "inactive"), ("inaktiv", "inactive"), ("suspended", "inactive"),
    ("left", "inactive"), ("0", "inactive"), ("", ""), ("  ", ""),
    ("Starter", "active"), ("New starter", "active"), ("new-hire", "active"), ("Joiner", "active"),
    ("Leaver", "inactive"),
])
def test_status_words(app, cell, stored):
    with app.app_context():
        problems = []
        assert get_field("account_status").clean_value(cell, problems) == stored and problems == []


@pytest.mark.parametrize("header, cell, sentence", [
    ("Status", "maybe", "Status “maybe” is not one we know: use active or inactive."),
    ("Group", "x" * 121, f"Group name “{'x' * 40}…” in the Group column is longer than 120 characters."),
    ("Series", "y" * 201, f"Series name “{'y' * 40}…” in the Series column is longer than 200 characters."),
])
def test_cells_that_cannot_be_used_are_typed_row_problems(org, admin, header, cell, sentence):
    batch = stage(org, admin, f"First Name,Email,{header}\nAnn,ann@example.com,{cell}\n")
    staged = row(batch, 2)
    assert staged.status == "invalid"
    assert sentences(staged.errors) == [sentence]


def test_an_unknown_group_is_a_row_problem_until_create_missing_groups_is_ticked(org, admin):
    db.session.add(Group(org_id=org.id, name="Sales"))
    db.session.commit()
    batch = stage(org, admin, "First Name,Email,Group\nAnn,ann@example.com,sales; Nowhere\nBob,bob@example.com,Sales\n")
    ann = row(batch, 2)
    assert ann.status == "invalid" and row(batch, 3).status == "valid"
    assert [p["code"] for p in ann.errors] == ["unknown_group"]
    assert sentences(ann.errors) == ["No group called “Nowhere” (Group column). Tick Create missing groups, "
                                     "or correct the name."]
    sync.configure(batch, create_missing_groups=True)
    db.session.commit()
    assert row(batch, 2).status == "valid" and row(batch, 2).errors == []
    sync.configure(batch, create_missing_groups=False)
    db.session.commit()
    assert row(batch, 2).status == "invalid"


def test_fixing_an_unknown_group_by_an_inline_edit_clears_the_problem(org, admin):
    db.session.add(Group(org_id=org.id, name="Sales"))
    db.session.commit()
    batch = stage(org, admin, "First Name,Email,Group\nAnn,ann@example.com,Slaes\n")
    staged = row(batch, 2)
    assert staged.status == "invalid"
    table.edit_row(batch, staged, {"first_name": "Ann", "last_name": "", "email": "ann@example.com",
                                   "groups": "Sales"})
    assert row(batch, 2).status == "valid" and row(batch, 2).extra["groups"] == "Sales"
    table.edit_row(batch, row(batch, 2), {"groups": "Nowhere"})
    assert sentences(row(batch, 2).errors)[0].startswith("No group called “Nowhere”")


def test_unknown_and_archived_series_are_row_problems(org, admin):
    create_series(org.id, admin, name="Safety", description="")
    old = create_series(org.id, admin, name="Old course", description="")
    set_archived(old, admin, True)
    batch = stage(org, admin, "First Name,Email,Series\nAnn,ann@example.com,safety\nBob,bob@example.com,old COURSE\n"
                  "Cy,cy@example.com,Unknown\n")
    assert row(batch, 2).status == "valid"
    assert sentences(row(batch, 3).errors) == [
        "The series “Old course” (Series column) is archived. Unarchive it first, or remove it from the row."]
    assert sentences(row(batch, 4).errors) == [
        "No series called “Unknown” (Series column). Create it under Series first, or correct the name."]


def test_the_checks_are_set_based(org, admin):
    """The number of statements does not grow with the rows."""
    from sqlalchemy import event

    def statements(count):
        lines = "".join(f"P{i},p{count}-{i}@example.com,Nowhere{i % 3};Sales,Old,maybe\n" for i in range(count))
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            stage(org, admin, "First Name,Email,Groups,Series,Status\n" + lines)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    statements(2)  # the first run finds org and admin already loaded; later runs reload them
    assert statements(5) == statements(60)
