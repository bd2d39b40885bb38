"""How each platform lets us in: OAuth refresh tokens (Google Business Profile), business-user
tokens (Trustpilot), signed JWTs (App Store Connect) and the JWT bearer grant of a Google
service account (Google Play). Tokens are kept until shortly before they expire: Trustpilot
answers 429 to clients that refresh too often."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt

from bot.sources.config import GOOGLE_TOKEN_URL, Credentials, MissingCredential
from bot.sources.connectors.base import AuthFailed
from bot.sources.connectors.http import PlatformHttp

# Renew this long before a token's stated expiry, so a call never starts with a dying token.
_EARLY = 60.0
GOOGLE_BUSINESS_SCOPE = "https://www.googleapis.com/auth/business.manage"
ANDROID_PUBLISHER_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
APP_STORE_AUDIENCE = "appstoreconnect-v1"
APP_STORE_TOKEN_SECONDS = 19 * 60  # Apple refuses tokens that live longer than 20 minutes


def secret(credentials: Credentials, name: str) -> str:
    try:
        return credentials.get(name)
    except MissingCredential as exc:
        raise AuthFailed(str(exc)) from None


class _CachedToken:
    """A bearer token fetched on first use and again when it expires or is refused."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def authorization(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - _EARLY:
                self._token, lifetime = self._new_token()
                self._expires_at = self._clock() + lifetime
            return f"Bearer {self._token}"

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _new_token(self) -> tuple[str, float]:
        raise NotImplementedError


def _token_response(payload: Any, platform: str) -> tuple[str, float, dict[str, Any]]:
    if not isinstance(payload, dict) or not payload.get("access_token"):
        raise AuthFailed(f"{platform} token endpoint answered without an access token")
    try:
        # Trustpilot sends expires_in as a string of seconds.
        lifetime = float(payload.get("expires_in") or 3600)
    except (TypeError, ValueError):
        lifetime = 3600.0
    return str(payload["access_token"]), lifetime, payload


class GoogleRefreshToken(_CachedToken):
    """The OAuth 2.0 refresh-token grant, for the business.manage scope."""

    def __init__(
        self,
        http: PlatformHttp,
        token_url: str,
        credentials: Credentials,
        *,
        client_id_env: str,
        client_secret_env: str,
        refresh_token_env: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self._http = http
        self._token_url = token_url
        self._credentials = credentials
        self._names = (client_id_env, client_secret_env, refresh_token_env)

    def _new_token(self) -> tuple[str, float]:
        client_id, client_secret, refresh_token = (
            secret(self._credentials, name) for name in self._names
        )
        response = self._http.request(
            "POST",
            self._token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": client_id,
                "client_secret": client_secret,
                "refresh_token": refresh_token,
            },
            refusal=AuthFailed,
        )
        token, lifetime, payload = _token_response(response.json(), self._http.platform)
        granted = str(payload.get("scope", GOOGLE_BUSINESS_SCOPE)).split()
        if GOOGLE_BUSINESS_SCOPE not in granted:
            raise AuthFailed("the Google token was not granted the business.manage scope")
        return token, lifetime


class TrustpilotBusinessUser(_CachedToken):
    """Trustpilot's business-user tokens: a password grant once, then the refresh token
    (valid 30 days) for each new access token (valid 100 hours)."""

    ACCESS_PATH = "v1/oauth/oauth-business-users-for-applications/accesstoken"
    REFRESH_PATH = "v1/oauth/oauth-business-users-for-applications/refresh"

    def __init__(
        self,
        http: PlatformHttp,
        api_url: str,
        credentials: Credentials,
        *,
        api_key_env: str,
        api_secret_env: str,
        username_env: str,
        password_env: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self._http = http
        self._api_url = api_url
        self._credentials = credentials
        self._key_names = (api_key_env, api_secret_env)
        self._user_names = (username_env, password_env)
        self._refresh_token: str | None = None
        self._refresh_expires_at = 0.0

    def api_key(self) -> str:
        return secret(self._credentials, self._key_names[0])

    def _new_token(self) -> tuple[str, float]:
        key, key_secret = (secret(self._credentials, name) for name in self._key_names)
        basic = base64.b64encode(f"{key}:{key_secret}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
        if self._refresh_token and self._clock() < self._refresh_expires_at - _EARLY:
            path = self.REFRESH_PATH
            form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        else:
            username, password = (secret(self._credentials, name) for name in self._user_names)
            path = self.ACCESS_PATH
            form = {"grant_type": "password", "username": username, "password": password}
        try:
            response = self._http.request(
                "POST", self._api_url + path, data=form, headers=headers, refusal=AuthFailed
            )
        except AuthFailed:
            # A refused refresh token is dropped so the next try signs in again.
            self._refresh_token = None
            raise
        token, lifetime, payload = _token_response(response.json(), self._http.platform)
        if payload.get("refresh_token"):
            self._refresh_token = str(payload["refresh_token"])
            refresh_lifetime = float(payload.get("refresh_token_expires_in") or 30 * 86400)
            self._refresh_expires_at = self._clock() + refresh_lifetime
        return token, lifetime


class AppStoreJwt(_CachedToken):
    """An ES256 JWT signed with the App Store Connect API key (.p8), reused until near expiry."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        issuer_id: str,
        key_id: str,
        private_key_env: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self._credentials = credentials
        self._issuer_id = issuer_id
        self._key_id = key_id
        self._private_key_env = private_key_env

    def _new_token(self) -> tuple[str, float]:
        key = secret(self._credentials, self._private_key_env)
        now = int(self._clock())
        claims = {
            "iss": self._issuer_id,
            "iat": now,
            "exp": now + APP_STORE_TOKEN_SECONDS,
            "aud": APP_STORE_AUDIENCE,
        }
        try:
            token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": self._key_id})
        except (ValueError, TypeError, jwt.PyJWTError):
            raise AuthFailed(f"{self._private_key_env} is not an ES256 private key (.p8)") from None
        return token, APP_STORE_TOKEN_SECONDS


class GoogleServiceAccount(_CachedToken):
    """The JWT bearer grant of a Google service account (RS256), for the Play Developer API."""

    def __init__(
        self,
        http: PlatformHttp,
        credentials: Credentials,
        *,
        service_account_env: str,
        token_url: str | None = None,
        scope: str = ANDROID_PUBLISHER_SCOPE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self._http = http
        self._credentials = credentials
        self._env = service_account_env
        self._token_url = token_url
        self._scope = scope

    def _key(self) -> dict[str, Any]:
        try:
            key = json.loads(secret(self._credentials, self._env))
        except ValueError:
            raise AuthFailed(f"{self._env} is not a service account JSON key") from None
        if not isinstance(key, dict) or not all(
            key.get(field) for field in ("client_email", "private_key")
        ):
            raise AuthFailed(f"{self._env} lacks client_email or private_key")
        return key

    def _new_token(self) -> tuple[str, float]:
        key = self._key()
        token_url = self._token_url or key.get("token_uri") or GOOGLE_TOKEN_URL
        now = int(self._clock())
        claims = {
            "iss": key["client_email"],
            "scope": self._scope,
            "aud": token_url,
            "iat": now,
            "exp": now + 3600,
        }
        headers = {"kid": key["private_key_id"]} if key.get("private_key_id") else None
        try:
            assertion = jwt.encode(claims, key["private_key"], algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError):
            raise AuthFailed(f"{self._env} holds no usable RS256 private key") from None
        response = self._http.request(
            "POST",
            token_url,
            data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion},
            refusal=AuthFailed,
        )
        token, lifetime, _ = _token_response(response.json(), self._http.platform)
        return token, lifetime
