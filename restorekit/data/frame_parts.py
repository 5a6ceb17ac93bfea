"""A points frame streamed in batches: points become Arrow-backed frame parts as they arrive, joined at the end.

An inventory of a large fleet cannot hold every point's decoded JSON until the end (10,000 VMs: 857,000 points,
about 4 GB of dicts for a 200 MB frame). :class:`PointsFrameParts` takes points as they arrive (``add``, from
any thread) and, every ``batch`` points, builds the batch's frame (:func:`~restorekit.data.frames.recovery_points_frame`:
Arrow arrays and categorical codes) and lets the dicts go; :meth:`PointsFrameParts.frame` joins the parts. Peak
memory is the frame plus the points in flight, whatever the fleet.

The joined frame holds the rows one build of all the points gives, in the order the parts were built (sort it):
categories take the union a build would (known vocabulary first, then the values seen, sorted); the unmodelled
properties in ``extra`` may list their fields in another order (by name, a part's missing field is null, as one
build makes it). One case cannot be settled from the parts alone: an unmodelled property whose values change type
from one batch to the next (a number here, a text there) is JSON text, as one build keeps such a property, but
written from the parts' values, so a struct's absent keys read as null in it. And two properties that a build
keeps whole in ``extra`` only when some point needs it (``recoveryPointTierDetails`` with an unknown tier,
``recoveryPointProperties`` with more than expiry and rule) are kept by the batches that needed it: the other
batches' rows are null there (their tiers, expiry and rule are in the columns), where one build keeps them all.
"""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any

from .frames import recovery_points_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

#: Points per part: large enough that a build costs little per point, small enough to hold (~40 MB of dicts;
#: 16,384 cost 100 MB more peak memory in a 10,000-VM inventory).
BATCH = 8_192


class PointsFrameParts:
    """Recovery points turned into frame parts every ``batch`` points (thread-safe; see the module doc).

    The parts are built by one builder thread, whichever thread adds the points: Arrow's allocator (mimalloc,
    jemalloc) keeps a heap per thread, and a part built in each of many fetching threads would pin freed build
    memory in each of their heaps (measured: 1.4 GB for a 270 MB frame). At most two full batches wait for the
    builder; a third is handed over under the lock, so that while it waits every thread that adds points waits
    too: the points held are at most the pending batch, two waiting and the one being built, however many threads
    fetch. (Before, only the thread that filled a batch waited, and the others went on filling batches of their
    own: with 64 fetching threads the peak of a 10,000-VM inventory ranged from 0.85 to 1.6 GB from run to run,
    as far as the builder fell behind.)
    """

    def __init__(self, batch: int | None = None, sort_by: list[str] | None = None) -> None:
        """``batch``: points per part (default :data:`BATCH`); ``sort_by``: the columns the frame is sorted by
        (stable), else it lists the parts in the order they were built."""
        self.batch = BATCH if batch is None else batch
        self.sort_by = list(sort_by or [])
        if self.batch < 1:
            raise ValueError("batch must be >= 1")
        self._lock = threading.Lock()  # the points taken: pending, handed to the builder
        self._parts_lock = threading.Lock()  # the parts built (the builder takes it while adders wait on _lock)
        self._pending: list[dict[str, Any]] = []
        self._parts: list[pd.DataFrame] = []
        self._full: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=2)
        self._builder: threading.Thread | None = None
        self._failure: BaseException | None = None
        #: Points taken so far.
        self.points = 0

    @property
    def parts(self) -> int:
        """Parts built so far."""
        with self._parts_lock:
            return len(self._parts)

    def add(self, points: list[dict[str, Any]]) -> None:
        """Take ``points`` (recovery-point resources); a full batch goes to the builder thread."""
        with self._lock:
            self._raise_failure()
            self._pending.extend(points)
            self.points += len(points)
            if len(self._pending) < self.batch:
                return
            full, self._pending = self._pending, []
            if self._builder is None:
                self._builder = threading.Thread(target=self._build_parts, name="restorekit-frame-parts", daemon=True)
                self._builder.start()
            self._full.put(full)  # under the lock: while the builder is two batches behind, no thread adds points

    def _build_parts(self) -> None:
        while (points := self._full.get()) is not None:
            try:
                if self._failure is None:
                    part = self._build(points)
                    with self._parts_lock:
                        self._parts.append(part)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller of add() or frame()
                self._failure = exc
            del points  # the dicts go now: only the part's Arrow arrays and codes remain

    def _build(self, points: list[dict[str, Any]]) -> pd.DataFrame:
        """A part's frame, sorted already (so that the frame's order takes whole runs of each part's rows)."""
        part = recovery_points_frame(points)
        if self.sort_by and len(part):
            part = part.sort_values(self.sort_by, kind="stable", ignore_index=True)
        _release_unused()
        return part

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        """Stop the builder thread once it has built what it was given (``frame()`` does it; idempotent)."""
        with self._lock:
            builder, self._builder = self._builder, None
        if builder is not None:
            self._full.put(None)
            builder.join()

    def frame(self) -> pd.DataFrame:
        """The frame of every point taken (the last, partial batch built now). The parts are used up: a column is
        joined, then dropped from them."""
        self.close()
        self._raise_failure()
        with self._lock, self._parts_lock:
            rest, self._pending = self._pending, []
            parts, self._parts = self._parts, []
        if rest or not parts:
            parts.append(self._build(rest))
        del rest
        return _join(parts, self.sort_by, consume=True)


