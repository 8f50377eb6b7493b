"""The announcement cards (cards/announcements/): valid Adaptive Cards 1.5, the author's text
shown and never obeyed (its summary keeping the Markdown Teams renders), the buttons each state
allows with payloads that name the announcement, both languages, Dutch numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.audiences import (
    MAX_TARGETS,
    NO_AUDIENCE,
    Audience,
    AudienceKind,
    AudienceProblem,
    Channel,
    Refusal,
)
from bot.domain.announcements.content import (
    ALT_MAX,
    LINK_TITLE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Content,
    ContentProblem,
    Importance,
    is_https_url,
)
from bot.domain.announcements.recipients import Outcome
from bot.i18n import LOCALES, Translator, catalog_messages
from cards.announcements import approval, drafts, forms, message, status
from cards.announcements.markdown import summary_markdown
from cards.verbs import Verb
from devtools.card_inspection import card_actions, card_nodes, card_text
from tests.support.reading import as_read
from tests.support.schemas import validate_card
from tests.unit.announcements.card_data import (
    BRUSSELS,
    CHOICES,
    DUTCH,
    ENGLISH,
    announcement,
    in_state,
    progress,
)
from tests.unit.test_card_escaping import HOSTILE, hazards, unescaped

NL, EN = Translator("nl"), Translator("en")
NAMES = ["Agentschap Wegen en Verkeer", "Departement Omgeving"]
ACKED = datetime(2026, 11, 27, 10, 5, tzinfo=BRUSSELS)


def draft(a: Announcement, t: Translator = NL, **more: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "audience_size": 1234,
        "audience_names": NAMES,
        "approval_required": False,
    }
    return drafts.draft_card(a, t, BRUSSELS, **(kwargs | more))


def ask(a: Announcement, t: Translator = NL, *, decided: bool = False) -> dict[str, Any]:
    return approval.approval_card(
        a, t, BRUSSELS, audience_names=NAMES, audience_size=1234, decided=decided
    )


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in card_actions(card) if a["type"] == "Action.Execute"]


def action(card: dict[str, Any], verb: Verb) -> dict[str, Any]:
    found = [a for a in card_actions(card) if a.get("verb") == verb.value]
    assert len(found) == 1, (verb, verbs(card))
    return found[0]


def texts(card: dict[str, Any]) -> list[str]:
    return [n["text"] for n in card_nodes(card) if n.get("type") == "TextBlock"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in card_nodes(card) if str(n.get("type", "")).startswith("Input.")}


def every_card(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT, english=ENGLISH)
    yield "message", message.announcement_message(announcement(), t, zone=BRUSSELS)
    yield "urgent", message.announcement_message(urgent, t, zone=BRUSSELS)
    yield "acked", message.announcement_message(urgent, t, acknowledged_at=ACKED, zone=BRUSSELS)
    yield (
        "preview",
        message.announcement_message(urgent, t, preview=True, reminder=True, zone=BRUSSELS),
    )
    yield "recalled", message.announcement_recalled(t)
    yield "form", forms.announcement_form(t, draft=None, choices=CHOICES, zone=BRUSSELS)
    yield (
        "form-draft",
        forms.announcement_form(
            t,
            draft=announcement(english=ENGLISH, send_at=ACKED),
            choices=CHOICES,
            zone=BRUSSELS,
            problems=["Geef de aankondiging een titel."],
        ),
    )
    for state in AnnouncementState:
        yield f"draft-{state.value}", draft(in_state(state, importance=Importance.URGENT), t)
        yield f"status-{state.value}", status.status_card(in_state(state), progress(), t, BRUSSELS)
        yield f"approval-{state.value}", ask(in_state(state), t)
    yield "list", drafts.announcements_list([in_state(s) for s in AnnouncementState], t, BRUSSELS)
    yield "list-empty", drafts.announcements_list([], t, BRUSSELS)


CASES = [
    (locale, name, card) for locale in LOCALES for name, card in every_card(Translator(locale))
]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_card_is_a_valid_adaptive_card_1_5(
    locale: str, name: str, card: dict[str, Any]
) -> None:
    validate_card(card)
    assert set(verbs(card)) <= {verb.value for verb in Verb}


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_payload_names_the_announcement(locale: str, name: str, card: dict[str, Any]) -> None:
    """Every click says which announcement it is about; only "Schrijf een aankondiging" and
    the form of a new one have none yet."""
    for found in card_actions(card):
        if found["type"] != "Action.Execute":
            continue
        data = found["data"]
        if found["verb"] == Verb.ANNOUNCEMENT_FORM and name.startswith("list"):
            assert data == {}
        elif found["verb"] == Verb.ANNOUNCEMENT_SAVE and name == "form":
            assert data == {"announcement": None}
        else:
            assert data["announcement"] == 42, (name, found)


# --- the message ---------------------------------------------------------------------------------
def test_the_message_shows_title_summary_image_link_and_author() -> None:
    card = message.announcement_message(in_state(AnnouncementState.SENT), NL, zone=BRUSSELS)
    title = card["body"][0]
    assert title["text"] == "Vanaf maandag is MFA verplicht"
    assert title["size"] == "Large" and title["weight"] == "Bolder"
    assert (
        "Vanaf **maandag 1 december** meld je je aan met _tweestapsverificatie_." in texts(card)[1]
    )
    assert "[het intranet](https://intranet.vlaanderen.example/mfa)" in texts(card)[1]
    image = next(n for n in card_nodes(card) if n.get("type") == "Image")
    assert image["url"] == DUTCH.image_url and image["altText"] == DUTCH.image_alt
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Stappenplan", "url": DUTCH.link_url}
    ]
    byline = card["body"][-1]
    assert byline["size"] == "Small" and byline["text"] == "Sofie Peeters · 23/11/2026 11:15"
    assert "Dringend" not in texts(card)


def test_an_urgent_message_asks_for_an_acknowledgement() -> None:
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT)
    card = message.announcement_message(urgent, NL, zone=BRUSSELS)
    assert "Dringend" in texts(card)
    button = action(card, Verb.ANNOUNCEMENT_ACKNOWLEDGE)
    assert button["title"] == "Gelezen en begrepen"
    assert button["data"] == {"announcement": 42}


def test_once_acknowledged_the_message_says_when_and_has_no_button() -> None:
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT)
    card = message.announcement_message(urgent, NL, acknowledged_at=ACKED, zone=BRUSSELS)
    assert Verb.ANNOUNCEMENT_ACKNOWLEDGE.value not in verbs(card)
    assert "Je bevestigde dit op 27/11/2026 10:05." in texts(card)


def test_a_preview_is_marked_and_its_button_records_nothing() -> None:
    urgent = announcement(importance=Importance.URGENT)
    card = message.announcement_message(urgent, NL, preview=True, zone=BRUSSELS)
    assert card["body"][0]["text"] == "Voorbeeld: alleen jij ziet dit"
    assert action(card, Verb.ANNOUNCEMENT_ACKNOWLEDGE)["data"] == {
        "announcement": 42,
        "preview": True,
    }
    real = message.announcement_message(urgent, NL, zone=BRUSSELS)
    assert "preview" not in action(real, Verb.ANNOUNCEMENT_ACKNOWLEDGE)["data"]
    assert "Voorbeeld: alleen jij ziet dit" not in texts(real)


def test_a_reminder_says_so_at_the_top() -> None:
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT)
    card = message.announcement_message(urgent, NL, reminder=True, zone=BRUSSELS)
    assert card["body"][0]["text"] == "Herinnering"
    assert Verb.ANNOUNCEMENT_ACKNOWLEDGE.value in verbs(card)
    plain = message.announcement_message(urgent, NL, zone=BRUSSELS)
    assert "Herinnering" not in texts(plain)


def test_english_readers_get_the_english_text_with_the_shared_image_and_link() -> None:
    both = in_state(AnnouncementState.SENT, english=ENGLISH, importance=Importance.URGENT)
    card = message.announcement_message(both, EN, zone=BRUSSELS)
    assert card["body"][1]["text"] == ENGLISH.title
    image = next(n for n in card_nodes(card) if n.get("type") == "Image")
    assert image["url"] == DUTCH.image_url and image["altText"] == ENGLISH.image_alt
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Step by step",
        "url": DUTCH.link_url,
    }
    assert action(card, Verb.ANNOUNCEMENT_ACKNOWLEDGE)["title"] == "Read and understood"
    assert "Urgent" in texts(card)
    dutch_card = message.announcement_message(both, NL, zone=BRUSSELS)
    assert dutch_card["body"][1]["text"] == DUTCH.title
    only_dutch = message.announcement_message(announcement(), EN, zone=BRUSSELS)
    assert only_dutch["body"][0]["text"] == DUTCH.title


def test_no_image_or_link_that_is_not_https() -> None:
    unsafe = Content(
        title="x",
        image_url="http://evil.example/x.png",
        image_alt="x",
        link_title="Klik",
        link_url="javascript:alert(1)",
    )
    card = message.announcement_message(announcement(dutch=unsafe), NL, zone=BRUSSELS)
    assert not [n for n in card_nodes(card) if n.get("type") == "Image"]
    assert "actions" not in card


def test_a_recalled_message_says_so() -> None:
    card = message.announcement_recalled(NL)
    assert texts(card) == ["Deze aankondiging werd ingetrokken."]
    assert texts(message.announcement_recalled(EN)) == ["This announcement was recalled."]


# --- untrusted text ------------------------------------------------------------------------------
HOSTILE_SUMMARY = (
    "**Belangrijk**: lees dit.\n"
    "[x](javascript:alert(1)) [Bevestig hier](https://evil.example/login) "
    "<script>alert(1)</script> {{DATE(2017-02-14T06:08:39Z, SHORT)}} ${geheim} "
    "<at>Admin</at> &lt;b&gt; ![beeld](https://evil.example/x.png) www.evil.example\n"
    "# kop\n> citaat\n- lijst\n1. lijst\n[ref]: https://evil.example"
)


def test_the_summary_keeps_emphasis_lists_and_https_links_and_nothing_else() -> None:
    shown = summary_markdown(HOSTILE_SUMMARY)
    assert shown.startswith("**Belangrijk**: lees dit.\n")
    assert "[Bevestig hier](https://evil.example/login)" in shown  # the author's own https link
    assert "\n- lijst\n1. lijst\n" in shown
    assert not re.search(r"(?<!\\)\]\(javascript", shown) and "javascript:alert" not in shown
    assert "\\[x\\](javascript:\u200b" in shown
    assert "<script" not in shown and "<\u200bscript>" in shown
    assert "{{" not in shown and "}}" not in shown and "${" not in shown
    assert "<at>" not in shown and "&lt;" not in shown
    assert "![beeld](" not in shown and "!\\[beeld\\]" in shown
    assert "www.evil" not in shown
    assert "\n\\# kop\n\\> citaat\n" in shown
    assert "\\[ref\\]:" in shown
    # Whoever reads it reads what was written.
    assert "alert(1)" in as_read(shown) and "Bevestig hier" in as_read(shown)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Gewone tekst, 3.5 keer.", "Gewone tekst, 3.5 keer."),
        ("_cursief_ en **vet**", "_cursief_ en **vet**"),
        ("- een\n- twee", "- een\n- twee"),
        ("1. een\n2) twee", "1. een\n2) twee"),
        ("---\n+ plus", "\\---\n\\+ plus"),
        ("in 2026. Dat", "in 2026. Dat"),
        ("zie [**hier**](https://a.example/x_y).", "zie [**hier**](https://a.example/x_y)."),
        ("- [link](https://b.example) in een lijst", "- [link](https://b.example) in een lijst"),
        ("[leeg]()", "\\[leeg\\]()"),
        ("[x](https://user@evil.example)", "\\[x\\](https:\u200b/\u200b/user@evil\u2024example)"),
        (
            "[x](https://a.example/{{x}})",
            "\\[x\\](https:\u200b/\u200b/a\u2024example/{\u200b{x}\u200b})",
        ),
        ("a\\b", "a\\\\b"),
        ("`code`", "\\`code\\`"),
    ],
)
def test_the_summary_reads_as_written(written: str, shown: str) -> None:
    assert summary_markdown(written) == shown


_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)")


def links_out(shown: str) -> tuple[str, list[str]]:
    """The text with its live links replaced by their labels (set apart: a link is a node of its
    own, no address runs into it), and their addresses. A bracket after an odd number of
    backslashes is escaped: no link."""
    urls: list[str] = []

    def label(found: re.Match[str]) -> str:
        before = shown[: found.start()]
        if (len(before) - len(before.rstrip("\\"))) % 2:
            return found.group(0)
        urls.append(found.group(2))
        return f" {found.group(1)} "

    return _LINK.sub(label, shown), urls


# Block markers other than "- " and "1. " (the lists the summary may hold).
_BLOCK = re.compile(r"(?m)^[ \t]*(#|>|\+|=|-(?! )|\d{1,9}[.)](?=\t|$))|^ {4,}\S")


@settings(max_examples=300, deadline=None)
@given(
    written=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "[",
                    "]",
                    "(",
                    ")",
                    "!",
                    "*",
                    "_",
                    "~",
                    "`",
                    "\\",
                    "#",
                    ">",
                    "-",
                    "+",
                    "1.",
                    "://",
                    ".",
                    "www.",
                    "evil.example",
                    "https:",
                    "https://a.example/p",
                    "javascript:",
                    "{{",
                    "}}",
                    "${",
                    "<",
                    "<at>",
                    "&lt;",
                    "\n",
                    " ",
                    "\u202e",
                    "[x](https://ok.example)",
                    "[x](javascript:a)",
                    "[x](http://a.example)",
                    "[x](https://u@a.example)",
                    "](",
                    "a",
                    "9",
                ]
            ),
            st.text(max_size=3),
        ),
        max_size=60,
    ).map("".join)
)
def test_no_summary_renders_more_than_emphasis_lists_and_https_links(written: str) -> None:
    shown = summary_markdown(written)
    plain, urls = links_out(shown)
    assert all(is_https_url(url) for url in urls), (written, shown)
    found = set(hazards(plain))
    assert not found - {"unescaped Markdown", "block marker at a line start"}, (written, shown)
    # Of Markdown, only emphasis (and brackets of empty or refused links, shown as written)
    assert not [i for i in unescaped(plain, "~`\\") if plain[i] != "\\"], (written, shown)
    assert not _BLOCK.search(plain), (written, shown)


def hostile_announcement(
    state: AnnouncementState = AnnouncementState.REJECTED, **changes: Any
) -> Announcement:
    content = Content(
        title="<script>alert(1)</script> [x](javascript:alert(1)) {{DATE(2017-02-14T06:08:39Z)}}",
        summary=HOSTILE_SUMMARY,
        image_url="https://intranet.example/a.png",
        image_alt=HOSTILE,
        link_title=HOSTILE,
        link_url="https://intranet.example/x",
    )
    audience = Audience(AudienceKind.LIST, list_name=HOSTILE, list_size=3)
    return in_state(
        state,
        dutch=content,
        english=content,
        author_name=HOSTILE,
        decided_by_name=HOSTILE,
        decision_note=HOSTILE,
        audience=audience,
        importance=Importance.URGENT,
        **changes,
    )


def hostile_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    bad = hostile_announcement()
    yield "message", message.announcement_message(bad, t, zone=BRUSSELS)
    yield "draft", draft(bad, t, audience_names=[HOSTILE])
    yield "draft-names", draft(bad, t, audience_names=[])
    yield "list", drafts.announcements_list([bad], t, BRUSSELS)
    yield "status", status.status_card(bad, progress(), t, BRUSSELS)
    yield "approval", ask(bad, t, decided=True)
    waiting = hostile_announcement(AnnouncementState.AWAITING_APPROVAL)
    yield "approval-open", ask(waiting, t)
    problems = forms.problem_texts([], [Refusal(AudienceProblem.ENTITY_NOT_ALLOWED, HOSTILE)], t)
    yield (
        "form",
        forms.announcement_form(
            t,
            draft=bad,
            choices=forms.AudienceChoices(lists=True),
            zone=BRUSSELS,
            problems=problems,
        ),
    )


HOSTILE_CASES = [
    (loc, name, card) for loc in LOCALES for name, card in hostile_cards(Translator(loc))
]


@pytest.mark.parametrize(
    ("locale", "name", "card"), HOSTILE_CASES, ids=[f"{c[0]}-{c[1]}" for c in HOSTILE_CASES]
)
def test_no_construct_of_the_author_survives_outside_the_summary(
    locale: str, name: str, card: dict[str, Any]
) -> None:
    validate_card(card)
    summary = summary_markdown(HOSTILE_SUMMARY)
    for node in card_nodes(card):
        if node.get("type") == "TextBlock" and node["text"] != summary:
            shown = node["text"]
            # Our own Markdown (bold references in a list) is not the author's.
            assert not hazards(re.sub(r"\*\*[^*\n\\]+\*\*", "", shown), on_card=True), shown
        if node.get("type") == "FactSet":
            for fact in node["facts"]:
                assert not hazards(fact["value"], on_card=True), fact
    assert "<script>" not in card_text(card)
    assert "javascript:alert" not in card_text(card)


def test_plain_texts_of_the_author_are_cleaned_not_escaped() -> None:
    """Button titles, alt text and input values show no Markdown: no backslashes, no bidi."""
    bad = hostile_announcement()
    card = message.announcement_message(bad, NL, zone=BRUSSELS)
    link = card["actions"][0]
    image = next(n for n in card_nodes(card) if n.get("type") == "Image")
    for plain in (link["title"], image["altText"]):
        assert "\\" not in plain and "\u202e" not in plain
    assert len(link["title"]) <= LINK_TITLE_MAX and len(image["altText"]) <= ALT_MAX
    form = forms.announcement_form(NL, draft=bad, choices=CHOICES, zone=BRUSSELS)
    assert "\\" not in inputs(form)[forms.TITLE]["value"]
    assert inputs(form)[forms.TITLE]["value"].startswith("<script>")


# --- the form ------------------------------------------------------------------------------------
def test_the_form_is_filled_in_from_the_draft() -> None:
    audience = Audience(AudienceKind.ENTITIES, entities=("AWV", "ADV"))
    saved = announcement(
        english=ENGLISH,
        importance=Importance.URGENT,
        audience=audience,
        send_at=datetime(2026, 12, 1, 7, 30, tzinfo=BRUSSELS),
    )
    card = forms.announcement_form(NL, draft=saved, choices=CHOICES, zone=BRUSSELS)
    found = inputs(card)
    assert {key: found[key].get("value") for key in forms.INPUTS} == {
        forms.TITLE: DUTCH.title,
        forms.SUMMARY: DUTCH.summary,
        forms.IMAGE_URL: DUTCH.image_url,
        forms.IMAGE_ALT: DUTCH.image_alt,
        forms.LINK_TITLE: DUTCH.link_title,
        forms.LINK_URL: DUTCH.link_url,
        forms.IMPORTANCE: "urgent",
        forms.EN_TITLE: ENGLISH.title,
        forms.EN_SUMMARY: ENGLISH.summary,
        forms.EN_IMAGE_ALT: ENGLISH.image_alt,
        forms.EN_LINK_TITLE: ENGLISH.link_title,
        forms.AUDIENCE_KIND: "entities",
        forms.ENTITIES: "AWV",  # ADV is no longer the author's to pick
        forms.GROUPS: None,
        forms.CHANNELS: None,
        forms.SEND_DATE: "2026-12-01",
        forms.SEND_TIME: "07:30",
    }
    assert found[forms.SUMMARY]["isMultiline"] is True
    assert found[forms.TITLE]["maxLength"] == TITLE_MAX
    assert found[forms.SUMMARY]["maxLength"] == SUMMARY_MAX
    assert found[forms.ENTITIES]["isMultiSelect"] is True
    english = next(n for n in card_nodes(card) if n.get("id") == forms.ENGLISH_PART)
    assert english["isVisible"] is True
    save = action(card, Verb.ANNOUNCEMENT_SAVE)
    assert save["data"] == {"announcement": 42, "version": 3} and save["title"] == "Bewaren"


def test_a_new_form_is_empty_with_the_english_part_folded() -> None:
    card = forms.announcement_form(NL, draft=None, choices=CHOICES, zone=BRUSSELS)
    found = inputs(card)
    assert found[forms.TITLE]["value"] == "" and found[forms.TITLE]["isRequired"] is True
    assert found[forms.IMPORTANCE]["value"] == "normal"
    assert "value" not in found[forms.SEND_DATE] and "value" not in found[forms.SEND_TIME]
    english = next(n for n in card_nodes(card) if n.get("id") == forms.ENGLISH_PART)
    assert english["isVisible"] is False
    toggle = next(a for a in card_actions(card) if a["type"] == "Action.ToggleVisibility")
    assert toggle["targetElements"] == [forms.ENGLISH_PART]
    assert action(card, Verb.ANNOUNCEMENT_SAVE)["data"] == {"announcement": None}
    assert texts(card)[0] == "Nieuwe aankondiging"


def test_the_form_offers_only_the_audiences_in_the_choices() -> None:
    card = forms.announcement_form(NL, draft=None, choices=CHOICES, zone=BRUSSELS)
    kinds = [c["value"] for c in inputs(card)[forms.AUDIENCE_KIND]["choices"]]
    assert kinds == ["entities", "groups", "channels", "list"]
    assert [c["value"] for c in inputs(card)[forms.CHANNELS]["choices"]] == ["19:abc@thread.tacv2"]
    only_entities = forms.AudienceChoices(entities=[("DOMG", "Departement Omgeving")])
    card = forms.announcement_form(NL, draft=None, choices=only_entities, zone=BRUSSELS)
    assert [c["value"] for c in inputs(card)[forms.AUDIENCE_KIND]["choices"]] == ["entities"]
    assert forms.GROUPS not in inputs(card) and forms.CHANNELS not in inputs(card)
    everyone = forms.AudienceChoices(everyone=True)
    card = forms.announcement_form(NL, draft=None, choices=everyone, zone=BRUSSELS)
    assert [c["value"] for c in inputs(card)[forms.AUDIENCE_KIND]["choices"]] == ["everyone"]


def test_problems_are_shown_at_the_top_in_attention_colour() -> None:
    said = forms.problem_texts(
        [ContentProblem.TITLE_MISSING, ContentProblem.TITLE_MISSING],
        [Refusal(AudienceProblem.ENTITY_NOT_ALLOWED, "AWV")],
        NL,
        {"AWV": "Agentschap Wegen en Verkeer"},
    )
    assert said == [
        "Geef de aankondiging een titel.",
        "Je mag geen aankondigingen naar deze entiteit sturen. (Agentschap Wegen en Verkeer)",
    ]
    card = forms.announcement_form(NL, draft=None, choices=CHOICES, zone=BRUSSELS, problems=said)
    top = card["body"][:3]
    assert [block["color"] for block in top] == ["Attention"] * 3
    assert [block["text"] for block in top[1:]] == said


def test_every_problem_and_refusal_has_words_in_both_languages() -> None:
    for locale in LOCALES:
        messages = catalog_messages(locale)
        for problem in ContentProblem:
            assert f"announcements.problem.{problem.value}" in messages
        for refusal in AudienceProblem:
            assert f"announcements.audience.{refusal.value}" in messages
        for state in AnnouncementState:
            assert f"announcements.state.{state.value}" in messages
        for outcome in Outcome:
            assert f"announcements.outcome.{outcome.value}" in messages


@pytest.mark.parametrize("locale", LOCALES)
def test_the_limits_in_the_texts_are_the_domains(locale: str) -> None:
    t = Translator(locale)
    assert str(TITLE_MAX) in t("announcements.problem.title_too_long")
    assert str(SUMMARY_MAX) in t("announcements.problem.summary_too_long")
    assert str(ALT_MAX) in t("announcements.problem.alt_too_long")
    assert str(LINK_TITLE_MAX) in t("announcements.problem.link_title_too_long")
    assert str(MAX_TARGETS) in t("announcements.audience.too_many")


# --- the author's cards: buttons by state --------------------------------------------------------
V = Verb
BUTTONS = {
    AnnouncementState.DRAFT: [
        V.ANNOUNCEMENT_FORM,
        V.ANNOUNCEMENT_SUBMIT,
        V.ANNOUNCEMENT_PREVIEW,
        V.ANNOUNCEMENT_DUPLICATE,
        V.ANNOUNCEMENT_DELETE,
    ],
    AnnouncementState.AWAITING_APPROVAL: [
        V.ANNOUNCEMENT_CANCEL,
        V.ANNOUNCEMENT_STATUS,
        V.ANNOUNCEMENT_DUPLICATE,
    ],
    AnnouncementState.SCHEDULED: [
        V.ANNOUNCEMENT_CANCEL,
        V.ANNOUNCEMENT_STATUS,
        V.ANNOUNCEMENT_DUPLICATE,
    ],
    AnnouncementState.SENDING: [
        V.ANNOUNCEMENT_RECALL,
        V.ANNOUNCEMENT_REPORT,
        V.ANNOUNCEMENT_FORM,  # new words for the messages sent
        V.ANNOUNCEMENT_CANCEL,
        V.ANNOUNCEMENT_STATUS,
        V.ANNOUNCEMENT_DUPLICATE,
    ],
    AnnouncementState.SENT: [
        V.ANNOUNCEMENT_RECALL,
        V.ANNOUNCEMENT_REPORT,
        V.ANNOUNCEMENT_FORM,
        V.ANNOUNCEMENT_STATUS,
        V.ANNOUNCEMENT_DUPLICATE,
    ],
    AnnouncementState.CANCELLED: [V.ANNOUNCEMENT_DUPLICATE],
    AnnouncementState.RECALLED: [V.ANNOUNCEMENT_DUPLICATE],
}
BUTTONS[AnnouncementState.REJECTED] = BUTTONS[AnnouncementState.DRAFT]
DECISIONS = {
    V.ANNOUNCEMENT_SUBMIT,
    V.ANNOUNCEMENT_CANCEL,
    V.ANNOUNCEMENT_RECALL,
    V.ANNOUNCEMENT_DELETE,
}


@pytest.mark.parametrize("state", list(AnnouncementState))
def test_the_buttons_are_those_the_state_allows(state: AnnouncementState) -> None:
    shaped = in_state(state)
    for card in (draft(shaped), status.status_card(shaped, progress(), NL, BRUSSELS)):
        assert sorted(verbs(card)) == sorted(v.value for v in BUTTONS[state])
        for found in card_actions(card):
            if found["type"] != "Action.Execute":
                continue
            expected = {"announcement": 42}
            if found["verb"] in {v.value for v in DECISIONS}:
                expected["version"] = 3
            assert found["data"] == expected, found


def test_a_sent_urgent_announcement_can_be_reminded() -> None:
    urgent = in_state(AnnouncementState.SENT, importance=Importance.URGENT)
    assert Verb.ANNOUNCEMENT_REMIND.value in verbs(draft(urgent))
    assert Verb.ANNOUNCEMENT_REMIND.value in verbs(
        status.status_card(urgent, progress(), NL, BRUSSELS)
    )
    sending = in_state(AnnouncementState.SENDING, importance=Importance.URGENT)
    assert Verb.ANNOUNCEMENT_REMIND.value not in verbs(draft(sending))


def test_recall_and_delete_ask_for_a_confirmation_first() -> None:
    for state, verb, title in (
        (AnnouncementState.SENT, Verb.ANNOUNCEMENT_RECALL, "Intrekken"),
        (AnnouncementState.DRAFT, Verb.ANNOUNCEMENT_DELETE, "Verwijderen"),
    ):
        card = draft(in_state(state))
        opener = next(a for a in card["actions"] if a["title"] == title)
        assert opener["type"] == "Action.ShowCard"
        assert [a["verb"] for a in opener["card"]["actions"]] == [verb.value]
        assert verb.value not in [a.get("verb") for a in card["actions"]]


def test_the_submit_button_says_whether_someone_approves_first() -> None:
    a = announcement()
    plain = action(draft(a, approval_required=False), Verb.ANNOUNCEMENT_SUBMIT)
    approved = action(draft(a, approval_required=True), Verb.ANNOUNCEMENT_SUBMIT)
    assert plain["title"] == "Versturen"
    assert approved["title"] == "Ter goedkeuring voorleggen"
    assert approved["data"] == {"announcement": 42, "version": 3}


def test_a_draft_with_problems_cannot_be_sent_and_says_why() -> None:
    card = draft(
        announcement(audience=NO_AUDIENCE), problems=["Kies naar wie de aankondiging gaat."]
    )
    assert Verb.ANNOUNCEMENT_SUBMIT.value not in verbs(card)
    assert Verb.ANNOUNCEMENT_FORM.value in verbs(card)
    assert card["body"][1]["text"] == "Kies naar wie de aankondiging gaat."
    assert card["body"][1]["color"] == "Attention"


def test_the_draft_card_shows_audience_size_and_time_in_dutch() -> None:
    scheduled = in_state(AnnouncementState.SCHEDULED)
    card = draft(scheduled)
    facts = {
        f["title"]: f["value"]
        for n in card_nodes(card)
        if n.get("type") == "FactSet"
        for f in n["facts"]
    }
    assert facts["Doelgroep"] == "Entiteiten: Agentschap Wegen en Verkeer, Departement Omgeving"
    assert facts["Grootte"] == "ongeveer 1.234 personen"
    assert facts["Wanneer"] == "26/11/2026 09:15"
    assert facts["Referentie"] == "ANN-2026-000042"
    assert "Ingepland" in texts(card)
    english = draft(scheduled, EN)
    facts = {
        f["title"]: f["value"]
        for n in card_nodes(english)
        if n.get("type") == "FactSet"
        for f in n["facts"]
    }
    assert facts["Size"] == "about 1,234 people"
    one = draft(announcement(), audience_size=1)
    assert "ongeveer 1 persoon" in card_text(one)
    unknown = draft(announcement(), audience_size=None, audience_names=[])
    assert "Entiteiten: AWV, DOMG" in card_text(unknown) and "Nog niet bekend" in card_text(unknown)
    assert "Zo snel mogelijk" in card_text(unknown)


def test_a_channel_audience_counts_channels() -> None:
    channels = Audience(
        AudienceKind.CHANNELS, channels=(Channel("19:a", "Algemeen"), Channel("19:b"))
    )
    card = draft(announcement(audience=channels), audience_names=[])
    assert "Kanalen: Algemeen, 19:b" in card_text(card)
    assert "2 kanalen" in card_text(card)


def test_a_rejected_draft_shows_the_approvers_note() -> None:
    card = draft(in_state(AnnouncementState.REJECTED))
    line = "Geweigerd door Jef Claes: Graag het stappenplan als link toevoegen."
    assert line in texts(card)
    assert Verb.ANNOUNCEMENT_FORM.value in verbs(card)


def test_my_announcements_each_with_state_date_and_a_way_in() -> None:
    mine = [
        in_state(AnnouncementState.SENT),
        in_state(AnnouncementState.DRAFT, id=43, reference="ANN-2026-000043"),
    ]
    card = drafts.announcements_list(mine, NL, BRUSSELS)
    assert "Verstuurd · ANN-2026-000042 · 23/11/2026 11:15" in texts(card)
    assert "Concept · ANN-2026-000043 · 23/11/2026 09:15" in texts(card)
    opens = [a for a in card_actions(card) if a.get("verb") == Verb.ANNOUNCEMENT_STATUS.value]
    assert [a["data"] for a in opens] == [{"announcement": 42}, {"announcement": 43}]
    assert all(a["title"] == "Bekijken" for a in opens)
    assert card["actions"][0]["verb"] == Verb.ANNOUNCEMENT_FORM.value
    empty = drafts.announcements_list([], NL, BRUSSELS)
    assert "Je hebt nog geen aankondigingen." in texts(empty)
    assert [a["data"] for a in card_actions(empty)] == [{}]


# --- the status card -----------------------------------------------------------------------------
def _facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        f["title"]: f["value"]
        for n in card_nodes(card)
        if n.get("type") == "FactSet"
        for f in n["facts"]
    }


def test_the_status_card_counts_every_outcome_with_dutch_numbers() -> None:
    urgent = in_state(AnnouncementState.SENDING, importance=Importance.URGENT)
    card = status.status_card(urgent, progress(765, 1234), NL, BRUSSELS)
    facts = _facts(card)
    assert facts["Ontvangers"] == "1.234"
    assert facts["Verstuurd"] == "725"
    assert facts["Verstuurd na vertraging"] == "25"
    assert facts["Mislukt"] == "5"
    assert facts["Geblokkeerd of Werkplek verwijderd"] == "8"
    assert facts["Niet gevonden"] == "2"
    assert facts["Nog niet bereikt"] == "469"
    assert facts["Gelezen"] == "410"
    assert facts["Bevestigd"] == "302"
    assert facts["Snelheid"] == "12,3 per seconde"
    assert facts["Verwacht klaar"] == "23/11/2026 11:19"
    english = _facts(status.status_card(urgent, progress(765, 1234), EN, BRUSSELS))
    assert english["Recipients"] == "1,234" and english["Rate"] == "12.3 per second"
    big = _facts(status.status_card(urgent, progress(1_200_000, 2_345_678), NL, BRUSSELS))
    assert big["Ontvangers"] == "2.345.678" and big["Nog niet bereikt"] == "1.145.678"


def test_acknowledgements_are_counted_only_for_urgent_announcements() -> None:
    normal = status.status_card(in_state(AnnouncementState.SENDING), progress(), NL, BRUSSELS)
    assert "Bevestigd" not in _facts(normal) and "Gelezen" in _facts(normal)


def test_the_progress_bar_is_as_wide_as_what_is_done() -> None:
    card = status.status_card(
        in_state(AnnouncementState.SENDING), progress(765, 1234), NL, BRUSSELS
    )
    bar = next(n for n in card_nodes(card) if n.get("type") == "ColumnSet")
    widths = [column["width"] for column in bar["columns"]]
    assert widths == [61, 39, "auto"]  # 765 of 1234 is 61.99 %: never shown as more than done
    assert bar["columns"][0]["style"] == "emphasis"
    assert "61 %" in texts(card)
    done = status.status_card(in_state(AnnouncementState.SENT), progress(1234, 1234), EN, BRUSSELS)
    bar = next(n for n in card_nodes(done) if n.get("type") == "ColumnSet")
    assert [column["width"] for column in bar["columns"]] == [100, "auto"]
    assert "100%" in texts(done)
    nothing = status.status_card(in_state(AnnouncementState.SENDING), progress(0, 0), NL, BRUSSELS)
    bar = next(n for n in card_nodes(nothing) if n.get("type") == "ColumnSet")
    assert [column["width"] for column in bar["columns"]] == [100, "auto"]
    assert "0 %" in texts(nothing)


def test_the_status_card_says_when_it_ended_or_that_the_end_is_not_known() -> None:
    sent = _facts(
        status.status_card(in_state(AnnouncementState.SENT), progress(1234), NL, BRUSSELS)
    )
    assert sent["Klaar"] == "23/11/2026 11:18" and "Verwacht klaar" not in sent
    unsure = progress(0, expected_end=None, per_second=0.0)
    sending = _facts(status.status_card(in_state(AnnouncementState.SENDING), unsure, NL, BRUSSELS))
    assert sending["Verwacht klaar"] == "Nog niet bekend" and "Snelheid" not in sending
    resolving = in_state(AnnouncementState.SENDING, resolved=False)
    card = status.status_card(resolving, unsure, NL, BRUSSELS)
    assert "Werkplek zoekt de ontvangers nog op." in texts(card)


# --- the approver's card -------------------------------------------------------------------------
def test_the_approver_reads_the_announcement_and_decides() -> None:
    waiting = in_state(AnnouncementState.AWAITING_APPROVAL, approval_required=True)
    card = ask(waiting)
    assert "Sofie Peeters vraagt je deze aankondiging goed te keuren." in card_text(card)
    shown = next(n for n in card["body"] if n.get("type") == "Container")
    assert shown["items"][0]["text"] == DUTCH.title
    assert any(n.get("type") == "Image" for n in card_nodes(shown))
    approve = action(card, Verb.ANNOUNCEMENT_APPROVE)
    assert approve["title"] == "Goedkeuren"
    assert approve["data"] == {"announcement": 42, "version": 3}
    refuse = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")
    assert refuse["title"] == "Weigeren"
    note = refuse["card"]["body"][0]
    assert note["type"] == "Input.Text" and note["id"] == approval.NOTE
    assert refuse["card"]["actions"][0]["verb"] == Verb.ANNOUNCEMENT_REJECT.value
    assert refuse["card"]["actions"][0]["data"] == {"announcement": 42, "version": 3}
    facts = _facts(card)
    assert facts["Grootte"] == "ongeveer 1.234 personen"


def test_a_decided_approval_card_has_no_buttons_and_says_who_decided() -> None:
    approved = in_state(
        AnnouncementState.SCHEDULED,
        approval_required=True,
        decided_by="x",
        decided_by_name="Jef Claes",
    )
    card = ask(approved, decided=True)
    assert not verbs(card) and "actions" not in card
    assert "Goedgekeurd door Jef Claes." in texts(card)
    rejected = ask(in_state(AnnouncementState.REJECTED), decided=True)
    assert not verbs(rejected)
    assert "Geweigerd door Jef Claes: Graag het stappenplan als link toevoegen." in texts(rejected)
    cancelled = ask(in_state(AnnouncementState.CANCELLED))
    assert not verbs(cancelled) and "Geannuleerd" in texts(cancelled)
    # Decided just now, on an announcement read before the decision: no buttons either.
    stale = ask(in_state(AnnouncementState.AWAITING_APPROVAL), decided=True)
    assert not verbs(stale)


def test_english_approver() -> None:
    card = ask(in_state(AnnouncementState.AWAITING_APPROVAL, english=ENGLISH), EN)
    assert "Announcement for approval" in texts(card)
    assert ENGLISH.title in texts(card)
    assert action(card, Verb.ANNOUNCEMENT_APPROVE)["title"] == "Approve"


def test_times_are_in_the_given_zone() -> None:
    stored = in_state(AnnouncementState.SCHEDULED, send_at=datetime(2026, 12, 1, 5, 30, tzinfo=UTC))
    assert _facts(draft(stored))["Wanneer"] == "01/12/2026 06:30"
    form = forms.announcement_form(NL, draft=stored, choices=CHOICES, zone=BRUSSELS)
    assert inputs(form)[forms.SEND_TIME]["value"] == "06:30"
