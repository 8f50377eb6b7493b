"""The announcement dialogs on the unit fakes, for tests that build the whole registry."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.services.platform.audit import Auditor
from dialogs.announcements.approvals import AnnouncementApprovalDialog
from dialogs.announcements.authoring import AnnouncementDialog
from dialogs.announcements.receipts import AnnouncementReceiptDialog
from tests.support.clock import FakeClock
from tests.unit.announcements.authoring_support import World
from tests.unit.announcements.sending_support import world as sending_world
from tests.unit.fakes import MemoryAuditLog

ZONE = ZoneInfo("Europe/Brussels")


class NoLinks:
    lifetime_minutes = 10

    def export_link(self, kind: str, params: object, by: str) -> str:
        return f"https://werkplek.example/api/exports/{kind}"


def announcement_dialogs() -> list[object]:
    authoring, sending = World(), sending_world()
    auditor = Auditor(MemoryAuditLog(), FakeClock())
    return [
        AnnouncementDialog(
            authoring.authoring(),
            sending.changes(),
            NoLinks(),
            ZONE,
            approval_required=False,
            channel_names={},
            auditor=auditor,
        ),
        AnnouncementApprovalDialog(authoring.approvals(), auditor),
        AnnouncementReceiptDialog(sending.receipts(), auditor, ZONE),
    ]
