"""The examples' model as a file of plain data: what a training process hands back, and what is
kept between starts so that a start whose corpus and code are unchanged need not train again
(bot/commands/shipped_model.py).

Plain data, not a pickle: loading a pickle runs whatever code it names, so a file someone could
write would be a way into the bot. This format holds numbers and strings only: a first line
that names the format, a line of JSON (what the model is, and which corpus and code trained
it), then the model's arrays' bytes one after the other. Reading checks every part against the
header; anything amiss is refused (ValueError) and the model is trained again.
"""

from __future__ import annotations

import sys
from array import array
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.commands.examples import ExampleModel
from bot.commands.keyed_runs import KeyedRuns
from bot.commands.perceptron import Perceptron

_MAGIC = b"werkplek examples model 1\n"
# The JSON line holds some twenty labels and a list of source files: a few kilobytes.
_HEADER_BYTES = 1 << 20
# The arrays, in the order they follow the header, with their array typecodes.
_ARRAYS = (
    ("counts.keys", "Q"),
    ("counts.starts", "I"),
    ("counts.values", "I"),
    ("weights.keys", "Q"),
    ("weights.starts", "I"),
    ("weights.values", "B"),
)


class Provenance(BaseModel):
    """What trained a model: the fingerprint of its corpus and code, and what it was computed
    over (bot/commands/shipped_model.py), so that a reader can compute it again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    sources: tuple[str, ...]  # the project's modules, as paths under the repository
    distributions: tuple[str, ...]  # the libraries the features read with, by name


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provenance: Provenance
    labels: list[str]
    sentences: list[Annotated[int, Field(ge=1)]]
    step: float
    # Per array of _ARRAYS: how many items, and how many bytes each (a platform's "I" may
    # differ from another's).
    lengths: list[Annotated[int, Field(ge=0)]]
    item_sizes: list[int]
    byteorder: str


def dumped(model: ExampleModel, provenance: Provenance) -> bytes:
    """The model and what trained it, as the bytes of a model file."""
    labels, sentences, counts, apart = model.parts()
    arrays = (*counts.arrays(), *apart.weights.arrays())
    header = _Header(
        provenance=provenance,
        labels=list(labels),
        sentences=list(sentences),
        step=apart.step,
        lengths=[len(values) for values in arrays],
        item_sizes=[values.itemsize for values in arrays],
        byteorder=sys.byteorder,
    )
    return b"".join(
        [_MAGIC, header.model_dump_json().encode(), b"\n", *(values.tobytes() for values in arrays)]
    )


def provenance_of(data: bytes) -> Provenance:
    """What trained the model in a model file's bytes, read without its arrays."""
    return _header(data)[0].provenance


def loaded(data: bytes) -> ExampleModel:
    """The model in a model file's bytes; ValueError for bytes that are not one."""
    header, at = _header(data)
    if len(header.lengths) != len(_ARRAYS) or len(header.item_sizes) != len(_ARRAYS):
        raise ValueError("a model file holds six arrays")
    arrays: list[array[int]] = []
    for (name, typecode), length, size in zip(
        _ARRAYS, header.lengths, header.item_sizes, strict=True
    ):
        values = array(typecode)
        if size != values.itemsize:
            raise ValueError(f"{name}: items of {size} bytes, not {values.itemsize}")
        end = at + length * size
        if end > len(data):
            raise ValueError(f"{name}: the file ends early")
        values.frombytes(data[at:end])
        if header.byteorder != sys.byteorder:
            values.byteswap()
        arrays.append(values)
        at = end
    if at != len(data):
        raise ValueError("bytes after the last array")
    counts = KeyedRuns.restored(*arrays[:3])
    apart = Perceptron.restored(header.step, KeyedRuns.restored(*arrays[3:]))
    return ExampleModel.restored(header.labels, header.sentences, counts, apart)


def _header(data: bytes) -> tuple[_Header, int]:
    """The header, and where the arrays start."""
    if not data.startswith(_MAGIC):
        raise ValueError("not a model file of this version")
    end = data.find(b"\n", len(_MAGIC), len(_MAGIC) + _HEADER_BYTES)
    if end < 0:
        raise ValueError("a model file's header is one line of at most a megabyte")
    try:
        header = _Header.model_validate_json(data[len(_MAGIC) : end])
    except ValidationError as error:
        raise ValueError(f"a model file's header: {error.error_count()} errors") from error
    if header.byteorder not in ("little", "big"):
        raise ValueError("byte order is little or big")
    return header, end + 1
