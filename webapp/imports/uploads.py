"""An uploaded file read a block at a time (never one bytes object), and kept in the database in parts."""
from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy import delete, insert, select

from webapp.extensions import db
from webapp.models import ImportUpload

BLOCK = 1 << 20        # bytes read at a time by every pass over a file
PART_BYTES = 1 << 20   # bytes per stored part: a 100 MB file is 100 rows, none of them a large copy at the driver


class Upload:
    """An uploaded file's bytes, opened afresh for each pass: a file on disk, or bytes for small files and tests."""

    def __init__(self, path: str | os.PathLike | None = None, *, data: bytes | None = None):
        self.path, self.data = path, data
        self.size = len(data) if data is not None else os.path.getsize(path)

    def open(self) -> BinaryIO:
        """A new reader at the start of the file (each pass has its own position)."""
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")

    def head(self, size: int) -> bytes:
        if self.data is not None:
            return self.data[:size]
        with self.open() as stream:
            return stream.read(size)

    def tail(self, size: int) -> bytes:
        if self.data is not None:
            return self.data[-size:]
        with self.open() as stream:
            stream.seek(max(self.size - size, 0))
            return stream.read()

    def blocks(self, size: int = BLOCK) -> Iterator[bytes]:
        with self.open() as stream:
            while block := stream.read(size):
                yield block

    def contains(self, needle: bytes) -> bool:
        """True when the bytes hold `needle`, looked for a block at a time (across block edges too)."""
        carry = b""
        for block in self.blocks():
            if needle in carry + block[:len(needle)] or needle in block:
                return True
            carry = block[-len(needle):]
        return False

    def count(self, byte: int) -> int:
        return sum(block.count(byte) for block in self.blocks())


def as_upload(data: bytes | Upload) -> Upload:
    """An Upload for bytes (tests and small files), or the Upload itself."""
    return data if isinstance(data, Upload) else Upload(data=bytes(data))


@contextlib.contextmanager
def received(stream: BinaryIO, limit: int) -> Iterator[Upload]:
    """A request's file (at most limit + 1 bytes of it): small ones in memory, others spooled to a temporary file."""
    first = stream.read(min(BLOCK, limit + 1))
    if len(first) < BLOCK or len(first) > limit:
        yield Upload(data=first)
        return
    with tempfile.NamedTemporaryFile(prefix="import-") as spool:
        spool.write(first)
        copied = len(first)
        while copied <= limit and (block := stream.read(min(BLOCK, limit + 1 - copied))):
            spool.write(block)
            copied += len(block)
        spool.flush()
        yield Upload(spool.name)


def store(batch_id: int, upload: Upload) -> None:
    """Keep the file with its batch, a part at a time (the caller commits)."""
    table = ImportUpload.__table__
    for number, block in enumerate(upload.blocks(PART_BYTES)):
        db.session.execute(insert(table).values(batch_id=batch_id, part=number, data=block))


def forget(batch_ids) -> None:
    """Delete the stored files of these batches."""
    db.session.execute(delete(ImportUpload).where(ImportUpload.batch_id.in_(list(batch_ids))))


@contextlib.contextmanager
def kept(batch_id: int) -> Iterator[Upload]:
    """The batch's stored file: in memory when it is one part, else written back to a temporary file.

    One query, its parts fetched one at a time (a server-side cursor on PostgreSQL), so no two sit in memory.
    """
    parts = db.session.execute(select(ImportUpload.data).where(ImportUpload.batch_id == batch_id)
                               .order_by(ImportUpload.part).execution_options(yield_per=1)).scalars()
    first = next(parts, b"")
    second = next(parts, None)
    if second is None:
        parts.close()
        yield Upload(data=bytes(first))
        return
    with tempfile.NamedTemporaryFile(prefix="import-") as spool:
        spool.write(first)
        spool.write(second)
        for part in parts:
            spool.write(part)
        spool.flush()
        yield Upload(spool.name)
