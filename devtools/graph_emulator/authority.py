"""The Entra ID v2 token authority: client-credentials tokens, OpenID metadata and the JWKS.

Errors copy Entra's shape ({"error", "error_description" with an AADSTS code, "error_codes",
"timestamp", "trace_id", "correlation_id"}) so azure-identity reports them as it would in
production.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
import uuid
from typing import Any

import jwt
from aiohttp import web

from devtools.graph_emulator.keys import SigningKey

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
TOKEN_LIFETIME = 3599  # seconds, as Entra reports it (expires_in / ext_expires_in)
# Application permissions the emulated app registration holds (roles claim of its tokens).
APP_ROLES = [
    "User.Read.All",
    "GroupMember.ReadWrite.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "UserAuthenticationMethod.Read.All",
    "DeviceManagementManagedDevices.Read.All",
    "LicenseAssignment.ReadWrite.All",
]


class TokenRejected(Exception):
    """A bearer token the Graph listener does not accept (message as Graph words it)."""


class TokenAuthority:
    """Issues and validates the tokens of one emulated tenant and app registration."""

    def __init__(
        self,
        tenant_id: str,
        domain: str,
        client_id: str,
        client_secret: str,
        signing_key: SigningKey,
    ) -> None:
        self.tenant_id = tenant_id
        self.domain = domain
        self.client_id = client_id
        self.client_secret = client_secret
        self.signing_key = signing_key
        self.base_url = ""  # https://localhost:PORT, known once the listener is bound
        self.service_principal_id = str(uuid.uuid5(uuid.UUID(tenant_id), f"sp:{client_id}"))

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/{self.tenant_id}/v2.0"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/{self.tenant_id}/discovery/v2.0/keys"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.signing_key.jwk()]}

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Sign arbitrary claims with the emulator's key (RS256, kid in the header)."""
        header = {"kid": self.signing_key.key_id, "x5t": self.signing_key.key_id}
        header.update(headers or {})
        return jwt.encode(claims, self.signing_key.private_key, algorithm="RS256", headers=header)

    def issue(
        self, audience: str = GRAPH_RESOURCE, lifetime: int = TOKEN_LIFETIME, **extra: Any
    ) -> str:
        """An app-only access token like the one Entra issues for client credentials."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "aio": base64.b64encode(uuid.uuid4().bytes).decode(),
            "app_displayname": "Werkplek (demo)",
            "appid": self.client_id,
            "azp": self.client_id,
            "appidacr": "1",
            "idp": self.issuer,
            "idtyp": "app",
            "oid": self.service_principal_id,
            "sub": self.service_principal_id,
            "roles": APP_ROLES,
            "tid": self.tenant_id,
            "uti": base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="),
            "ver": "2.0",
        }
        claims.update(extra)
        return self.sign(claims)

    def validate(
        self, token: str, audiences: tuple[str, ...] = (GRAPH_RESOURCE, GRAPH_APP_ID)
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.signing_key.private_key.public_key(),
                algorithms=["RS256"],
                audience=list(audiences),
                issuer=self.issuer,
                options={"require": ["exp", "iat", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("Lifetime validation failed, the token is expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected("Access token validation failure. Invalid audience.") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRejected("Access token validation failure.") from exc
        if claims.get("tid") != self.tenant_id:
            raise TokenRejected("Access token validation failure. Invalid tenant.")
        return claims

    # --- HTTP --------------------------------------------------------------------------------
    def knows_tenant(self, tenant: str) -> bool:
        return tenant.lower() in (self.tenant_id.lower(), self.domain.lower())

    def error(self, status: int, error: str, code: int, description: str) -> web.Response:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        text = (
            f"AADSTS{code}: {description}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}"
        )
        return web.json_response(
            {
                "error": error,
                "error_description": text,
                "error_codes": [code],
                "timestamp": stamp,
                "trace_id": trace_id,
                "correlation_id": correlation_id,
                "error_uri": f"{self.base_url}/error?code={code}",
            },
            status=status,
        )

    async def token(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if not self.knows_tenant(tenant):
            return self.error(
                400,
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure "
                "you have the correct tenant ID and are signing into the correct cloud.",
            )
        form = await request.post()
        client_id, secret = _client_credentials(request, form)
        if form.get("grant_type") != "client_credentials":
            return self.error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        if client_id != self.client_id:
            return self.error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' "
                f"was not found in the directory '{self.domain}'.",
            )
        if secret != self.client_secret:
            return self.error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret "
                "being sent in the request is the client secret value, not the client secret ID, "
                f"for a secret added to app '{self.client_id}'.",
            )
        scope = str(form.get("scope", "")).strip()
        if len(scope.split()) != 1 or not scope.endswith("/.default"):
            return self.error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not "
                "valid. Client credential flows must have a scope value with /.default suffixed "
                "to the resource identifier (application ID URI).",
            )
        audience = scope.removesuffix("/.default")
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": self.issue(audience=audience),
            }
        )

    async def openid_configuration(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if not self.knows_tenant(tenant) and tenant not in ("common", "organizations"):
            return self.error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        base = f"{self.base_url}/{self.tenant_id}"
        return web.json_response(
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": self.jwks_url,
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": self.issuer,
                "request_uri_parameter_supported": False,
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
            }
        )

    async def keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks())

    async def instance_discovery(self, request: web.Request) -> web.Response:
        """MSAL's /common/discovery/instance, so MSAL-based clients pointed here work offline."""
        host = request.host
        return web.json_response(
            {
                "tenant_discovery_endpoint": (
                    f"{self.base_url}/{self.tenant_id}/v2.0/.well-known/openid-configuration"
                ),
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            }
        )

    def app(self, middlewares: list[Any]) -> web.Application:
        app = web.Application(middlewares=middlewares)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_get(
            "/{tenant}/v2.0/.well-known/openid-configuration", self.openid_configuration
        )
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self.keys)
        app.router.add_get("/common/discovery/instance", self.instance_discovery)
        return app


def _client_credentials(request: web.Request, form: Any) -> tuple[str, str]:
    """client_secret_post, or client_secret_basic (HTTP Basic) as Entra also accepts."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))
