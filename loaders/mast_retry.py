"""Retrying MAST's transient answers: 429, 502, 503, 504, a connection reset, a timeout.

Each is asked again a bounded number of times, waiting twice as long each time (from `first_wait`)
or as long as MAST's `Retry-After` says (seconds or an HTTP date), never longer than `max_wait`.
Anything else (another 4xx, a 500, a refused connection, an unknown host) is not retried. The clock
and the sleep are the policy's, so that tests wait for nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

T = TypeVar("T")

#: HTTP statuses that say "not now": asked again.
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})


class RetriesExhausted(RuntimeError):
    """A transient fault still there after the last retry (chained to it); `reason` says which."""

    def __init__(self, reason: str, retries: int) -> None:
        super().__init__(f"{reason} (still after {retries} {'retry' if retries == 1 else 'retries'})")
        self.reason = reason


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait (`MASTGRAPH_MAST_RETRIES`, `_RETRY_WAIT`, `_RETRY_MAX_WAIT`)."""

    retries: int = 4
    first_wait: float = 2.0
    max_wait: float = 60.0
    #: None: this module's `_sleep` and `_utc_now`, looked up when used (a test replaces them)
    sleep: Callable[[float], None] | None = None
    now: Callable[[], datetime] | None = None
    #: told each retry in one line ("MAST query_criteria: HTTP 503 Service Unavailable; retry 1 of 4 in 2 s")
    on_retry: Callable[[str], None] = field(default=lambda line: None)

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)`, asked again on a transient fault; `RetriesExhausted` (chained to the
        last fault) when it is still there after the last retry; any other fault as it was raised."""
        attempt = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - sorted below: transient or not
                reason = transient(exc)
                if reason is None:
                    raise
                if attempt >= self.retries:
                    raise RetriesExhausted(reason, self.retries) from exc
                attempt += 1
                wait, asked = self.wait(attempt, exc)
                capped = f" (MAST asked for {asked:,.0f} s)" if asked is not None and asked > wait else ""
                self.on_retry(f"MAST {what}: {reason}; retry {attempt} of {self.retries} in {wait:.3g} s{capped}")
                (self.sleep or _sleep)(wait)

    def wait(self, attempt: int, exc: BaseException) -> tuple[float, float | None]:
        """Seconds before retry `attempt` (1, 2, ...): MAST's Retry-After when it gave one, else the
        doubling backoff; at most `max_wait`. And the seconds Retry-After asked for (None: none)."""
        asked = retry_after(exc, self.now or _utc_now)
        wait = asked if asked is not None else self.first_wait * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait)), asked


def _response(exc: BaseException) -> Any:
    return getattr(exc, "response", None)


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an HTTP error (requests' HTTPError carries its response)."""
    status = getattr(_response(exc), "status_code", None)
    return status if isinstance(status, int) else None


def transient(exc: BaseException) -> str | None:
    """What makes `exc` worth asking again ("HTTP 503 Service Unavailable", "connection reset",
    "timed out"), or None when it is not."""
    status = status_of(exc)
    if status is not None:
        if status not in TRANSIENT_STATUSES:
            return None
        reason = getattr(_response(exc), "reason", None) or ""
        return f"HTTP {status} {reason}".rstrip()
    import requests

    if isinstance(exc, requests.Timeout):  # (ConnectTimeout, ReadTimeout)
        return "timed out"
    causes = list(_causes(exc))
    # (urllib3's NewConnectionError is a ConnectTimeoutError too: a refused connection, not a timeout,
    # as requests itself tells them apart)
    if any(isinstance(c, (TimeoutError, _urllib3("TimeoutError"))) and not isinstance(c, _urllib3("NewConnectionError"))
           for c in causes):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or any(_is_reset(c) for c in causes):
        return "connection reset"
    return None


def _is_reset(exc: BaseException) -> bool:
    """A connection the other side closed or reset (not one refused, nor a host not found)."""
    from http.client import RemoteDisconnected

    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, RemoteDisconnected)):
        return True
    return isinstance(exc, _urllib3("ProtocolError")) and not any(
        isinstance(c, (ConnectionRefusedError, _urllib3("NameResolutionError"))) for c in _causes(exc, top=False))


def _urllib3(name: str) -> type:
    """urllib3's exception class `name` (a class no exception is, should it be missing)."""
    import urllib3.exceptions

    return getattr(urllib3.exceptions, name, _Never)


class _Never(Exception):
    pass


def _causes(exc: BaseException, top: bool = True) -> Iterator[BaseException]:
    """`exc` (with `top`) and every exception under it: its cause and context, the exceptions among
    its arguments (requests wraps urllib3's, which wrap the socket's) and urllib3's `reason`."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current is not exc or top:
            yield current
        under = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(e for e in under if isinstance(e, BaseException))


def retry_after(exc: BaseException, now: Callable[[], datetime] | None = None) -> float | None:
    """The seconds an HTTP error's `Retry-After` asks to wait (a number, or an HTTP date from `now`),
    None when it has none that can be read."""
    headers = getattr(_response(exc), "headers", None)
    value = headers.get("Retry-After") if headers is not None else None
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # (an HTTP date is GMT)
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or _utc_now)()).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
