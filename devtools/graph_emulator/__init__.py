"""A local Microsoft Graph v1.0 emulator with an Entra ID token authority over HTTPS.

Speaks Graph's JSON shapes (OData context, polymorphic @odata.type, nextLink paging, $select,
$filter, ODataError bodies) for the endpoints Werkplek uses, seeded from devtools/demo_tenant.json,
with fault injection for tests and benchmarks. See `GraphEmulator`.
"""

from devtools.graph_emulator.emulator import GraphEmulator
from devtools.graph_emulator.faults import FaultRule, RecordedRequest
from devtools.graph_emulator.tenant import DEFAULT_TENANT_FILE, TenantState

__all__ = ["DEFAULT_TENANT_FILE", "FaultRule", "GraphEmulator", "RecordedRequest", "TenantState"]
