"""Every Action.Execute verb the bot understands. A card may only use verbs from this enum."""

from enum import StrEnum


class Verb(StrEnum):
    RUN_COMMAND = "command.run"  # a button that runs a registered command (welcome, suggestions)
    HELP_DETAILS = "help.details"  # toggles the help card between short and with examples
    ACCESS_REFRESH = "access.refresh"  # re-runs the access checks; the card updates in place
    ACCESS_SHOW = "access.show"  # an agent picks one person from a search's pick list
