"""Friendly names of Microsoft licences, kept as data.

Graph names a licence by its SKU part number ("POWER_BI_PRO") and SKU id (a GUID); people know
it by its product name. Keys are SKU part numbers (as Microsoft's "Product names and service plan
identifiers for licensing" list spells them); SKU ids may be added as keys too. Product names are
brand names and read the same in Dutch and English. A SKU missing here is shown by its part
number, never dropped: add a line when a new product turns up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from bot.domain.access.facts import Licence, Sku

SKU_NAMES: Mapping[str, str] = MappingProxyType(
    {
        # Data-driven workplace: what people ask the licence capability for.
        "POWER_BI_PRO": "Power BI Pro",
        "PBI_PREMIUM_PER_USER": "Power BI Premium per user",
        "PBI_PREMIUM_PER_USER_ADDON": "Power BI Premium per user (add-on)",
        "POWER_BI_STANDARD": "Microsoft Fabric (Free)",
        "FLOW_PER_USER": "Power Automate per user",
        "POWERAUTOMATE_ATTENDED_RPA": "Power Automate Premium",
        "FLOW_FREE": "Power Automate Free",
        "POWERAPPS_PER_USER": "Power Apps Premium (per user)",
        "POWERAPPS_VIRAL": "Power Apps Plan 2 Trial",
        "POWERAPPS_DEV": "Power Apps for Developer",
        # Workplace suites.
        "SPE_E3": "Microsoft 365 E3",
        "SPE_E5": "Microsoft 365 E5",
        "SPE_F1": "Microsoft 365 F3",
        "SPB": "Microsoft 365 Business Premium",
        "O365_BUSINESS_PREMIUM": "Microsoft 365 Business Standard",
        "O365_BUSINESS_ESSENTIALS": "Microsoft 365 Business Basic",
        "ENTERPRISEPACK": "Office 365 E3",
        "ENTERPRISEPREMIUM": "Office 365 E5",
        "STANDARDPACK": "Office 365 E1",
        "DESKLESSPACK": "Office 365 F3",
        "Microsoft_365_Copilot": "Microsoft 365 Copilot",
        # Identity, devices and security.
        "EMS": "Enterprise Mobility + Security E3",
        "EMSPREMIUM": "Enterprise Mobility + Security E5",
        "AAD_PREMIUM": "Microsoft Entra ID P1",
        "AAD_PREMIUM_P2": "Microsoft Entra ID P2",
        "INTUNE_A": "Microsoft Intune Plan 1",
        "WIN10_VDA_E3": "Windows Enterprise E3",
        "RIGHTSMANAGEMENT": "Azure Information Protection Plan 1",
        "ATP_ENTERPRISE": "Microsoft Defender for Office 365 (Plan 1)",
        # Single products.
        "EXCHANGESTANDARD": "Exchange Online (Plan 1)",
        "TEAMS_EXPLORATORY": "Microsoft Teams Exploratory",
        "MCOEV": "Microsoft Teams Phone Standard",
        "MCOMEETADV": "Microsoft 365 Audio Conferencing",
        "VISIOCLIENT": "Visio Plan 2",
        "PROJECTPROFESSIONAL": "Project Plan 3",
        "PROJECTPREMIUM": "Project Plan 5",
    }
)


def licence_names(
    licences: Iterable[Licence], skus: Iterable[Sku], sku_names: Mapping[str, str]
) -> list[str]:
    """Friendly names, sorted and without doubles; an unknown SKU shows its part number or id."""
    part_by_id = {sku.sku_id.casefold(): sku.sku_part_number for sku in skus}
    known = {key.casefold(): name for key, name in sku_names.items()}
    names = set()
    for licence in licences:
        part = licence.sku_part_number or part_by_id.get(licence.sku_id.casefold(), "")
        names.add(
            known.get(part.casefold())
            or known.get(licence.sku_id.casefold())
            or part
            or licence.sku_id
        )
    return sorted(names, key=str.casefold)
