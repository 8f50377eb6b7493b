"""How a few settings are written in the environment, shared by the setting groups."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_settings import NoDecode


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# "a, b,c" in the environment; a list in code and tests.
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
