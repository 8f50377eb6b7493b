"""What a person reads when Teams renders escaped card text (bot.domain.platform.untrusted).

Tests compare card text with what people typed through this: a backslash escape shows the
character, a zero-width space shows nothing, a one-dot leader is drawn as a full stop.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(shown: str) -> str:
    return _ESCAPE.sub(r"\1", shown).replace("\u200b", "").replace("\u2024", ".")
