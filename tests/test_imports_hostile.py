"""Files a stranger might upload to hurt the server: each is refused with a sentence an admin can act on, or read
as the harmless table it holds; never a crash, a hang or a blown memory. Large ones are built here, compressed."""
from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import StagedRow


def _refused(client, data: bytes, name: str) -> str:
    """Upload through File Import; assert it is refused and nothing staged; return the page's text."""
    response = client.post("/users/import/", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 422, response.status_code
    assert db.session.scalar(select(func.count()).select_from(StagedRow)) == 0
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')



# ---- not what the name says ------------------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8


@pytest.mark.parametrize("data, kind", [(_PNG, "a PNG image"), (_PDF, "a PDF document")])
@pytest.mark.parametrize("name", ["people.csv", "people.xlsx", "people.xls", "people.ods"])
def test_an_image_or_a_pdf_renamed_as_a_spreadsheet_is_called_what_it_is(signed_in, data, kind, name):
    assert f"The file is {kind}, not a spreadsheet." in _refused(signed_in, data, name)
