"""The HTTP layer of the living searches: polite rate limits, retries, a request log.

Limits (each service's published guidance):

- NCBI E-utilities: at most 3 requests per second without an API key, 10 with one, and
  ``tool`` and ``email`` parameters on every request (Sayers 2010, "A General
  Introduction to the E-utilities", Entrez Programming Utilities Help, NBK25497);
- ClinicalTrials.gov API v2: about 50 requests per minute per address
  (clinicaltrials.gov/data-api/api), so one request per 1.2 s.

A request answered 429 or 5xx (or timing out while reading) is tried again after
``Retry-After`` seconds when the service sends a number, else after 1, 2, 4, 8 s
(exponential backoff), at most :data:`MAX_RETRIES` times. The clock and the sleep are
injected, so that tests neither wait nor depend on the time of day.

Exceptions::

    LivingMetaError
     +-- SearchError                a saved search cannot be run (no searches.toml, ...)
          +-- SearchNetworkError    a service cannot be reached (no network, DNS, timeout)
          +-- SearchServiceError    a service kept failing (429/5xx after the retries),
                                    refused the request (4xx) or answered in another format
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from livingmeta.errors import LivingMetaError

__all__ = [
    "CTGOV_INTERVAL",
    "EUTILS_INTERVAL",
    "EUTILS_KEY_INTERVAL",
    "MAX_RETRIES",
    "RETRY_STATUSES",
    "Exchange",
    "Fetcher",
    "RateLimiter",
    "SearchError",
    "SearchNetworkError",
    "SearchServiceError",
]

#: Seconds between E-utilities requests without an API key (3 per second).
EUTILS_INTERVAL = 1.0 / 3.0
#: Seconds between E-utilities requests with an API key (10 per second).
EUTILS_KEY_INTERVAL = 0.1
#: Seconds between ClinicalTrials.gov requests (50 per minute).
CTGOV_INTERVAL = 60.0 / 50.0
#: Statuses that are tried again after a pause.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Retries after the first attempt.
MAX_RETRIES = 4
_BACKOFF_CAP = 60.0
#: Parameters never written to the request log.
SECRET_PARAMS = ("api_key",)


class SearchError(LivingMetaError):
    """A saved search cannot be run (the review folder declares none, ...)."""


class SearchNetworkError(SearchError):
    """A search service cannot be reached: no network, no DNS, or it timed out.

    Attributes
    ----------
    host : str
        The host that could not be reached.
    """

    def __init__(self, host: str, reason: str):
        self.host = host
        super().__init__(f"cannot reach {host} ({reason})")


class SearchServiceError(SearchError):
    """A search service kept failing, refused a request, or answered in another format."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the response that was kept (the last attempt's).

    Attributes
    ----------
    kind : str
        ``esearch``, ``efetch`` or ``studies``.
    method, url : str
        The request, without its query string.
    params : tuple of (name, value)
        Query parameters, without the API key.
    status : int
        HTTP status of the response kept.
    attempts : int
        Requests made (1 when the first one was answered).
    text : str
        The response body as received.
    suffix : str
        ``.json`` or ``.xml``: how the body is stored.
    """

    kind: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    status: int
    attempts: int
    text: str
    suffix: str


class RateLimiter:
    """Keeps at least ``interval`` seconds between the starts of requests to one service.

    Parameters
    ----------
    interval : float
        Minimum seconds between two requests.
    sleep, clock : callables
        ``time.sleep`` and ``time.monotonic`` unless injected.

    Examples
    --------
    >>> now, slept = [0.0], []
    >>> limiter = RateLimiter(0.5, sleep=slept.append, clock=lambda: now[0])
    >>> limiter.wait(); now[0] = 0.2; limiter.wait()
    >>> [round(s, 6) for s in slept]
    [0.3]
    """

    def __init__(self, interval: float, *, sleep: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.interval = float(interval)
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until ``interval`` has passed since the previous request, then mark now."""
        now = self._clock()
        if self._last is not None and now - self._last < self.interval:
            pause = min(self.interval, self.interval - (now - self._last))
            self._sleep(pause)
            # A sleep may overrun, never underrun: count from the later of the two.
            now = max(self._clock(), self._last + self.interval)
        self._last = now


def _retry_after(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        return min(max(float(header), 0.0), _BACKOFF_CAP)
    except ValueError:
        return min(2.0 ** attempt, _BACKOFF_CAP)


class Fetcher:
    """GET requests through an injected ``httpx.Client``, paced, retried and logged.

    Parameters
    ----------
    client : httpx.Client
        Tests pass one built on ``httpx.MockTransport``.
    sleep : callable
        Used for the backoff pauses (the rate limiters hold their own).
    max_retries : int
        Retries after the first attempt (default :data:`MAX_RETRIES`).
    """

    def __init__(self, client: httpx.Client, *, sleep: Callable[[float], object] = time.sleep,
                 max_retries: int = MAX_RETRIES):
        self.client = client
        self._sleep = sleep
        self.max_retries = max_retries

    def get(self, url: str, params: Mapping[str, str], *, limiter: RateLimiter, kind: str,
            suffix: str, label: str) -> Exchange:
        """GET ``url`` with ``params``; the response once it is 2xx.

        ``label`` names the search in error messages. Raises
        :class:`SearchNetworkError` when the host cannot be reached and
        :class:`SearchServiceError` for a 4xx or when 429/5xx outlast the retries.
        """
        host = urlsplit(url).hostname or url
        attempt = 0
        while True:
            limiter.wait()
            attempt += 1
            try:
                response = self.client.get(url, params=dict(params))
            except httpx.ReadTimeout:
                if attempt > self.max_retries:
                    raise SearchNetworkError(host, "read timed out") from None
                self._sleep(min(2.0 ** (attempt - 1), _BACKOFF_CAP))
                continue
            except httpx.TransportError as error:
                raise SearchNetworkError(host, type(error).__name__) from None
            except httpx.RequestError as error:  # e.g. a body that cannot be decoded
                raise SearchServiceError(f"the {kind} request of {label} to {host} failed: "
                                         f"{type(error).__name__}: {error}") from None
            if response.status_code in RETRY_STATUSES and attempt <= self.max_retries:
                self._sleep(_retry_after(response, attempt - 1))
                continue
            if not response.is_success:
                body = " ".join(response.text.split())[:200]
                raise SearchServiceError(
                    f"{host} answered {response.status_code} to the {kind} request of "
                    f"{label} after {attempt} attempt{'s' if attempt > 1 else ''}"
                    + (f": {body}" if body else ""))
            shown = tuple((k, str(v)) for k, v in params.items() if k not in SECRET_PARAMS)
            return Exchange(kind, "GET", url, shown, response.status_code, attempt,
                            response.text, suffix)
