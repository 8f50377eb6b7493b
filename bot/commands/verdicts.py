"""What the understanding step (bot/commands/understanding.py) answers about a message: a verdict,
the commands it read, best first, with the arguments each would get, and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    COMMAND = "command"  # run ranked[0]
    ASK = "ask"  # ask between ranked[0] and ranked[1]
    GREETING = "greeting"  # say hello (or you're welcome) with the main buttons
    NOTHING = "nothing"  # no command fits: suggest, search the service desk


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    score: float
    args: str  # what the command's handler gets, in the form it parses


@dataclass(frozen=True, slots=True)
class Understanding:
    verdict: Verdict
    ranked: tuple[Candidate, ...]  # commands that scored above zero, best first
    confidence: float  # 0..1: how clearly the first beats the second, and how strongly
    # The command whose keyword the message opens with ("regels", "@Werkplek post Fluvius").
    opened_by: str = ""
    # Commands the cues read and ruled out: their own cues against them outweigh those for.
    ruled_out: frozenset[str] = frozenset()
    # An ASK because the message names two commands ("mijn toegang en mijn aanvragen"), not
    # because two scored alike: the examples never settle it.
    two_asked: bool = False

    @property
    def winner(self) -> Candidate | None:
        return self.ranked[0] if self.verdict is Verdict.COMMAND else None

    @property
    def choices(self) -> tuple[Candidate, ...]:
        return self.ranked[:2] if self.verdict is Verdict.ASK else ()
