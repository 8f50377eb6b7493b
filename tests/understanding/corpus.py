"""The labelled corpus: what people type to Werkplek, and what should happen.

The sentences live with the code (bot/commands/corpus/<name>.<language>.json: the understanding
step learns from them, bot/commands/examples.py), one utterance a line, as staff, mailroom
clerks, approvers, ICT admins and service-desk agents type them: questions, typos, no accents,
odd capitals, politeness, @mentions, "kunt ge", "allee". Each has

- `text`, as typed; `expect`: a command name, or "greeting", "servicedesk" (no command's
  business: the future service desk's knowledge base) or "ambiguous" (ask `between` two commands)
- `roles` beside staff (the commands scored are those these roles allow)
- `args`: what the winning command's own parser should read in the arguments the scorer hands
  it, on the fixed day TODAY: `person` (an agent's look-up, a delegate; "" for none), `starts`,
  `ends` (ISO days), `item` (the demo catalogue's key; "" when none is named), `search`, `scope`,
  `registered`, `this_week` (post filters), `entity` (a report's entity code)
- `split`: where the sentence comes from. "train": written to build and tune the scorer;
  "held_out_<n>" (n = 1, 2, ...): the n-th set written blind, by someone who had not read the
  scorer, measured once before anything was changed for it; "held_out_dev": a set the scorer's
  own engineer wrote before measuring it, once, to see whether a change generalises.

Where a sentence sits says whether the understanding step was tuned on it and learns from it:
under "held_out" never, under "tuning" yes (a held-out set moves there once its first figure is
written down in tests/understanding/test_corpus.py; its `split` stays, so its first measure can
be told apart). To grow the corpus: new sentences it gets wrong go to "tuning"; a new held-out
set is written blind, committed before anything is run on it, and measured once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from bot.commands.examples import CORPUS_DIR
from bot.domain.platform.roles import Role

# A Tuesday: "vrijdag" is 4 December, "morgen" 2 December, a day in November is next year's.
TODAY = date(2026, 12, 1)

TRAIN = "train"
GREETING = "greeting"
SERVICEDESK = "servicedesk"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    expect: str
    roles: frozenset[Role] = frozenset({Role.STAFF})
    args: Mapping[str, str] = field(default_factory=dict)
    between: tuple[str, str] | None = None
    split: str = TRAIN


@dataclass(frozen=True, slots=True)
class Corpus:
    tuning: tuple[Utterance, ...]
    held_out: tuple[Utterance, ...]


@cache
def load(language: str) -> Corpus:
    """Every file of the language: their "tuning" and their "held_out" sentences."""
    tuning: list[Utterance] = []
    held_out: list[Utterance] = []
    for path in sorted(CORPUS_DIR.glob(f"*.{language}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        tuning += (_utterance(entry) for entry in data.get("tuning", ()))
        held_out += (_utterance(entry) for entry in data.get("held_out", ()))
    return Corpus(tuple(tuning), tuple(held_out))


def _utterance(entry: Mapping[str, Any]) -> Utterance:
    between = entry.get("between")
    return Utterance(
        text=entry["text"],
        expect=entry["expect"],
        roles=frozenset({Role.STAFF, *(Role(role) for role in entry.get("roles", ()))}),
        args=dict(entry.get("args", {})),
        between=(between[0], between[1]) if between else None,
        split=entry.get("split", TRAIN),
    )