def join_frames(frames: list[pd.DataFrame], sort_by: list[str] | None = None) -> pd.DataFrame:
    """Concatenate points frames built apart into the frame one build of all their points gives (see the module doc).

    Categorical columns take the union of the parts' categories: the vocabulary every part lists first (consistency,
    OS, region, tiers) stays first, the other values follow sorted when every part sorts them (what one build does),
    else in the order the parts show them. Arrow columns of different types (``extra``: a property one part lacks, an
    empty list beside a list of disks) take the union of the types; a field whose types cannot be united becomes JSON
    text.
    """
    return _join(list(frames), sort_by, consume=False)


def _join(frames: list[pd.DataFrame], sort_by: list[str] | None, *, consume: bool) -> pd.DataFrame:
    """The parts joined (and sorted); with ``consume``, each part's column is dropped once joined (less memory)."""
    import pandas as pd

    first = frames[0]
    names, attrs = list(first.columns), dict(first.attrs)
    if any(list(f.columns) != names for f in frames):
        raise ValueError("the parts have different columns")
    columns: dict[str, Any] = {name: _join_column(name, [f[name] for f in frames]) for name in sort_by or []}
    order = None
    if sort_by:
        keys = pd.DataFrame({name: columns[name] for name in sort_by}, copy=False)
        order = keys.sort_values(sort_by, kind="stable").index.to_numpy()
        for name in sort_by:
            columns[name] = _taken(columns[name], order)
    for name in names:
        if name not in columns:
            column = _join_column(name, [f[name] for f in frames])
            columns[name] = column if order is None else _taken(column, order)
            del column
        if consume:
            for f in frames:
                del f[name]
            _release_unused()
    joined = pd.DataFrame({name: columns.pop(name) for name in names}, copy=False)
    joined.attrs = attrs
    return joined


def _taken(column: pd.Series, order: Any) -> pd.Series:
    """The rows of ``column`` in ``order``, indexed from 0.

    An Arrow column in chunks is copied once, as whole runs of consecutive rows (``take`` would join the chunks
    first, a second copy of the column): parts sorted alike make the frame's order a few thousand such runs.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(column.dtype, pd.ArrowDtype) and len(order):
        chunked = pa.array(column.array)
        chunks = chunked.chunks if isinstance(chunked, pa.ChunkedArray) else [chunked]
        bounds = np.cumsum([0, *map(len, chunks)])
        chunk_of = np.searchsorted(bounds, order, side="right") - 1
        starts = np.flatnonzero(np.concatenate([[True], (np.diff(order) != 1) | (np.diff(chunk_of) != 0)]))
        if len(starts) <= len(order) // 4:
            lengths = np.diff(np.append(starts, len(order)))
            pieces = [chunks[chunk_of[s]].slice(order[s] - bounds[chunk_of[s]], n) for s, n in zip(starts, lengths, strict=True)]
            return pd.Series(pd.arrays.ArrowExtensionArray(pa.concat_arrays(pieces)), name=column.name)
    return pd.Series(column.array.take(order), name=column.name)


def _join_column(name: str, parts: list[pd.Series]) -> pd.Series:
    """One column of the parts as one."""
    import pandas as pd

    dtype = parts[0].dtype
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    if isinstance(dtype, pd.CategoricalDtype):
        return _join_categoricals(name, parts)
    if all(p.dtype == dtype for p in parts):
        return pd.concat(parts, ignore_index=True)
    if all(isinstance(p.dtype, pd.ArrowDtype) for p in parts):
        return pd.Series(pd.arrays.ArrowExtensionArray(_arrow_union([p.array for p in parts])), name=name)
    raise ValueError(f"column {name}: {dtype} in one part, {[str(p.dtype) for p in parts]} in all")


def _release_unused() -> None:
    """Give back to the system what Arrow's memory pool keeps of freed buffers (mimalloc and jemalloc keep them for
    reuse: a build's temporaries would otherwise stay in the process's memory, hundreds of MB at 800,000 points)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _join_categoricals(name: str, parts: list[pd.Series]) -> pd.Series:
    """Categoricals of the parts as one, under the categories one build would give."""
    import pandas as pd
    from pandas.api.types import union_categoricals

    listed = [list(p.cat.categories) for p in parts]
    if all(c == listed[0] for c in listed):
        return pd.concat(parts, ignore_index=True)
    known = listed[0]
    for categories in listed[1:]:  # the vocabulary: what every part lists first
        common = 0
        while common < min(len(known), len(categories)) and known[common] == categories[common]:
            common += 1
        known = known[:common]
    seen = [c[len(known):] for c in listed]
    rest = list(dict.fromkeys(v for values in seen for v in values))
    if all(values == sorted(values, key=str) for values in seen):
        rest.sort(key=str)
    categories = [*known, *rest]
    joined = union_categoricals([p.array for p in parts], ignore_order=True)
    return pd.Series(pd.Categorical(joined, categories=categories), name=name)


