"""Local fakes of the review platforms' HTTP APIs, built from their documented requests and
answers: Google Business Profile, Trustpilot, App Store Connect and Google Play.

Each fake checks credentials the way the platform does (OAuth grants, signed JWTs), refuses
expired or unknown tokens with 401, pages its listings, records every call with its body, and
can be told to answer the next calls with 429 (Retry-After) or 5xx.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.fakes.local_server import LocalServer, Reply, Request


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON or form, else the raw text


@dataclass
class _Failure:
    reply: Reply
    times: int
    path_part: str


class FakePlatform(LocalServer):
    """Token checks, recorded calls and scripted failures; subclasses add the endpoints."""

    token_path = "/token"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.tokens: set[str] = set()
        self.token_grants: list[dict[str, str]] = []
        self._failures: list[_Failure] = []
        self.lock = threading.RLock()

    # --- scripting ------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        path_part: str = "",
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` calls whose path contains `path_part` with `status`."""
        reply = Reply.json(body if body is not None else {}, status)
        if headers:
            reply = Reply(reply.status, reply.body, {**reply.headers, **headers})
        with self.lock:
            self._failures.append(_Failure(reply, times, path_part))

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def api_calls(self, method: str | None = None) -> list[Call]:
        with self.lock:
            return [
                c
                for c in self.calls
                if c.path != self.token_path
                and not c.path.startswith("/v1/oauth/")
                and (method is None or c.method == method)
            ]

    # --- plumbing -------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        body = _parse_body(request)
        with self.lock:
            self.calls.append(
                Call(request.method, request.path, request.query, dict(request.headers), body)
            )
            for failure in self._failures:
                if failure.path_part in request.path and failure.times > 0:
                    failure.times -= 1
                    return failure.reply
        if self.is_token_request(request):
            return self.grant(request, body)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not self.authorized(token):
            return self.unauthorized()
        return self.api(request, body)

    def is_token_request(self, request: Request) -> bool:
        return request.method == "POST" and request.path == self.token_path

    def issue_token(self, **extra: Any) -> dict[str, Any]:
        token = f"access-{uuid.uuid4().hex}"
        with self.lock:
            self.tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3599, **extra}

    def authorized(self, token: str) -> bool:
        with self.lock:
            return token in self.tokens

    def unauthorized(self) -> Reply:
        return Reply.json({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, 401)

    def grant(self, request: Request, form: Any) -> Reply:
        raise NotImplementedError

    def api(self, request: Request, body: Any) -> Reply:
        raise NotImplementedError


def _parse_body(request: Request) -> Any:
    if not request.body:
        return None
    kind = request.headers.get("Content-Type", "")
    text = request.body.decode("utf-8")
    if kind.startswith("application/json"):
        return json.loads(text)
    if kind.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(text))
    return text


def _page(items: list[Any], offset: int, size: int) -> tuple[list[Any], int | None]:
    chunk = items[offset : offset + size]
    return chunk, (offset + size if offset + size < len(items) else None)


# --- Google Business Profile ----------------------------------------------------------------
@dataclass
class GoogleReview:
    location: str
    review_id: str
    stars: str  # ONE … FIVE
    comment: str
    author: str
    created: datetime
    updated: datetime
    reply: dict[str, Any] | None = None


