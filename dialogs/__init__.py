"""Chat dialogs, one module per capability. `DIALOGS` lists every dialog class the app wires."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import CommandSpec, Registry
from bot.ports import Directory
from bot.services.audit import Auditor
from dialogs.dispatcher import Dispatcher
from dialogs.help import HelpDialog
from dialogs.profile import ProfileDialog
from dialogs.start import StartDialog

DIALOGS: tuple[type, ...] = (HelpDialog, ProfileDialog, StartDialog)


@dataclass(frozen=True, slots=True)
class Dialogs:
    registry: Registry
    dispatcher: Dispatcher
    start: StartDialog


def build_dialogs(*, directory: Directory, auditor: Auditor, servicedesk_url: str) -> Dialogs:
    """A fresh registry with every dialog wired to its services."""
    registry = Registry()
    dispatcher = Dispatcher(registry, auditor, servicedesk_url)
    start = StartDialog(registry, dispatcher, directory)
    for dialog in (HelpDialog(registry), ProfileDialog(directory), start):
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
