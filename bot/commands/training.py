"""The examples' model trained in a process of its own: `python -m bot.commands.training`
writes it as a model file to standard output (bot/commands/model_file.py), with the fingerprint
of the corpus and code that trained it (bot/commands/shipped_model.py, corpus_model)."""

from __future__ import annotations

import sys

from bot.commands.examples import CORPUS_DIR, trained
from bot.commands.model_file import dumped
from bot.commands.shipped_model import provenance

if __name__ == "__main__":
    model = trained(CORPUS_DIR)
    sys.stdout.buffer.write(dumped(model, provenance(CORPUS_DIR)))
