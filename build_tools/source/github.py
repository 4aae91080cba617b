"""A pull request as GitHub's REST API gives it: the pull request, its reviews, its files
and its issue events (who was asked to review), read with the standard library's
``urllib`` (four small GET requests and their pages: no client library needed).

Every list is read to its last page (``per_page=100``, following the ``Link: rel="next"``
header). Failures raise :class:`GitHubError` with one line; each request has a timeout.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

API = "https://api.github.com"
TIMEOUT = 30
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")


class GitHubError(Exception):
    pass


@dataclass(frozen=True)
class PullRequestResponses:
    """The four responses, as JSON: ``GET /repos/{o}/{r}/pulls/{n}``, ``…/pulls/{n}/reviews``,
    ``…/pulls/{n}/files`` and ``…/issues/{n}/events`` (every page of the lists)."""

    pull: dict[str, Any]
    reviews: list[dict[str, Any]]
    files: list[dict[str, Any]]
    events: list[dict[str, Any]]


def fetch_pull_request(repo: str, number: int, token: str | None,
                       api: str = API) -> PullRequestResponses:
    """Read pull request ``number`` of ``repo`` (``owner/name``)."""
    if not _REPO.fullmatch(repo):
        raise GitHubError(f"{repo!r} is not a repository written owner/name")
    base = f"{api.rstrip('/')}/repos/{repo}"
    pull = _get(f"{base}/pulls/{number}", token)
    if not isinstance(pull, dict):
        raise GitHubError(f"{base}/pulls/{number} did not answer with a pull request")
    return PullRequestResponses(pull, _pages(f"{base}/pulls/{number}/reviews", token),
                                _pages(f"{base}/pulls/{number}/files", token),
                                _pages(f"{base}/issues/{number}/events", token))


def _pages(url: str, token: str | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = f"{url}?per_page=100"
    while next_url is not None:
        page, link = _request(next_url, token)
        if not isinstance(page, list):
            raise GitHubError(f"{url} did not answer with a list")
        items += [item for item in page if isinstance(item, dict)]
        match = _NEXT.search(link or "")
        next_url = match.group(1) if match else None
    return items


def _get(url: str, token: str | None) -> Any:
    return _request(url, token)[0]


def _request(url: str, token: str | None) -> tuple[Any, str | None]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
               "User-Agent": "sopkb-record-approval"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8")), response.headers.get("Link")
    except urllib.error.HTTPError as error:
        raise GitHubError(f"{url}: HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GitHubError(f"{url}: {getattr(error, 'reason', error)}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GitHubError(f"{url}: the answer is not JSON") from error
