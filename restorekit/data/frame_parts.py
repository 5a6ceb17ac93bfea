"""A points frame built in parts, while the rest is still being fetched, and joined as one build would make it.

An inventory over several subscriptions finishes some subscriptions well before the last one, which ARM's
read throttle holds back: :class:`PointsFrameParts` builds each finished part's frame then (the machine is
otherwise waiting) and joins the parts at the end. The joined frame equals the frame built from all the points
at once (the unmodelled properties in ``extra`` may list their fields in another order: the first part's, then
the others sorted), or the parts are not used: when the parts' columns disagree in a way a join cannot settle
exactly (categories in a vocabulary order, unmodelled properties of different types), it builds once from
every point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .frames import recovery_points_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class PartsDisagree(ValueError):
    """The parts' frames cannot be joined into exactly the frame one build would give."""


class PointsFrameParts:
    """Recovery points gathered part by part (``add``), each part's frame built when it is complete (``close``)."""

    def __init__(self, parts: list[Any] | None = None) -> None:
        """``parts``: the parts in the order the frame lists them (else the order they are first added in)."""
        self._points: dict[Any, list[dict[str, Any]]] = {part: [] for part in parts or []}
        self._frames: dict[Any, pd.DataFrame] = {}
        #: Parts built before the end; ``joined`` is True when the final frame came from them.
        self.built_early = 0
        self.joined = False

    def add(self, part: Any, points: list[dict[str, Any]]) -> None:
        """Points of ``part`` (a subscription…), in the order the whole frame should list them."""
        self._points.setdefault(part, []).extend(points)

    def close(self, part: Any) -> None:
        """``part`` has all its points: build its frame now."""
        if part in self._points and part not in self._frames:
            self._frames[part] = recovery_points_frame(self._points[part])
            self.built_early += 1

    def frame(self) -> pd.DataFrame:
        """The frame of every point, parts in the order they were first added."""
        for part in self._points:
            if part not in self._frames:
                self._frames[part] = recovery_points_frame(self._points[part])
        parts = [self._frames[part] for part in self._points]
        if len(parts) == 1:
            self.joined = True
            return parts[0]
        try:
            joined = join_frames(parts)
        except PartsDisagree:
            return recovery_points_frame([p for points in self._points.values() for p in points])
        self.joined = True
        return joined


def join_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate points frames built apart into the frame one build of all their points gives.

    Categorical columns keep equal categories, or take the sorted union when every part's categories are
    sorted (what one build does for values without a vocabulary). Arrow columns of different types (``extra``:
    a property one part has and another lacks, an empty list beside a list of disks) take the union of the
    types when each part's type only lacks fields or has nulls where the union has types; any other difference
    raises :class:`PartsDisagree`.
    """
    import pandas as pd
    from pandas.api.types import union_categoricals

    first = frames[0]
    if any(list(f.columns) != list(first.columns) for f in frames):
        raise PartsDisagree("the parts have different columns")
    columns: dict[str, Any] = {}
    for name in first.columns:
        parts = [f[name] for f in frames]
        dtype = first[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if not all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts) or dtype.ordered:
                raise PartsDisagree(f"column {name}: not the same kind of categorical")
            if all(p.cat.categories.equals(dtype.categories) for p in parts):
                columns[name] = pd.concat(parts, ignore_index=True)
                continue
            if not all(list(p.cat.categories) == sorted(p.cat.categories, key=str) for p in parts):
                raise PartsDisagree(f"column {name}: categories in a vocabulary order differ")
            union = union_categoricals([p.array for p in parts], sort_categories=True)
            columns[name] = pd.Series(union, name=name)
        elif all(p.dtype == dtype for p in parts):
            columns[name] = pd.concat(parts, ignore_index=True)
        elif all(isinstance(p.dtype, pd.ArrowDtype) for p in parts):
            columns[name] = pd.Series(_arrow_union(name, [p.array for p in parts]), name=name)
        else:
            raise PartsDisagree(f"column {name}: {dtype} in one part, {[str(p.dtype) for p in parts]} in all")
    joined = pd.DataFrame(columns)
    joined.attrs = dict(first.attrs)
    return joined


def _arrow_union(name: str, arrays: list[Any]) -> Any:
    """Arrow-backed arrays of types that differ only by missing fields and nulls, joined under their union type."""
    import pandas as pd
    import pyarrow as pa

    chunks = [pa.array(a) for a in arrays]
    try:
        union = pa.unify_schemas([pa.schema([(name, c.type)]) for c in chunks], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, NotImplementedError) as exc:
        raise PartsDisagree(f"column {name}: {exc}") from None
    target = union.field(name).type
    if pa.types.is_struct(target) and pa.types.is_struct(chunks[0].type):  # as one build lists keys: the first
        first = [chunks[0].type.field(i).name for i in range(chunks[0].type.num_fields)]  # part's, then sorted
        rest = sorted({target.field(i).name for i in range(target.num_fields)} - set(first), key=str)
        target = pa.struct([target.field(n) for n in [*first, *rest]])
    if not all(_only_lacks(c.type, target) for c in chunks):
        raise PartsDisagree(f"column {name}: types that a union would change")
    try:
        joined = pa.concat_arrays([c.cast(target) for c in chunks])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise PartsDisagree(f"column {name}: {exc}") from None
    return pd.arrays.ArrowExtensionArray(joined)


def _only_lacks(part: Any, union: Any) -> bool:
    """True when ``part`` is ``union`` with fewer struct fields or nulls in places (fields matched by name)."""
    import pyarrow as pa

    if part == union or pa.types.is_null(part):
        return True
    if pa.types.is_struct(part) and pa.types.is_struct(union):
        names = {union.field(i).name for i in range(union.num_fields)}
        return all(part.field(i).name in names and _only_lacks(part.field(i).type, union.field(part.field(i).name).type)
                   for i in range(part.num_fields))
    if (pa.types.is_list(part) and pa.types.is_list(union)) or (
            pa.types.is_large_list(part) and pa.types.is_large_list(union)):
        return _only_lacks(part.value_type, union.value_type)
    return False
