"""A list of people for an announcement, sent as a file in the chat.

When a comms person's draft has "een lijst" as its audience, the next .xlsx or .csv file they
send in their chat is that draft's list: each row is checked against the directory (unknown,
disabled, outside what they may reach), those who may be reached become the draft's recipients,
and every refused row is told. Any other file, or a file from someone with no such draft, goes
on to the workbook inbox (dialogs/platform/workbooks.py) as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import AudienceKind
from bot.domain.announcements.recipient_lists import ListProblem
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from bot.services.announcements.audience_lists import AudienceLists
from bot.services.announcements.authoring import AnnouncementAuthoring
from bot.services.announcements.parts import RecipientListReader
from bot.services.platform.workbooks import WorkbookFiles
from bot.turn import Turn
from cards.announcements.lists import list_outcome_card, list_wanted_card
from cards.base import MAX_LINE, worded
from cards.platform.system import explained
from cards.platform.workbooks import download_failed_card

_LIST_FILES = (".xlsx", ".csv", ".txt")

FileHandler = Callable[[Turn, str], Awaitable[None]]


class DescribeListProblem(Protocol):
    """bot/excel/announcements/recipient_list.py `describe_list_problem`."""

    def __call__(self, problem: ListProblem, t: Translator) -> str: ...


class AnnouncementListDialog:
    def __init__(
        self,
        authoring: AnnouncementAuthoring,
        lists: AudienceLists,
        files: WorkbookFiles,
        reader: RecipientListReader,
        describe: DescribeListProblem,
    ) -> None:
        self._authoring = authoring
        self._lists = lists
        self._files = files
        self._reader = reader
        self._describe = describe

    def receiving(self, otherwise: FileHandler | None) -> FileHandler:
        """The chat's file handler: a list for a waiting draft, else `otherwise`."""

        async def receive(turn: Turn, text: str) -> None:
            draft = await self._waiting(turn)
            if draft is not None:
                await self._receive(turn, draft)
            elif otherwise is not None:
                await otherwise(turn, text)
            else:
                await turn.send_text(turn.t("unknown.not_text"))

        return receive

    async def _waiting(self, turn: Turn) -> Announcement | None:
        """The caller's most recent editable draft whose audience is a list, if any."""
        if not turn.caller.has(Role.COMMS):
            return None
        drafts = [
            a
            for a in await self._authoring.mine(turn.caller)
            if a.editable and a.audience is not None and a.audience.kind is AudienceKind.LIST
        ]
        return max(drafts, key=lambda a: a.updated_at, default=None)

    async def _receive(self, turn: Turn, draft: Announcement) -> None:
        t = turn.t
        lists = [f for f in turn.files if fold(f.name).endswith(_LIST_FILES)]
        if len(lists) != 1 or len(turn.files) != 1:
            await turn.send_card(list_wanted_card(draft.reference, draft.id, t))
            return
        try:
            data = await self._files.fetch(lists[0].download_url)
        except DomainError as error:
            await turn.send_card(download_failed_card(explained(error, t), t))
            return
        outcome = await self._lists.upload(turn.caller, draft.id, data, lists[0].name, self._reader)
        # A row's words quote the file's cell: escaped like any text from outside.
        problems = [
            escape_text(self._describe(problem, t), limit=MAX_LINE)
            for problem in outcome.list_problems
        ]
        problems += [
            worded(p.problem.message_key, {"row": p.row, "address": p.address}, t)
            for p in outcome.person_problems
        ]
        await turn.send_card(
            list_outcome_card(draft.reference, draft.id, outcome.accepted, problems, t)
        )