class FakeGoogleBusiness(FakePlatform):
    """`/token` (refresh-token grant) and `/v4/accounts/*/locations/*/reviews`."""

    CLIENT_ID = "gbp-client-id"
    CLIENT_SECRET = "gbp-client-secret-do-not-log"
    REFRESH_TOKEN = "gbp-refresh-token-do-not-log"
    SCOPE = "https://www.googleapis.com/auth/business.manage"

    def __init__(self, account: str = "100", page_limit: int = 2) -> None:
        super().__init__()
        self.account = account
        self.page_limit = page_limit  # Google caps pageSize; small here so paging is exercised
        self.reviews: dict[str, GoogleReview] = {}

    def name(self, review: GoogleReview) -> str:
        return f"accounts/{self.account}/locations/{review.location}/reviews/{review.review_id}"

    def add(self, review: GoogleReview) -> str:
        with self.lock:
            self.reviews[self.name(review)] = review
        return self.name(review)

    def grant(self, request: Request, form: Any) -> Reply:
        self.token_grants.append(form)
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("client_id") != self.CLIENT_ID
            or form.get("client_secret") != self.CLIENT_SECRET
            or form.get("refresh_token") != self.REFRESH_TOKEN
        ):
            return Reply.json(
                {"error": "invalid_grant", "error_description": "Token has been revoked."}, 400
            )
        return Reply.json(self.issue_token(scope=self.SCOPE))

    def api(self, request: Request, body: Any) -> Reply:
        parts = request.path.removeprefix("/v4/").split("/")
        if request.method == "GET" and len(parts) == 5 and parts[4] == "reviews":
            return self._list(parts[3], request.query)
        if request.method == "PUT" and len(parts) == 7 and parts[6] == "reply":
            return self._reply("/".join(parts[:6]), body)
        return Reply.json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)

    def _list(self, location: str, query: dict[str, str]) -> Reply:
        with self.lock:
            found = sorted(
                (r for r in self.reviews.values() if r.location == location),
                key=lambda r: r.updated,
                reverse=True,
            )
        size = min(int(query.get("pageSize", 50)), self.page_limit)
        chunk, following = _page(found, int(query.get("pageToken") or 0), size)
        payload: dict[str, Any] = {
            "reviews": [self._json(r) for r in chunk],
            "averageRating": 2.5,
            "totalReviewCount": len(found),
        }
        if following is not None:
            payload["nextPageToken"] = str(following)
        return Reply.json(payload)

    def _json(self, review: GoogleReview) -> dict[str, Any]:
        out = {
            "name": self.name(review),
            "reviewId": review.review_id,
            "reviewer": {"displayName": review.author, "isAnonymous": False},
            "starRating": review.stars,
            "comment": review.comment,
            "createTime": rfc3339(review.created),
            "updateTime": rfc3339(review.updated),
        }
        if review.reply:
            out["reviewReply"] = review.reply
        return out

    def _reply(self, name: str, body: Any) -> Reply:
        with self.lock:
            review = self.reviews.get(name)
            if review is None:
                return Reply.json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)
            comment = (body or {}).get("comment", "")
            if not comment or len(comment.encode()) > 4096:
                return Reply.json({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
            review.reply = {"comment": comment, "updateTime": rfc3339(datetime.now(UTC))}
            return Reply.json(review.reply)


# --- Trustpilot -------------------------------------------------------------------------------
@dataclass
class TrustpilotReview:
    business_unit: str
    review_id: str
    stars: int
    title: str
    text: str
    author: str
    created: datetime
    updated: datetime | None = None
    language: str = "sv"
    replies: list[dict[str, Any]] = field(default_factory=list)


class FakeTrustpilot(FakePlatform):
    """Business-user OAuth (password grant, refresh) and the private reviews API."""

    API_KEY = "tp-api-key"
    API_SECRET = "tp-api-secret-do-not-log"
    USERNAME = "cs@example.com"
    PASSWORD = "tp-password-do-not-log"
    BUSINESS_USER = "5f0e1d2c3b4a59687766aa55"
    ACCESS = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
    REFRESH = "/v1/oauth/oauth-business-users-for-applications/refresh"

    def __init__(self, page_limit: int = 2) -> None:
        super().__init__()
        self.page_limit = page_limit
        self.reviews: dict[str, TrustpilotReview] = {}
        self.refresh_tokens: set[str] = set()

    def add(self, review: TrustpilotReview) -> None:
        with self.lock:
            self.reviews[review.review_id] = review

    def is_token_request(self, request: Request) -> bool:
        return request.method == "POST" and request.path in (self.ACCESS, self.REFRESH)

    def grant(self, request: Request, form: Any) -> Reply:
        form = form or {}
        self.token_grants.append({"path": request.path, **form})
        basic = base64.b64encode(f"{self.API_KEY}:{self.API_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {basic}":
            return Reply.json({"fault": {"faultstring": "Invalid ApiKey"}}, 401)
        if request.path == self.ACCESS:
            ok = (
                form.get("grant_type") == "password"
                and form.get("username") == self.USERNAME
                and form.get("password") == self.PASSWORD
            )
        else:
            ok = form.get("grant_type") == "refresh_token" and (
                form.get("refresh_token") in self.refresh_tokens
            )
        if not ok:
            return Reply.json({"error": "invalid_grant"}, 400)
        refresh = f"refresh-{uuid.uuid4().hex}"
        with self.lock:
            self.refresh_tokens.add(refresh)
        token = self.issue_token(refresh_token=refresh, refresh_token_expires_in="2591999")
        token["expires_in"] = "359999"  # Trustpilot sends it as a string: 100 hours
        return Reply.json(token)

    def api(self, request: Request, body: Any) -> Reply:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts[:3] == ["v1", "private", "business-units"]:
            return self._list(parts[3], request.query)
        if request.method == "POST" and parts[:3] == ["v1", "private", "reviews"]:
            return self._reply(parts[3], body)
        return Reply.json({"message": "Not found"}, 404)

    def _list(self, unit: str, query: dict[str, str]) -> Reply:
        start = query.get("startDateTime")
        since = datetime.fromisoformat(start) if start else None
        with self.lock:
            found = sorted(
                (
                    r
                    for r in self.reviews.values()
                    if r.business_unit == unit and (since is None or r.created >= since)
                ),
                key=lambda r: r.created,
                reverse=True,
            )
        size = min(int(query.get("perPage", 20)), self.page_limit)
        page = int(query.get("page", 1))
        chunk, following = _page(found, (page - 1) * size, size)
        links = [{"href": f"{self.url}{unit}?page={page}", "method": "GET", "rel": "self"}]
        if following is not None:
            links.append({"href": f"?page={page + 1}", "method": "GET", "rel": "next-page"})
        return Reply.json({"reviews": [self._json(r) for r in chunk], "links": links})

    @staticmethod
    def _json(review: TrustpilotReview) -> dict[str, Any]:
        return {
            "id": review.review_id,
            "stars": review.stars,
            "title": review.title,
            "text": review.text,
            "language": review.language,
            "consumer": {"id": "c1", "displayName": review.author},
            "createdAt": rfc3339(review.created),
            "updatedAt": rfc3339(review.updated) if review.updated else None,
            "companyReply": review.replies[-1] if review.replies else None,
        }

    def _reply(self, review_id: str, body: Any) -> Reply:
        with self.lock:
            review = self.reviews.get(review_id)
            if review is None:
                return Reply.json({"message": "Review not found"}, 404)
            if (body or {}).get("authorBusinessUserId") != self.BUSINESS_USER:
                return Reply.json({"message": "Unknown business user"}, 400)
            review.replies.append({"text": body["message"]})
            return Reply(201)


# --- App Store Connect ------------------------------------------------------------------------
def ec_private_key_pem() -> tuple[str, Any]:
    """An ES256 key as App Store Connect's .p8 file holds it, and its public half."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, key.public_key()


@dataclass
class AppStoreReview:
    app: str
    review_id: str
    rating: int
    title: str
    body: str
    nickname: str
    created: datetime
    territory: str = "SWE"


class FakeAppStoreConnect(FakePlatform):
    """ES256 JWT bearer tokens, customerReviews (JSON:API, links.next) and responses."""

    ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
    KEY_ID = "2X9R4HXF34"

    def __init__(self, page_limit: int = 2) -> None:
        super().__init__()
        self.pem, self.public_key = ec_private_key_pem()
        self.page_limit = page_limit
        self.reviews: dict[str, AppStoreReview] = {}
        self.responses: dict[str, str] = {}  # review id → response body
        self.refused_tokens: list[str] = []

    def add(self, review: AppStoreReview) -> None:
        with self.lock:
            self.reviews[review.review_id] = review

    def is_token_request(self, request: Request) -> bool:
        return False  # tokens are signed by the client, never fetched

    def authorized(self, token: str) -> bool:
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                audience="appstoreconnect-v1",
                issuer=self.ISSUER,
                options={"require": ["exp", "iat", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            self.refused_tokens.append(type(exc).__name__)
            return False
        lifetime = claims["exp"] - claims["iat"]
        if header.get("kid") != self.KEY_ID or lifetime > 20 * 60:
            self.refused_tokens.append("kid or lifetime")
            return False
        return True

    def unauthorized(self) -> Reply:
        error = {"status": "401", "code": "NOT_AUTHORIZED", "title": "Authentication credentials"}
        return Reply.json({"errors": [error]}, 401)

    def api(self, request: Request, body: Any) -> Reply:
        parts = request.path.strip("/").split("/")
        if (
            request.method == "GET"
            and parts[:2] == ["v1", "apps"]
            and parts[3:] == ["customerReviews"]
        ):
            return self._list(parts[2], request.query)
        if request.method == "POST" and parts == ["v1", "customerReviewResponses"]:
            return self._respond(body)
        return Reply.json({"errors": [{"status": "404", "code": "NOT_FOUND"}]}, 404)

    def _list(self, app: str, query: dict[str, str]) -> Reply:
        with self.lock:
            found = sorted(
                (r for r in self.reviews.values() if r.app == app),
                key=lambda r: r.created,
                reverse=query.get("sort") == "-createdDate",
            )
        size = min(int(query.get("limit", 50)), self.page_limit)
        chunk, following = _page(found, int(query.get("cursor") or 0), size)
        links = {"self": f"{self.url}/v1/apps/{app}/customerReviews"}
        if following is not None:
            rest = {k: v for k, v in query.items() if k != "cursor"}
            links["next"] = (
                f"{self.url}/v1/apps/{app}/customerReviews?{urlencode(rest)}&cursor={following}"
            )
        data = [
            {
                "type": "customerReviews",
                "id": r.review_id,
                "attributes": {
                    "rating": r.rating,
                    "title": r.title,
                    "body": r.body,
                    "reviewerNickname": r.nickname,
                    "createdDate": r.created.astimezone(UTC).isoformat(),
                    "territory": r.territory,
                },
            }
            for r in chunk
        ]
        return Reply.json({"data": data, "links": links, "meta": {"paging": {"total": len(found)}}})

    def _respond(self, body: Any) -> Reply:
        try:
            data = body["data"]
            assert data["type"] == "customerReviewResponses"
            text = data["attributes"]["responseBody"]
            review_id = data["relationships"]["review"]["data"]["id"]
        except (KeyError, TypeError, AssertionError):
            return Reply.json({"errors": [{"status": "422", "code": "ENTITY_ERROR"}]}, 422)
        with self.lock:
            if review_id not in self.reviews:
                return Reply.json({"errors": [{"status": "404", "code": "NOT_FOUND"}]}, 404)
            self.responses[review_id] = text  # one response per review: a new one replaces it
        return Reply.json(
            {
                "data": {
                    "type": "customerReviewResponses",
                    "id": f"resp-{review_id}",
                    "attributes": {"responseBody": text, "state": "PENDING_PUBLISH"},
                }
            },
            201,
        )


# --- Google Play ------------------------------------------------------------------------------
def service_account_key(token_uri: str) -> tuple[dict[str, str], Any]:
    """A service account JSON key as Google issues it, and the public half of its RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "reviewbot-test",
        "private_key_id": "kid-123",
        "private_key": pem,
        "client_email": "replies@reviewbot-test.iam.gserviceaccount.com",
        "token_uri": token_uri,
    }
    return info, key.public_key()


@dataclass
class PlayReview:
    package: str
    review_id: str
    stars: int
    text: str
    author: str
    modified: datetime
    reviewer_language: str = "en_GB"
    reply: str | None = None


class FakeGooglePlay(FakePlatform):
    """The JWT bearer grant at `/token`, and `reviews.list` / `reviews:reply`, which keep only
    reviews with text changed in the last seven days of `now`."""

    SCOPE = "https://www.googleapis.com/auth/androidpublisher"

    def __init__(self, now: datetime, page_limit: int = 2) -> None:
        super().__init__()
        self.now = now
        self.page_limit = page_limit
        self.reviews: dict[str, PlayReview] = {}
        self.key: dict[str, str] = {}
        self.public_key: Any = None

    def start(self) -> FakeGooglePlay:
        super().start()
        self.key, self.public_key = service_account_key(f"{self.url}/token")
        return self

    def add(self, review: PlayReview) -> None:
        with self.lock:
            self.reviews[review.review_id] = review

    def grant(self, request: Request, form: Any) -> Reply:
        form = form or {}
        self.token_grants.append(form)
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Reply.json({"error": "unsupported_grant_type"}, 400)
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                self.public_key,
                algorithms=["RS256"],
                audience=f"{self.url}/token",
            )
        except jwt.PyJWTError:
            return Reply.json({"error": "invalid_grant", "error_description": "bad JWT"}, 400)
        if claims.get("iss") != self.key["client_email"] or claims.get("scope") != self.SCOPE:
            return Reply.json({"error": "invalid_scope"}, 400)
        return Reply.json(self.issue_token())

    def api(self, request: Request, body: Any) -> Reply:
        prefix = "/androidpublisher/v3/applications/"
        if not request.path.startswith(prefix):
            return Reply.json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)
        package, _, rest = request.path.removeprefix(prefix).partition("/reviews")
        if request.method == "GET" and rest == "":
            return self._list(package, request.query)
        if request.method == "POST" and rest.endswith(":reply"):
            return self._reply(rest.strip("/").removesuffix(":reply"), body)
        return Reply.json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)

    def _list(self, package: str, query: dict[str, str]) -> Reply:
        week_ago = self.now - timedelta(days=7)
        with self.lock:
            found = [
                r
                for r in self.reviews.values()
                if r.package == package and r.text and r.modified >= week_ago
            ]
        size = min(int(query.get("maxResults", 10)), self.page_limit)
        chunk, following = _page(found, int(query.get("token") or 0), size)
        payload: dict[str, Any] = {
            "reviews": [self._json(r) for r in chunk],
            "pageInfo": {"totalResults": len(found), "resultPerPage": size},
        }
        if following is not None:
            payload["tokenPagination"] = {"nextPageToken": str(following)}
        return Reply.json(payload)

    @staticmethod
    def _json(review: PlayReview) -> dict[str, Any]:
        seconds = int(review.modified.timestamp())
        comments: list[dict[str, Any]] = [
            {
                "userComment": {
                    "text": "\t" + review.text,
                    "lastModified": {"seconds": str(seconds), "nanos": 0},
                    "starRating": review.stars,
                    "reviewerLanguage": review.reviewer_language,
                    "device": "a53x",
                    "androidOsVersion": 34,
                }
            }
        ]
        if review.reply:
            comments.append({"developerComment": {"text": review.reply}})
        return {"reviewId": review.review_id, "authorName": review.author, "comments": comments}

    def _reply(self, review_id: str, body: Any) -> Reply:
        text = (body or {}).get("replyText", "")
        with self.lock:
            review = self.reviews.get(review_id)
            if review is None:
                return Reply.json({"error": {"code": 404, "status": "NOT_FOUND"}}, 404)
            if not text or len(text) > 350:
                error = {"code": 400, "message": "Reply too long", "status": "INVALID_ARGUMENT"}
                return Reply.json({"error": error}, 400)
            review.reply = text
        return Reply.json({"result": {"replyText": text, "lastEdited": {"seconds": "0"}}})
