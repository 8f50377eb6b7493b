"""The examples' model trained in a process of its own: `python -m bot.commands.training`
writes it, pickled, to standard output (bot/commands/examples.py, corpus_model)."""

from __future__ import annotations

import pickle
import sys

from bot.commands.examples import CORPUS_DIR, trained

if __name__ == "__main__":
    sys.stdout.buffer.write(pickle.dumps(trained(CORPUS_DIR), protocol=pickle.HIGHEST_PROTOCOL))
