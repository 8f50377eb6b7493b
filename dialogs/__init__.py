"""Chat dialogs, one package per capability. `DIALOGS` lists every dialog class the app wires
(bot/composition/chat.py builds them on their services)."""

from __future__ import annotations

from bot.commands.registry import CommandSpec
from dialogs.access.status import AccessDialog
from dialogs.announcements.approvals import AnnouncementApprovalDialog
from dialogs.announcements.authoring import AnnouncementDialog
from dialogs.announcements.receipts import AnnouncementReceiptDialog
from dialogs.licences.admin import LicenceAdminDialog
from dialogs.licences.requests import LicenceDialog
from dialogs.platform.help import HelpDialog
from dialogs.platform.profile import ProfileDialog
from dialogs.platform.start import StartDialog
from dialogs.post.delegations import PostDelegationDialog
from dialogs.post.items import PostDialog
from dialogs.post.rules import PostRulesAdminDialog
from dialogs.servicedesk.admin import KnowledgeAdminDialog
from dialogs.servicedesk.knowledge import KnowledgeDialog
from dialogs.servicedesk.relay import RelayDialog
from dialogs.servicedesk.report import TicketReportDialog
from dialogs.servicedesk.ticket_files import TicketFilesDialog
from dialogs.servicedesk.tickets import TicketDialog

DIALOGS: tuple[type, ...] = (
    HelpDialog,
    ProfileDialog,
    StartDialog,
    AccessDialog,
    LicenceDialog,
    LicenceAdminDialog,
    PostDialog,
    PostDelegationDialog,
    PostRulesAdminDialog,
    KnowledgeDialog,
    TicketDialog,
    RelayDialog,
    KnowledgeAdminDialog,
    TicketReportDialog,
    TicketFilesDialog,
    AnnouncementDialog,
    AnnouncementApprovalDialog,
    AnnouncementReceiptDialog,
)


def command_specs() -> list[CommandSpec]:
    """Every declared command, without building the dialogs (for the manifest and docs)."""
    specs = [
        spec
        for dialog in DIALOGS
        for attr in vars(dialog).values()
        if (spec := getattr(attr, "__werkplek_command__", None)) is not None
    ]
    return sorted(specs, key=lambda spec: (spec.order, spec.name))
