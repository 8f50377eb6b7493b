"""Chat dialogs, one module per capability. `DIALOGS` lists every dialog class the app wires."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.commands import CommandSpec, Registry
from bot.ports import Directory
from bot.services.access import AccessStatus
from bot.services.audit import Auditor
from bot.services.licences import LicenceDesk
from bot.services.post_desk import PostDesk
from dialogs.access import AccessDialog
from dialogs.dispatcher import Dispatcher
from dialogs.help import HelpDialog
from dialogs.licence_admin import LicenceAdminDialog
from dialogs.licences import LicenceDialog
from dialogs.post import PostDialog
from dialogs.profile import ProfileDialog
from dialogs.start import StartDialog

DIALOGS: tuple[type, ...] = (
    HelpDialog,
    ProfileDialog,
    StartDialog,
    AccessDialog,
    LicenceDialog,
    LicenceAdminDialog,
    PostDialog,
)


@dataclass(frozen=True, slots=True)
class Dialogs:
    registry: Registry
    dispatcher: Dispatcher
    start: StartDialog


def build_dialogs(
    *,
    directory: Directory,
    auditor: Auditor,
    servicedesk_url: str,
    access: AccessStatus,
    timezone: str = "Europe/Brussels",
    licences: LicenceDesk | None = None,
    licence_admin: LicenceAdminDialog | None = None,
    post: PostDesk | None = None,
) -> Dialogs:
    """A fresh registry with every dialog wired to its services. A capability whose service is
    not given (`licences`, `licence_admin`, `post`) is left out: its commands and verbs are
    unknown."""
    registry = Registry()
    dispatcher = Dispatcher(registry, auditor, servicedesk_url)
    start = StartDialog(registry, dispatcher, directory)
    zone = ZoneInfo(timezone)
    dialogs: list[object] = [
        HelpDialog(registry),
        ProfileDialog(directory),
        AccessDialog(access, directory, auditor, zone),
        start,
    ]
    if licences is not None:
        dialogs.append(LicenceDialog(licences, auditor, zone))
    if licence_admin is not None:
        dialogs.append(licence_admin)
        dispatcher.receive_files(licence_admin.receive_files)
    if post is not None:
        dialogs.append(PostDialog(post, auditor, zone))
    for dialog in dialogs:
        registry.add_dialog(dialog)
    return Dialogs(registry, dispatcher, start)


def command_specs() -> list[CommandSpec]:
    """Every declared command, without building the dialogs (for the manifest and docs)."""
    specs = [
        spec
        for dialog in DIALOGS
        for attr in vars(dialog).values()
        if (spec := getattr(attr, "__werkplek_command__", None)) is not None
    ]
    return sorted(specs, key=lambda spec: (spec.order, spec.name))
