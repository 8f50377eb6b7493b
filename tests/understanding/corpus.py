"""The labelled corpus: what people type to Werkplek, and what should happen.

corpus_nl.json (Dutch, Flemish) and corpus_en.json hold one utterance a line, as staff, mailroom
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

Where a sentence sits says whether the scorer was tuned on it: under `held_out` never, under
`tuning` yes (a held-out set moves there once its first figure is written down in
tests/understanding/test_corpus.py; its `split` stays, so its first measure can be told apart).
To grow the corpus: new sentences the scorer gets wrong go to `tuning`; a new held-out set is
written before the scorer is run on it and measured once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.domain.platform.roles import Role

# A Tuesday: "vrijdag" is 4 December, "morgen" 2 December, a day in November is next year's.
TODAY = date(2026, 12, 1)

TRAIN = "train"
# The sixth blind set sits in files of its own (corpus_heldout_<language>.json), so that whoever
# tunes the scorer can leave it unread; it joins `held_out`, each sentence with this split.
HELD_OUT_6 = "held_out_6"
GREETING = "greeting"
SERVICEDESK = "servicedesk"
AMBIGUOUS = "ambiguous"

_HERE = Path(__file__).parent


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
    data = json.loads((_HERE / f"corpus_{language}.json").read_text(encoding="utf-8"))
    blind = json.loads((_HERE / f"corpus_heldout_{language}.json").read_text(encoding="utf-8"))
    sixth = tuple(_utterance(entry) for entry in blind["held_out"])
    assert all(u.split == HELD_OUT_6 for u in sixth), f"corpus_heldout_{language}.json: split"
    seventh = json.loads((_HERE / f"corpus_heldout7_{language}.json").read_text(encoding="utf-8"))
    # Set 6 was measured blind once (76.7%, see test_corpus.py) and is tuning material since.
    return Corpus(
        tuple(_utterance(entry) for entry in data["tuning"]) + sixth,
        tuple(_utterance(entry) for entry in data["held_out"])
        + tuple(_utterance(entry) for entry in seventh["held_out"]),
    )


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