def _arrow_union(arrays: list[Any]) -> pa.ChunkedArray:
    """Arrow arrays as one, under the union of their types (structs field by field; JSON text where types clash)."""
    import pyarrow as pa

    chunks = [pa.array(a) for a in arrays]
    shape = _union([c.type for c in chunks])
    return pa.chunked_array([_as_shape(c, shape) for c in chunks], type=_type_of(shape))


#: The union of types that clash: JSON text.
_JSON = "json"


def _union(types: list[pa.DataType]) -> Any:
    """The shape that holds values of every type of ``types`` (nulls and missing fields aside): a type, ``_JSON``,
    ``("struct", [(name, shape)…])`` or ``("list", shape)``."""
    import pyarrow as pa

    present = [t for t in types if not pa.types.is_null(t)]
    if not present:
        return pa.null()
    if all(t == present[0] for t in present):
        return present[0]
    if all(pa.types.is_struct(t) for t in present):
        names = list(dict.fromkeys(f.name for t in present for f in t))
        return "struct", [(n, _union([t.field(n).type for t in present if t.get_field_index(n) >= 0])) for n in names]
    if all(pa.types.is_list(t) for t in present):
        return "list", _union([t.value_type for t in present])
    return _JSON


def _type_of(shape: Any) -> pa.DataType:
    """The Arrow type of a shape (JSON text is a string)."""
    import pyarrow as pa

    if isinstance(shape, pa.DataType):
        return shape
    if isinstance(shape, str):  # _JSON
        return pa.string()
    kind, inner = shape
    if kind == "list":
        return pa.list_(_type_of(inner))
    return pa.struct([(name, _type_of(field)) for name, field in inner])


def _has_json(shape: Any) -> bool:
    """Whether a shape holds JSON text somewhere."""
    if isinstance(shape, str):
        return True
    if isinstance(shape, tuple):
        kind, inner = shape
        return _has_json(inner) if kind == "list" else any(_has_json(field) for _, field in inner)
    return False


def _as_shape(array: pa.Array, shape: Any) -> pa.Array:
    """``array`` under ``shape`` (a union of its type): fields it lacks are null, clashing values JSON text."""
    import pyarrow as pa

    if isinstance(shape, str):  # _JSON
        return _json_text(array)
    target = _type_of(shape)
    if array.type == target and not _has_json(shape):
        return array
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), target)
    if isinstance(shape, pa.DataType):
        return array.cast(target)
    kind, inner = shape
    mask = array.is_null() if array.null_count else None
    if kind == "list":
        return pa.ListArray.from_arrays(array.offsets, _as_shape(array.flatten(), inner), mask=mask)
    fields = [_as_shape(array.field(name), field) if array.type.get_field_index(name) >= 0
              else pa.nulls(len(array), _type_of(field)) for name, field in inner]
    return pa.StructArray.from_arrays(fields, names=[name for name, _ in inner], mask=mask)


def _json_text(array: pa.Array) -> pa.Array:
    """Values as JSON text, as one build keeps a property whose values disagree on a type; text that is JSON
    already (a part whose own values disagreed) is kept."""
    import pyarrow as pa

    from .columns import json_text

    values = array.to_pylist()
    if pa.types.is_string(array.type) and _is_json_text(values):
        return array.cast(pa.string())
    return pa.array([None if v is None else json_text(v) for v in values], type=pa.string())


def _is_json_text(values: list[Any]) -> bool:
    """Whether texts are what one build writes for values that disagree on a type (or hold an empty dict): each
    parses as JSON, and they are not all texts, or some hold a list or a dict."""
    import json

    parsed = []
    for value in values:
        if value is None:
            continue
        try:
            parsed.append(json.loads(value))
        except ValueError:
            return False
    kinds = set(map(type, parsed))
    return bool(parsed) and (kinds != {str} or bool(kinds & {list, dict}))
