"""Paging of list answers: ``{"value": [...], "nextLink": ...}`` with an opaque ``$skipToken``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from .errors import bad_request


def _sign(offset: int, scope: str) -> str:
    return hashlib.sha256(f"{offset}|{scope}".encode()).hexdigest()[:12]


def make_token(offset: int, scope: str) -> str:
    """The skip token for ``offset`` within the list identified by ``scope``."""
    return base64.urlsafe_b64encode(f"{offset}.{_sign(offset, scope)}".encode()).decode().rstrip("=")


def read_token(token: str | None, scope: str) -> int:
    """The offset encoded in ``token`` (0 when absent); 400 ``InvalidSkipToken`` when forged or foreign."""
    if token is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset_text, sig = raw.split(".", 1)
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("InvalidSkipToken", f"The skip token '{token}' is not valid.", "$skipToken") from None
    if offset < 0 or sig != _sign(offset, scope):
        raise bad_request("InvalidSkipToken", f"The skip token '{token}' is not valid for this list.", "$skipToken")
    return offset


class Rendered(Sequence[dict[str, Any]]):
    """A list's items rendered only when a page takes them: a VM's hundreds of points cost 50 renders a page."""

    def __init__(self, sources: Sequence[Any], render: Callable[[Any], dict[str, Any]]) -> None:
        self._sources = sources
        self._render = render

    def __len__(self) -> int:
        return len(self._sources)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._render(source) for source in self._sources[index]]
        return self._render(self._sources[index])


def page(items: Sequence[dict[str, Any]], *, base_url: str, path: str, params: dict[str, str],
         skip_token: str | None, page_size: int) -> dict[str, Any]:
    """One page of ``items``; ``nextLink`` keeps ``params`` (api-version, $filter) and adds ``$skipToken``."""
    scope = path.lower() + "|" + params.get("$filter", "")
    start = read_token(skip_token, scope)
    body: dict[str, Any] = {"value": items[start:start + page_size]}
    end = start + page_size
    if end < len(items):
        query = dict(params)
        query["$skipToken"] = make_token(end, scope)
        body["nextLink"] = f"{base_url}{quote(path, safe='/;=,')}?{urlencode(query)}"
    return body
