"""GraphEmulator: the Graph v1.0 listener (HTTP) and the Entra token authority (HTTPS).

emulator = GraphEmulator(page_size=5)
await emulator.start()            # ephemeral ports on 127.0.0.1
emulator.graph_url                # GRAPH_BASE_URL, e.g. http://127.0.0.1:PORT/v1.0
emulator.authority_url            # AZURE_AUTHORITY_HOST, e.g. https://localhost:PORT
emulator.ca_file                  # trust this CA for the authority (WERKPLEK_GRAPH_CA_FILE)
emulator.add_fault("/transitiveMemberOf", 429, count=2, retry_after=1)
emulator.request_count("/users/[^/]+$")
emulator.set_seats(PPU_SKU_ID, 6)        # buy a seat: members waiting in CountViolation get it
emulator.set_usage_location(user_id, "BE")
emulator.add_synthetic_members(group_id, 60_000)   # a large audience for benchmarks
emulator.installed_apps(user_id)  # Teams apps installed through Graph
await emulator.stop()
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from devtools.graph_emulator.authority import GRAPH_RESOURCE, TokenAuthority
from devtools.graph_emulator.control import seat_summary
from devtools.graph_emulator.faults import FaultRule, RecordedRequest
from devtools.graph_emulator.graph_app import create_graph_app
from devtools.graph_emulator.keys import SigningKey, TlsFiles, create_signing_key, create_tls_files
from devtools.graph_emulator.runtime import Runtime, observe
from devtools.graph_emulator.tenant import DEFAULT_TENANT_FILE, TenantState

DEMO_ROLES_FILE = DEFAULT_TENANT_FILE.parent / "demo_roles.json"
# Stopping must not wait long for clients that keep idle connections open.
SHUTDOWN_TIMEOUT = 1.0


class GraphEmulator:
    def __init__(
        self,
        tenant_file: Path | None = None,
        *,
        client_id: str = "werkplek-demo",
        client_secret: str = "demo-secret",
        state_dir: Path | None = None,
        latency_ms: float = 0,
        page_size: int = 100,
        max_page_size: int = 999,
    ) -> None:
        """`page_size` applies when a request has no $top; `max_page_size` caps $top (Graph
        allows 999): lower both in tests so even small memberships arrive in several pages."""
        self.tenant_file = tenant_file
        self.client_id = client_id
        self.client_secret = client_secret
        self._state_dir = state_dir
        self._owns_state_dir = state_dir is None
        tenant = TenantState.load(tenant_file)
        self.signing_key: SigningKey = create_signing_key()
        self.authority = TokenAuthority(
            tenant.tenant_id, tenant.domain, client_id, client_secret, self.signing_key
        )
        self.runtime = Runtime(
            tenant=tenant,
            tenant_file=tenant_file,
            authority=self.authority,
            page_size=page_size,
            max_page_size=max_page_size,
        )
        self.runtime.faults.latency_ms = latency_ms
        self._runners: list[web.AppRunner] = []
        self._tls: TlsFiles | None = None
        self.graph_url = ""
        self.authority_url = ""

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(
        self, host: str = "127.0.0.1", graph_port: int = 0, authority_port: int = 0
    ) -> None:
        if self._runners:
            raise RuntimeError("the emulator is already running")
        if self._state_dir is None:
            self._state_dir = Path(tempfile.mkdtemp(prefix="graph-emulator-"))
        self._tls = create_tls_files(self._state_dir)
        graph_runner = web.AppRunner(
            create_graph_app(self.runtime), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        authority_runner = web.AppRunner(
            self.authority.app([observe("authority", self.runtime)]),
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        for runner in (graph_runner, authority_runner):
            await runner.setup()
            self._runners.append(runner)
        await web.TCPSite(graph_runner, host, graph_port).start()
        await web.TCPSite(
            authority_runner, host, authority_port, ssl_context=self._tls.server_context()
        ).start()
        public_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.graph_url = f"http://{public_host}:{graph_runner.addresses[0][1]}/v1.0"
        # "localhost" matches the certificate and is what a browser-like client would use.
        tls_host = "localhost" if public_host == "127.0.0.1" else public_host
        self.authority_url = f"https://{tls_host}:{authority_runner.addresses[0][1]}"
        self.authority.base_url = self.authority_url
        self.runtime.info = {
            "graph_url": self.graph_url,
            "authority_url": self.authority_url,
            "tenant_id": self.tenant_id,
            "ca_file": str(self.ca_file),
            "jwks_url": self.jwks_url,
            "issuer": self.authority.issuer,
        }

    async def stop(self) -> None:
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()
        if self._owns_state_dir and self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir = None

    async def __aenter__(self) -> GraphEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- what clients need --------------------------------------------------------------------
    @property
    def tenant(self) -> TenantState:
        return self.runtime.tenant

    @property
    def tenant_id(self) -> str:
        return self.runtime.tenant.tenant_id

    @property
    def ca_file(self) -> Path:
        if self._tls is None:
            raise RuntimeError("start the emulator first: the CA is created at start")
        return self._tls.ca_file

    @property
    def state_dir(self) -> Path | None:
        return self._state_dir

    @property
    def page_size(self) -> int:
        return self.runtime.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self.runtime.page_size = value

    @property
    def max_page_size(self) -> int:
        return self.runtime.max_page_size

    @max_page_size.setter
    def max_page_size(self, value: int) -> None:
        self.runtime.max_page_size = value

    def env(self) -> dict[str, str]:
        """Environment variables pointing the bot at this emulator."""
        values = {
            "GRAPH_BASE_URL": self.graph_url,
            "AZURE_AUTHORITY_HOST": self.authority_url,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
            "WERKPLEK_GRAPH_CA_FILE": str(self.ca_file),
        }
        if self.tenant_file is None and DEMO_ROLES_FILE.exists():
            roles = json.loads(DEMO_ROLES_FILE.read_text(encoding="utf-8"))
            values["WERKPLEK_ROLE_GROUPS"] = json.dumps(roles, separators=(",", ":"))
        return values

    def reset(self) -> None:
        """Back to the tenant file's state, without faults, latency or logged requests."""
        self.runtime.reset_tenant()
        self.clear_faults()
        self.set_latency(0)
        self.reset_requests()

    # --- licences (what an admin changes in the admin centre) ------------------------------------
    def set_seats(self, sku_id: str, enabled: int) -> None:
        """Set a subscription's prepaidUnits.enabled. Group members waiting for a seat
        (CountViolation) get one as soon as seats are free; lowering takes no licence away."""
        self.tenant.set_prepaid_units(sku_id, enabled)

    def seats(self, sku_id: str) -> tuple[int, int]:
        """(enabled, consumed) units of a subscription, as subscribedSkus reports them now."""
        for summary in seat_summary(self.tenant):
            if summary["skuId"].lower() == sku_id.lower():
                return summary["enabled"], summary["consumed"]
        raise KeyError(sku_id)

    def set_usage_location(self, user_id: str, location: str | None) -> None:
        """Set a user's usageLocation (a two-letter country code), or clear it with None."""
        self.tenant.set_usage_location(user_id, location)

    # --- audiences and Teams apps (announcements) -------------------------------------------------
    def add_synthetic_members(
        self, group_id: str, count: int, *, prefix: str = "bench"
    ) -> list[str]:
        """Make `count` plain enabled users direct members of the group (UPN and mail
        `{prefix}.{n:06d}@{domain}`, ids stable across runs); their ids. Gone after reset()."""
        return self.tenant.add_synthetic_members(group_id, count, prefix=prefix)

    def installed_apps(self, user_id: str) -> list[str]:
        """The Teams app ids installed for a user through Graph, in install order."""
        return self.tenant.apps_of(user_id)

    # --- faults, latency, counters ----------------------------------------------------------------
    @property
    def latency_ms(self) -> float:
        return self.runtime.faults.latency_ms

    def set_latency(self, ms: float) -> None:
        self.runtime.faults.latency_ms = ms

    def add_fault(
        self,
        path: str,
        status: int,
        *,
        count: int | None = 1,
        retry_after: int | None = None,
        method: str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> FaultRule:
        """Answer `status` to the next `count` requests (None: all) whose path matches the
        regex `path` (searched, case-insensitive); Retry-After is sent when given."""
        return self.runtime.faults.add(
            path,
            status,
            count=count,
            retry_after=retry_after,
            method=method,
            code=code,
            message=message,
        )

    def clear_faults(self) -> None:
        self.runtime.faults.clear()

    def request_count(
        self, path: str | None = None, *, method: str | None = None, listener: str | None = "graph"
    ) -> int:
        """Requests answered so far whose path matches the regex `path` (None: all)."""
        return self.runtime.log.count(path, method=method, listener=listener)

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.runtime.log.entries

    def request_counts(self) -> dict[str, int]:
        return self.runtime.log.counts()

    def reset_requests(self) -> None:
        self.runtime.log.clear()

    # --- tokens and keys (also for Bot Framework tokens in security tests) ------------------------
    @property
    def issuer(self) -> str:
        return self.authority.issuer

    @property
    def jwks_url(self) -> str:
        """The JWKS on the HTTPS authority (trust `ca_file`)."""
        return self.authority.jwks_url

    @property
    def jwks_http_url(self) -> str:
        """The same JWKS over plain HTTP on the Graph listener (no CA needed)."""
        return self.graph_url.removesuffix("/v1.0") + "/_emulator/jwks"

    @property
    def openid_configuration_url(self) -> str:
        return f"{self.authority_url}/{self.tenant_id}/v2.0/.well-known/openid-configuration"

    def jwks(self) -> dict[str, Any]:
        return self.authority.jwks()

    def sign_jwt(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Sign any claims with the emulator's key (RS256; the kid is in the JWKS)."""
        return self.authority.sign(claims, headers)

    def issue_token(
        self, audience: str = GRAPH_RESOURCE, lifetime: int = 3599, **claims: Any
    ) -> str:
        """An app-only access token as the token endpoint would issue it."""
        return self.authority.issue(audience=audience, lifetime=lifetime, **claims)
