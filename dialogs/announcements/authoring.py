"""Announcements for the people who write them (role `comms`; admins may do everything):

- `aankondiging` / `announce` opens the form; "Opslaan" keeps it as a draft and shows the draft's
  card with the audience's size; "Voorbeeld" sends the real card to the author's own chat;
  "Versturen" (or "Ter goedkeuring voorleggen") sends it now or at its time.
- `aankondigingen` / `announcements` lists mine with their state; each opens its status card
  (live figures) with what its state allows: cancel, recall, remind, report, duplicate.

Every click names an announcement by id; the services check that the clicker wrote it (or is an
admin), never the card. A refused click is audited and the card stays as it was.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command
from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.domain.platform.untrusted import escape_text
from bot.i18n import N_
from bot.services.announcements.authoring import AnnouncementAuthoring
from bot.services.announcements.changes import AnnouncementChanges
from bot.services.announcements.checks import AnnouncementProblems
from bot.services.platform.audit import Auditor
from bot.turn import Card, Turn
from cards.announcements.drafts import announcements_list, draft_card
from cards.announcements.forms import announcement_form
from cards.announcements.message import announcement_message
from cards.announcements.report_link import report_link_card
from cards.announcements.status import status_card
from cards.base import MAX_NAME, worded
from cards.verbs import Verb
from dialogs.announcements.payloads import Decision, FormAsk, FormSent, Target, refilled
from dialogs.platform.workbooks import ExportLinks

# The export kind bot/http/exports.py serves for an announcement's report.
ANNOUNCEMENT_REPORT_EXPORT = "announcement-report"
OBJECT_TYPE = "announcement"


class AnnouncementDialog:
    def __init__(
        self,
        authoring: AnnouncementAuthoring,
        changes: AnnouncementChanges,
        links: ExportLinks,
        zone: tzinfo,
        *,
        approval_required: bool,
        channel_names: dict[str, str],
        auditor: Auditor,
    ) -> None:
        self._authoring = authoring
        self._changes = changes
        self._links = links
        self._zone = zone
        self._approval_required = approval_required
        self._channel_names = dict(channel_names)
        self._auditor = auditor

    @command(
        "announce",
        nl=("aankondiging", "nieuwe aankondiging"),
        en=("announce", "new announcement"),
        title_key=N_("cmd.announce.title"),
        help_key=N_("cmd.announce.help"),
        example_key=N_("cmd.announce.example"),
        role=Role.COMMS,
        order=900,
    )
    async def compose(self, turn: Turn, args: str) -> None:
        await turn.send_card(await self._form(turn, None))

    @command(
        "announcements",
        nl=("aankondigingen", "mijn aankondigingen"),
        en=("announcements", "my announcements"),
        title_key=N_("cmd.announcements.title"),
        help_key=N_("cmd.announcements.help"),
        example_key=N_("cmd.announcements.example"),
        role=Role.COMMS,
        order=910,
    )
    async def mine(self, turn: Turn, args: str) -> None:
        await turn.send_card(await self._list(turn))

    @card_action(Verb.ANNOUNCEMENT_LIST, payload=FormAsk, role=Role.COMMS)
    async def listed(self, turn: Turn, data: FormAsk) -> Card:
        return await self._list(turn)

    @card_action(Verb.ANNOUNCEMENT_FORM, payload=FormAsk, role=Role.COMMS)
    async def form(self, turn: Turn, data: FormAsk) -> Card | ActionResult:
        if data.announcement is None:
            return await self._form(turn, None)
        try:
            draft = await self._authoring.get(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "form", data.announcement, refused)
        return await self._form(turn, draft)

    @card_action(Verb.ANNOUNCEMENT_SAVE, payload=FormSent, role=Role.COMMS)
    async def save(self, turn: Turn, data: FormSent) -> Card | ActionResult:
        form = data.form(self._zone, self._channel_names)
        try:
            stored = (
                await self._authoring.get(turn.caller, data.announcement)
                if data.announcement is not None
                else None
            )
            if stored is not None and not stored.editable:
                # Sent already: new words are edited into every message sent.
                changed = await self._changes.edit_sent(
                    turn.caller, stored.id, (form.dutch, form.english)
                )
                return await self._status(turn, changed.announcement)
            saved = await self._authoring.save(turn.caller, data.announcement, form, data.version)
        except AnnouncementProblems as problems:
            form_again = await self._form(turn, stored, problems=_said(problems, turn))
            return refilled(form_again, data)
        except NotFound as refused:
            return await self._refused(turn, "save", data.announcement or 0, refused)
        return await self._draft(turn, saved)

    @card_action(Verb.ANNOUNCEMENT_PREVIEW, payload=Target, role=Role.COMMS)
    async def preview(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            announcement = await self._authoring.get(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "preview", data.announcement, refused)
        await turn.send_card(
            announcement_message(announcement, turn.t, preview=True, zone=self._zone)
        )
        return ActionResult(message=turn.t("announcements.preview_sent"))

    @card_action(Verb.ANNOUNCEMENT_DUPLICATE, payload=Target, role=Role.COMMS)
    async def duplicate(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            copy = await self._authoring.duplicate(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "duplicate", data.announcement, refused)
        await turn.send_card(await self._form(turn, copy))
        return ActionResult(message=turn.t("announcements.duplicated", reference=copy.reference))

    @card_action(Verb.ANNOUNCEMENT_DELETE, payload=Decision, role=Role.COMMS)
    async def delete(self, turn: Turn, data: Decision) -> Card | ActionResult:
        try:
            await self._authoring.delete(turn.caller, data.announcement, data.version)
        except NotFound as refused:
            return await self._refused(turn, "delete", data.announcement, refused)
        return await self._list(turn)

    @card_action(Verb.ANNOUNCEMENT_SUBMIT, payload=Decision, role=Role.COMMS)
    async def submit(self, turn: Turn, data: Decision) -> Card | ActionResult:
        try:
            sent = await self._authoring.submit(turn.caller, data.announcement, data.version)
        except AnnouncementProblems as problems:
            stored = await self._authoring.get(turn.caller, data.announcement)
            return await self._draft(turn, stored, problems=_said(problems, turn))
        except NotFound as refused:
            return await self._refused(turn, "submit", data.announcement, refused)
        if sent.state is AnnouncementState.SENDING:
            return await self._status(turn, sent)
        return await self._draft(turn, sent)

    @card_action(Verb.ANNOUNCEMENT_STATUS, payload=Target, role=Role.COMMS)
    async def status(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            announcement = await self._authoring.get(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "status", data.announcement, refused)
        if announcement.editable or announcement.state is AnnouncementState.AWAITING_APPROVAL:
            return await self._draft(turn, announcement)
        return await self._status(turn, announcement)

    @card_action(Verb.ANNOUNCEMENT_CANCEL, payload=Decision, role=Role.COMMS)
    async def cancel(self, turn: Turn, data: Decision) -> Card | ActionResult:
        try:
            changed = await self._changes.cancel(turn.caller, data.announcement, data.version)
        except NotFound as refused:
            return await self._refused(turn, "cancel", data.announcement, refused)
        return await self._status(turn, changed.announcement)

    @card_action(Verb.ANNOUNCEMENT_RECALL, payload=Decision, role=Role.COMMS)
    async def recall(self, turn: Turn, data: Decision) -> Card | ActionResult:
        try:
            changed = await self._changes.recall(turn.caller, data.announcement, data.version)
        except NotFound as refused:
            return await self._refused(turn, "recall", data.announcement, refused)
        return await self._status(turn, changed.announcement)

    @card_action(Verb.ANNOUNCEMENT_REMIND, payload=Target, role=Role.COMMS)
    async def remind(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            changed = await self._changes.remind(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "remind", data.announcement, refused)
        await turn.send_text(turn.t.n("announcements.reminded", changed.messages))
        return await self._status(turn, changed.announcement)

    @card_action(Verb.ANNOUNCEMENT_REPORT, payload=Target, role=Role.COMMS)
    async def report(self, turn: Turn, data: Target) -> ActionResult:
        try:
            announcement = await self._authoring.get(turn.caller, data.announcement)
        except NotFound as refused:
            return await self._refused(turn, "report", data.announcement, refused)
        params = {"announcement": str(announcement.id), "lang": turn.t.locale}
        link = self._links.export_link(ANNOUNCEMENT_REPORT_EXPORT, params, turn.caller.user_id)
        minutes = self._links.lifetime_minutes
        await turn.send_card(report_link_card(announcement.reference, link, minutes, turn.t))
        return ActionResult(message=turn.t("announcements.report_sent"))

    # --- cards ------------------------------------------------------------------------------
    async def _form(
        self, turn: Turn, draft: Announcement | None, problems: list[str] | None = None
    ) -> Card:
        choices = await self._authoring.choices(turn.caller, turn.t.locale)
        return announcement_form(
            turn.t, draft=draft, choices=choices, zone=self._zone, problems=problems or ()
        )

    async def _draft(
        self, turn: Turn, announcement: Announcement, problems: list[str] | None = None
    ) -> Card:
        size = await self._authoring.estimate(turn.caller, announcement)
        names = await self._authoring.audience_names(turn.caller, announcement, turn.t.locale)
        return draft_card(
            announcement,
            turn.t,
            self._zone,
            audience_size=size,
            audience_names=names,
            problems=problems or (),
            approval_required=self._approval_required,
        )

    async def _status(self, turn: Turn, announcement: Announcement) -> Card:
        progress = await self._changes.figures(turn.caller, announcement.id)
        return status_card(self._changes.as_sent(announcement), progress, turn.t, self._zone)

    async def _list(self, turn: Turn) -> Card:
        mine = await self._authoring.mine(turn.caller)
        return announcements_list(mine, turn.t, self._zone)

    async def _refused(
        self, turn: Turn, what: str, announcement_id: int, refused: NotFound | Forbidden
    ) -> ActionResult:
        return await refuse(
            self._auditor,
            turn,
            action=f"announcements.{what}",
            object_type=OBJECT_TYPE,
            object_id=str(announcement_id),
            message_key=refused.message_key,
        )


def _said(problems: AnnouncementProblems, turn: Turn) -> list[str]:
    """Every problem in words; their values (an entity code from the payload) escaped. An
    audience problem's messages name no target themselves: the refused entity or group is
    added (refused_target), so that of "ADV, DFB" the author reads which one is not theirs."""
    said: list[str] = []
    for problem in problems.problems:
        values = problem.values
        target = values.pop("target", "")
        why = worded(problem.message_key, values, turn.t)
        if target:
            why = turn.t(
                "announcements.audience.refused_target",
                problem=why,
                target=escape_text(target, limit=MAX_NAME),
            )
        said.append(why)
    return list(dict.fromkeys(said))
