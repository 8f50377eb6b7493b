"""A local stand-in for the Teams Bot Framework connector (the bot's `serviceUrl`).

    emulator = ConnectorEmulator(tenant_rate_per_second=50)
    service_url = await emulator.start()          # "http://127.0.0.1:<port>/"
    ...
    assert emulator.stats.max_per_second_window <= 50
    await emulator.stop()

Out of process: `python -m devtools.connector_emulator --port 3980 --rate 50`, controlled over
HTTP under /_emulator/ (see control.py). Duplicate deliveries are detected through the outbox
dedupe key the sender writes to `channelData.werkplekDedupeKey` of every proactive activity.
Teams batch operations (one activity to up to 100 people or channels) are in batches.py.
"""

from devtools.connector_emulator.batches import BatchOperation
from devtools.connector_emulator.emulator import ConnectorEmulator
from devtools.connector_emulator.records import (
    DEDUPE_KEY_FIELD,
    Conversation,
    Deletion,
    PostedMessage,
    ReceivedActivity,
    ReceivedRequest,
    Stats,
)

__all__ = [
    "DEDUPE_KEY_FIELD",
    "BatchOperation",
    "ConnectorEmulator",
    "Conversation",
    "Deletion",
    "PostedMessage",
    "ReceivedActivity",
    "ReceivedRequest",
    "Stats",
]
