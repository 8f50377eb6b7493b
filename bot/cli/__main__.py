"""`python -m bot.cli`: the `werkplek` command line."""

import sys

from bot.cli import main

sys.exit(main())
