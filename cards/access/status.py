"""The access-status card, and the cards around looking up someone else's.

One row per check (the account's origin only when it needs action, or for the service desk):
what was checked, a coloured state word (never colour alone), what was found and, when
something is not in order, the next step as a link. Moments are shown in the organisation's
time zone, day first, as Flemish readers expect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from bot.domain.access.facts import AccessReport, Check, CheckKind, CheckState
from bot.domain.access.rules import DATETIME_PARAM_SUFFIX, KEYS_PARAM_SUFFIX
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.access.open_work import open_work_row
from cards.base import MAX_LINE, MAX_NAME, Card, Element, card, execute, heading, open_url, text
from cards.platform.system import help_button
from cards.verbs import Verb

# A pick list longer than this is a search that needs more letters, not a list to scroll.
MAX_PICKS = 8
# The typed search is echoed on the card; a pasted paragraph is cut short.
_MAX_ECHOED_QUERY = 80

_TITLE = {
    CheckKind.ACCOUNT: "access.kind.account",
    CheckKind.IDENTITY_SOURCE: "access.kind.identity_source",
    CheckKind.MFA: "access.kind.mfa",
    CheckKind.LICENCES: "access.kind.licences",
    CheckKind.GROUPS: "access.kind.groups",
    CheckKind.DEVICES: "access.kind.devices",
    CheckKind.REQUESTS: "access.kind.requests",
}
_STATE = {
    CheckState.OK: "access.state.ok",
    CheckState.WARN: "access.state.warn",
    CheckState.ACTION: "access.state.action",
    CheckState.UNKNOWN: "access.state.unknown",
}
_VERDICT = {
    CheckState.OK: "access.verdict.ok",
    CheckState.WARN: "access.verdict.warn",
    CheckState.ACTION: "access.verdict.action",
    CheckState.UNKNOWN: "access.verdict.unknown",
}
# Adaptive Card TextBlock colours; "Default" for "could not be checked": not good, not bad.
_COLOUR = {
    CheckState.OK: "Good",
    CheckState.WARN: "Warning",
    CheckState.ACTION: "Attention",
    CheckState.UNKNOWN: "Default",
}


def format_moment(moment: datetime, t: Translator, tz: tzinfo) -> str:
    """28/11/2026 om 10:00 (nl) or 28/11/2026 at 10:00 (en), in the given time zone."""
    local = moment.astimezone(tz)
    return t("access.moment", date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M"))


def access_card(
    report: AccessReport,
    t: Translator,
    *,
    viewed_by_agent: bool = False,
    tz: tzinfo,
) -> Card:
    """The status of report.subject; `viewed_by_agent` when the caller is someone else."""
    subject = report.subject
    body: list[Element] = []
    if viewed_by_agent:
        name = escape_text(subject.display_name or subject.user_principal_name, limit=MAX_NAME)
        body.append(heading(t("access.title.other", name=name or t("access.someone"))))
        if subject.user_principal_name:
            body.append(text(escape_text(subject.user_principal_name, limit=MAX_NAME), subtle=True))
        body.append(text(t("access.viewed_by_agent"), subtle=True))
    else:
        body.append(heading(t("access.title.own")))
    worst = report.worst
    verdict = text(t(_VERDICT[worst]), weight="Bolder")
    body.append({**verdict, "size": "Medium", "color": _COLOUR[worst]})
    body += [_check_row(check, t, tz) for check in report.shown(to_agent=viewed_by_agent)]
    if report.open_work is not None:
        body.append(open_work_row(report.open_work, t, own=not viewed_by_agent))
    moment = format_moment(report.checked_at, t, tz)
    body.append({**text(t("access.checked_at", moment=moment), subtle=True), "separator": True})
    refresh = execute(t("access.refresh"), Verb.ACCESS_REFRESH, {"user": subject.id})
    return card(body, [refresh])


def _check_row(check: Check, t: Translator, tz: tzinfo) -> Element:
    state = {**text(t(_STATE[check.state]), weight="Bolder"), "color": _COLOUR[check.state]}
    title = text(t(_TITLE[check.kind]), weight="Bolder")
    items: list[Element] = [
        {
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [title]},
                {"type": "Column", "width": "auto", "items": [state]},
            ],
        },
        text(t(check.summary_key, **_rendered(check.params, t, tz))),
    ]
    if check.state is not CheckState.OK and check.next_step_key:
        step = t(check.next_step_key)
        if check.next_step_url:
            items.append({"type": "ActionSet", "actions": [open_url(step, check.next_step_url)]})
        else:
            items.append(text(step, weight="Bolder"))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _rendered(params: Mapping[str, str], t: Translator, tz: tzinfo) -> dict[str, str]:
    """Apply the param conventions of bot.domain.access.rules (`_at` moments, `_keys` ids).
    Other params are what the directory holds (device, group, licence names people chose), so
    they are escaped."""
    rendered: dict[str, str] = {}
    for name, value in params.items():
        if name.endswith(KEYS_PARAM_SUFFIX):
            keys = [key for key in value.split(",") if key]
            rendered[name.removesuffix(KEYS_PARAM_SUFFIX)] = t.join(keys)
        elif name.endswith(DATETIME_PARAM_SUFFIX):
            moment = datetime.fromisoformat(value)
            rendered[name.removesuffix(DATETIME_PARAM_SUFFIX)] = format_moment(moment, t, tz)
        else:
            rendered[name] = escape_text(value, limit=MAX_LINE)
    return rendered


def _echo(query: str) -> str:
    return escape_text(query, limit=_MAX_ECHOED_QUERY)


def pick_person_card(
    people: Sequence[DirectoryUser], query: str, t: Translator, *, more: bool = False
) -> Card:
    """Several people match an agent's search: one row per person, a button to show theirs."""
    body: list[Element] = [
        heading(t("access.pick.title")),
        text(t("access.pick.body", query=_echo(query))),
    ]
    body += [_person_row(person, t) for person in people[:MAX_PICKS]]
    if more or len(people) > MAX_PICKS:
        body.append(text(t("access.pick.more"), subtle=True))
    return card(body)


def _person_row(person: DirectoryUser, t: Translator) -> Element:
    show = execute(t("access.pick.show"), Verb.ACCESS_SHOW, {"user": person.id})
    parts = (person.department, person.user_principal_name)
    details = " · ".join(escape_text(part, limit=MAX_NAME) for part in parts if part)
    name = escape_text(person.display_name or person.user_principal_name, limit=MAX_NAME)
    who: list[Element] = [text(name, weight="Bolder")]
    if details:
        who.append({**text(details, subtle=True), "spacing": "None"})
    return {
        "type": "ColumnSet",
        "separator": True,
        "columns": [
            # The whole name is clickable too, not only the small button.
            {"type": "Column", "width": "stretch", "items": who, "selectAction": show},
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Center",
                "items": [{"type": "ActionSet", "actions": [show]}],
            },
        ],
    }


def nobody_found_card(query: str, t: Translator) -> Card:
    return card(
        [
            heading(t("access.nobody.title")),
            text(t("access.nobody.body", query=_echo(query))),
        ],
        [help_button(t)],
    )


def lookup_refused_card(t: Translator) -> Card:
    """Someone without the agent role asked about someone else: say so, offer their own card."""
    own = execute(t("access.refused.own"), Verb.RUN_COMMAND, {"command": "status"})
    body = [heading(t("access.refused.title")), text(t("access.refused.body"))]
    return card(body, [own])
