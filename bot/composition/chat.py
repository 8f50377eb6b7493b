"""Chat: every dialog on its capability's services, the admins' workbooks in chat included.

Built by a serving process only (the Teams host dispatches to it), after start: importing this
module loads the dialogs and their cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.composition import Capabilities
from bot.composition.announcements import describe_list_problem, read_list
from bot.excel.workbook_kind import workbook_kind
from bot.ports.platform import Directory, Notifier
from bot.services.access.status import AccessStatus
from bot.services.licences.desk import LicenceDesk
from bot.services.platform.audit import Auditor
from bot.services.platform.profile import Profiles
from bot.services.platform.workbooks import WorkbookFiles
from bot.services.post.desk import PostDesk
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.services.servicedesk.queue import DeskQueue
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.ticket_files import TicketFiles
from bot.services.servicedesk.tickets import TicketDesk
from bot.settings import Settings
from dialogs.access.status import AccessDialog
from dialogs.announcements.approvals import AnnouncementApprovalDialog
from dialogs.announcements.authoring import AnnouncementDialog
from dialogs.announcements.lists import AnnouncementListDialog
from dialogs.announcements.receipts import AnnouncementReceiptDialog
from dialogs.licences.admin import LicenceAdminDialog
from dialogs.licences.requests import LicenceDialog
from dialogs.platform.help import HelpDialog
from dialogs.platform.profile import ProfileDialog
from dialogs.platform.start import StartDialog
from dialogs.platform.workbooks import WorkbookImporter, WorkbookInbox
from dialogs.post.delegations import PostDelegationDialog
from dialogs.post.items import PostDialog
from dialogs.post.rules import PostRulesAdminDialog
from dialogs.servicedesk.access_context import AccessContext
from dialogs.servicedesk.admin import KnowledgeAdminDialog
from dialogs.servicedesk.knowledge import KnowledgeDialog
from dialogs.servicedesk.relay import RelayDialog
from dialogs.servicedesk.report import TicketReportDialog
from dialogs.servicedesk.ticket_files import TicketFilesDialog
from dialogs.servicedesk.tickets import TicketDialog


def build_chat(settings: Settings, directory: Directory, capabilities: Capabilities) -> Dialogs:
    platform, licences, post = capabilities.platform, capabilities.licences, capabilities.post
    servicedesk = capabilities.servicedesk
    files = WorkbookFiles(platform.downloads, workbook_kind, settings.max_upload_bytes)
    return build_dialogs(
        directory=directory,
        auditor=platform.auditor,
        servicedesk_url=settings.servicedesk_url,
        access=capabilities.access.status,
        zone=settings.zone,
        licences=licences.desk,
        licence_admin=LicenceAdminDialog(
            licences.desk, licences.catalogue_import, platform.auditor, platform.links
        ),
        post=post.desk,
        post_rules_admin=PostRulesAdminDialog(post.rules_admin, platform.links),
        knowledge=servicedesk.knowledge,
        tickets=servicedesk.tickets,
        ticket_queue=servicedesk.queue,
        ticket_relay=servicedesk.relay,
        ticket_files=servicedesk.files,
        knowledge_admin=KnowledgeAdminDialog(
            servicedesk.knowledge, servicedesk.articles_import, platform.links
        ),
        ticket_reports=TicketReportDialog(servicedesk.reports, platform.links),
        announcements=_announcement_dialogs(settings, capabilities),
        announcement_lists=AnnouncementListDialog(
            capabilities.announcements.authoring,
            capabilities.announcements.lists,
            files,
            read_list,
            describe_list_problem,
        ),
        workbook_files=files,
        # Personal answers asked for in a channel or group chat go to the 1:1 chat this way.
        notifier=platform.notifier,
    )


@dataclass(frozen=True, slots=True)
class Dialogs:
    registry: Registry
    dispatcher: Dispatcher
    start: StartDialog


def _announcement_dialogs(settings: Settings, capabilities: Capabilities) -> list[object]:
    announcements, platform = capabilities.announcements, capabilities.platform
    return [
        AnnouncementDialog(
            announcements.authoring,
            announcements.changes,
            platform.links,
            settings.zone,
            approval_required=settings.announcement_approval_required,
            channel_names=dict(settings.announcement_channels),
            auditor=platform.auditor,
        ),
        AnnouncementApprovalDialog(announcements.approvals, platform.auditor),
        AnnouncementReceiptDialog(announcements.receipts, platform.auditor, settings.zone),
    ]


def build_dialogs(
    *,
    directory: Directory,
    auditor: Auditor,
    servicedesk_url: str,
    access: AccessStatus,
    zone: tzinfo,
    licences: LicenceDesk | None = None,
    licence_admin: LicenceAdminDialog | None = None,
    post: PostDesk | None = None,
    post_rules_admin: PostRulesAdminDialog | None = None,
    workbook_files: WorkbookFiles | None = None,
    notifier: Notifier | None = None,
    knowledge: KnowledgeDesk | None = None,
    knowledge_admin: KnowledgeAdminDialog | None = None,
    tickets: TicketDesk | None = None,
    ticket_queue: DeskQueue | None = None,
    ticket_relay: TicketRelay | None = None,
    ticket_reports: TicketReportDialog | None = None,
    ticket_files: TicketFiles | None = None,
    announcements: Sequence[object] = (),
    announcement_lists: AnnouncementListDialog | None = None,
) -> Dialogs:
    """A fresh registry with every dialog wired to its services. A capability whose service is
    not given (`licences`, `licence_admin`, `post`, `post_rules_admin`, `knowledge_admin`) is
    left out: its commands and verbs are unknown. Files sent in chat go to the inbox of the
    workbook importers given, which fetches them (`workbook_files`) and tells each one's kind by
    its sheets. `notifier` (the outbox) takes personal answers asked for in a channel or group
    chat to the 1:1 chat. `knowledge` (the service desk's knowledge base) answers what no command
    claims; `knowledge_admin` keeps it as a workbook (admins); `tickets` lets people ask the
    service desk's agents (the knowledge base's "Nee" then opens the form); `ticket_relay` passes
    a person's free messages to their open ticket and the agents' thread messages to them;
    `ticket_reports`
    gives agents and admins the service desk's report; `ticket_files` attaches the files a
    person sends while their chat goes to their ticket (with `ticket_relay`) and opens them;
    `announcements`: the announcement dialogs (writing, approving, acknowledging);
    `announcement_lists` takes a list of people sent for a draft before the workbook inbox."""
    registry = Registry()
    dispatcher = Dispatcher(registry, auditor, servicedesk_url, notifier)
    profiles = Profiles(directory)
    start = StartDialog(registry, dispatcher, profiles)
    dispatcher.greet_with(start.greet)
    dialogs: list[object] = [
        HelpDialog(registry),
        ProfileDialog(profiles),
        AccessDialog(access, auditor, zone),
        start,
    ]
    if licences is not None:
        dialogs.append(LicenceDialog(licences, auditor, zone))
    if licence_admin is not None:
        dialogs.append(licence_admin)
    if post is not None:
        dialogs.append(PostDialog(post, auditor, zone))
        dialogs.append(PostDelegationDialog(post, auditor))
    if post_rules_admin is not None:
        dialogs.append(post_rules_admin)
    if tickets is not None:
        # The access card's summary goes with a question about signing in.
        summary = AccessContext(lambda user, tenant: access.report(user, tenant_id=tenant))
        dialogs.append(TicketDialog(tickets, auditor, zone, queue=ticket_queue, access=summary))
    if knowledge is not None:
        answers = KnowledgeDialog(knowledge, servicedesk_url, tickets_open=tickets is not None)
        dispatcher.answer_questions_with(answers.answer, tickets=tickets is not None)
        dialogs.append(answers)
    if ticket_relay is not None:
        # "Niet toevoegen": the words are read as if no ticket were open.
        relay = RelayDialog(ticket_relay, auditor, fallback=dispatcher.without_relay)
        dispatcher.relay_with(relay)
        dialogs.append(relay)
    if ticket_files is not None:
        files = TicketFilesDialog(ticket_files, auditor)
        dialogs.append(files)
        if ticket_relay is not None:
            relay.attach_files_with(files.attach_sent)
    if knowledge_admin is not None:
        dialogs.append(knowledge_admin)
    if ticket_reports is not None:
        dialogs.append(ticket_reports)
    dialogs.extend(announcements)
    importers: list[WorkbookImporter] = [
        importer
        for importer in (post_rules_admin, licence_admin, knowledge_admin)
        if importer is not None
    ]
    inbox = (
        WorkbookInbox(importers, workbook_files, auditor).receive_files
        if importers and workbook_files is not None
        else None
    )
    # A list of people for a draft waiting for one comes first; any other file, the inbox.
    receive = announcement_lists.receiving(inbox) if announcement_lists is not None else inbox
    if receive is not None:
        dispatcher.receive_files(receive)
    for dialog in dialogs:
        registry.add_dialog(dialog)
    return Dialogs(registry, dispatcher, start)
