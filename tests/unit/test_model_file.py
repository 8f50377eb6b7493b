"""The examples' model as a file of plain data: read back, it reads every sentence as the model
that wrote it; damaged, it is refused with ValueError and nothing else."""

from __future__ import annotations

import json
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.examples import GREETING, SERVICEDESK, Example, ExampleModel
from bot.commands.lemmas import tokens
from bot.commands.model_file import Provenance, dumped, loaded, provenance_of

_MODEL = ExampleModel(
    [
        Example("is er post voor mij", "post"),
        Example("toon mijn brieven van vandaag", "post"),
        Example("is mijn aanvraag al goedgekeurd", "requests"),
        Example("hoe ver staat mijn licentieaanvraag", "requests"),
        Example("ik wil power bi pro aanvragen", "licence"),
        Example("waar kan ik parkeren", SERVICEDESK),
        Example("goeiemorgen", GREETING),
    ]
)
_ALLOWED = ["post", "requests", "licence"]
_PROVENANCE = Provenance(fingerprint="f" * 64, sources=("bot/x.py",), distributions=("lib",))
_FILE = dumped(_MODEL, _PROVENANCE)
_SENTENCES = [
    "heb ik post",
    "staat mijn aanvraag al goedgekeurd?",
    "power bi graag",
    "parkeren",
    "dag",
    "iets heel anders",
]


def _reads_alike(model: ExampleModel) -> None:
    for text in _SENTENCES:
        assert model.guess(tokens(text), _ALLOWED) == _MODEL.guess(tokens(text), _ALLOWED)


def test_a_model_read_back_reads_every_sentence_as_the_one_that_was_written() -> None:
    model = loaded(_FILE)
    assert model.labels == _MODEL.labels
    _reads_alike(model)
    assert provenance_of(_FILE) == _PROVENANCE


def test_a_file_written_on_a_machine_of_the_other_byte_order_reads_the_same() -> None:
    magic, header_line, _ = _FILE.split(b"\n", 2)
    header = json.loads(header_line)
    _, _, counts, apart = _MODEL.parts()
    swapped = b""
    for values in (*counts.arrays(), *apart.weights.arrays()):
        copy = array(values.typecode, values)
        copy.byteswap()
        swapped += copy.tobytes()
    header["byteorder"] = "big" if header["byteorder"] == "little" else "little"
    _reads_alike(loaded(magic + b"\n" + json.dumps(header).encode() + b"\n" + swapped))


@pytest.mark.parametrize(
    "damaged",
    [
        b"",
        b"PK\x03\x04 a zip",
        _FILE[:40],
        _FILE[: len(_FILE) // 2],
        _FILE[:-1],
        _FILE + b"\x00",
        _FILE.replace(b'"byteorder":"', b'"byteorder":"x', 1),
        _FILE.replace(b'"step":', b'"step":-', 1),
        _FILE.replace(b'"labels":["', b'"labels":["post","', 1),
    ],
    ids=[
        "empty",
        "another format",
        "cut in the header",
        "cut in the arrays",
        "one byte short",
        "one byte more",
        "unknown byte order",
        "negative step",
        "a label more than its counts",
    ],
)
def test_a_damaged_file_is_refused(damaged: bytes) -> None:
    with pytest.raises(ValueError):
        loaded(damaged)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(_FILE) - 1), st.integers(0, 255))
def test_any_byte_changed_gives_a_model_that_reads_or_a_refusal(at: int, value: int) -> None:
    """A changed byte in the arrays may still make a model (of other weights); whatever it
    makes must read sentences without failing, and anything else is a ValueError."""
    try:
        model = loaded(_FILE[:at] + bytes([value]) + _FILE[at + 1 :])
    except ValueError:
        return
    for text in _SENTENCES:
        model.guess(tokens(text), _ALLOWED)
