"""The HTTP under slack-sdk's clients: a request carrying a Slack credential never follows a redirect.

slack-sdk sends with urllib, whose default opener follows a redirect to any host and resends every
header, the bot token's `Authorization` included (and a webhook's URL is itself the secret). Slack
never redirects its Web API or webhooks, so any 3xx is refused. slack-sdk has no switch for this:
`GuardedWebClient` and `GuardedWebhookClient` replace only the method that opens the connection;
the tests prove that a foreign host receives nothing, so a slack-sdk upgrade that renames those
methods is caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from io import BytesIO
from ssl import SSLContext
from typing import IO, Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import (
    BaseHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
    build_opener,
)

from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

from tracker.slack.errors import SlackError


class RedirectRefused(SlackError):
    """Slack's side answered with a redirect; it was not followed, so no credential left."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Message
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8", errors="replace")


class GuardedWebClient(WebClient):
    """slack-sdk's Web API client, sending through `exchange`."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        answer = exchange(req, proxy=self.proxy, ssl=self.ssl, timeout=self.timeout)
        return {"status": answer.status, "headers": answer.headers, "body": answer.text()}


class GuardedWebhookClient(WebhookClient):
    """slack-sdk's incoming-webhook client, sending through `exchange`."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        answer = exchange(req, proxy=self.proxy, ssl=self.ssl, timeout=self.timeout)
        return WebhookResponse(
            url=url,
            status_code=answer.status,
            body=answer.text(),
            headers=dict(answer.headers.items()),
        )


def exchange(req: Request, *, proxy: str | None, ssl: SSLContext | None, timeout: float) -> Answer:
    """Send one request and read its answer; a 4xx/5xx is raised as urllib's HTTPError (as slack-sdk
    expects), a 3xx as RedirectRefused."""
    if urlsplit(req.full_url).scheme not in ("http", "https"):
        raise SlackError(f"not an http(s) URL: {urlsplit(req.full_url).scheme}:")
    try:
        with _opener(proxy, ssl).open(req, timeout=timeout) as response:
            answer = Answer(response.status, response.headers, response.read())
    except HTTPError as error:
        with error:
            answer = Answer(error.code, error.headers, error.read())
    if 300 <= answer.status < 400:
        raise _refused(req, answer.status, answer.headers.get("Location"))
    if answer.status >= 400:
        raise HTTPError(req.full_url, answer.status, "", answer.headers, BytesIO(answer.body))
    return answer


class _RefuseRedirects(HTTPRedirectHandler):
    def redirect_request(
        self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> Request | None:
        fp.close()
        raise _refused(req, code, newurl)


def _refused(req: Request, status: int, location: str | None) -> RedirectRefused:
    """Names the hosts only: a webhook URL's path is its secret, and so may a Location's be."""
    origin = urlsplit(req.full_url).hostname or "Slack"
    elsewhere = urlsplit(location).hostname if location else None
    where = f" from {origin} to {elsewhere or origin}" if location else f" from {origin}"
    return RedirectRefused(
        f"refused a redirect (HTTP {status}){where}: Slack never redirects its API or webhooks, and the "
        "request carries a Slack credential; check the Slack URL and any proxy in between",
        error="redirect",
        status=status,
    )


def _opener(proxy: str | None, ssl: SSLContext | None) -> OpenerDirector:
    handlers: list[BaseHandler] = [_RefuseRedirects(), HTTPSHandler(context=ssl)]
    if proxy:
        handlers.append(ProxyHandler({"http": proxy, "https": proxy}))
    return build_opener(*handlers)
