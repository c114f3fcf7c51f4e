"""Share one query between the metrics of a page render (or an API call), never across requests.

`with metric_session(): …` opens a scope; inside it `memoized(key, compute)` computes once per
key. Outside a scope every call computes afresh, so a selector is always correct on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_SCOPE: ContextVar[dict | None] = ContextVar("dashboards_metric_scope", default=None)


@contextmanager
def metric_session() -> Iterator[None]:
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def memoized(key: tuple, compute: Callable[[], Any]) -> Any:
    scope = _SCOPE.get()
    if scope is None:
        return compute()
    if key not in scope:
        scope[key] = compute()
    return scope[key]
