"""ARM's request size limit: a body over 4 MB is refused with 413 ``RequestContentTooLarge``."""

from __future__ import annotations

from werkzeug.wrappers import Request

from ..arm.errors import ApiError

#: ARM refuses request bodies larger than this ("The request content size exceeds the maximum size of 4 MB.").
MAX_REQUEST_BYTES = 4 * 1024 * 1024
#: Bodies up to this size are read and dropped before the 413, so that the client sees the answer
#: rather than a reset connection; larger ones are not read at all.
_DRAIN_UP_TO = 64 * 1024 * 1024


def check_size(request: Request, limit: int = MAX_REQUEST_BYTES) -> None:
    """Raise 413 ``RequestContentTooLarge`` when the body is over ``limit`` bytes."""
    length = request.content_length
    if length is None:  # chunked, no Content-Length: read it and measure
        data = request.get_data(cache=True)
        length = len(data)
    elif length > limit and length <= _DRAIN_UP_TO:
        stream = request.stream
        while stream.read(64 * 1024):
            pass
    if length > limit:
        raise ApiError(413, "RequestContentTooLarge",
                       f"The request content size exceeds the maximum size of {limit // (1024 * 1024)} MB.")
