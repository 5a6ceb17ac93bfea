"""JSON values as ARM sends and receives them: the types every layer annotates bodies and resources with."""

from __future__ import annotations

from typing import TypeAlias

#: A JSON value as ARM sends and receives it.
Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"
#: A JSON object (an ARM resource, a request body).
JsonObject: TypeAlias = "dict[str, Json]"
