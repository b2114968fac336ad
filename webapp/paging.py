"""Page numbers shared by every paged list: which page, how many, and what the pager says."""
from __future__ import annotations

import math


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list has a page)."""
    return max(1, math.ceil(total / per_page))


def clamp_page(requested: int, total: int, per_page: int) -> int:
    """The requested page, kept between the first and the last; past the end shows the last."""
    return min(max(1, requested), page_count(total, per_page))


class PageNumbers:
    """Mixin for a page dataclass with `total`, `page` and `per_page` fields."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first(self) -> int:
        """Number of the first row on this page ("Showing 51-100"), 0 when there are none."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
