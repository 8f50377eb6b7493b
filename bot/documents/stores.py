"""Which DocumentStore keeps the scans: one rule for the app and the command line.

The local filesystem (WERKPLEK_DOCUMENTS_DIR) unless WERKPLEK_DOCUMENTS_DRIVE_ID names a
SharePoint/OneDrive drive; then Graph's store. Keys are the store's own (a path here, a drive
item id there): switching stores does not move the scans already kept, the old ones stay where
they are and cannot be read through the new store.
"""

from __future__ import annotations

from pathlib import Path

from bot.documents.filesystem import FilesystemDocumentStore
from bot.ports.post import DocumentStore
from bot.settings import ConfigurationError, Settings


def uses_graph(settings: Settings) -> bool:
    """Whether the scans live in a Graph drive."""
    return bool(settings.documents_drive_id.strip())


def document_store(settings: Settings, on_graph: DocumentStore | None) -> DocumentStore:
    """The store the settings ask for.

    `on_graph` is the Graph store: `DeferredGraph.documents` in the app, `GraphGateway.documents`
    in the command line, None where Graph is not open. With a drive configured and no Graph
    store this raises ConfigurationError: a scan must never land on the local disk instead of
    the library the administrators chose.
    """
    if not uses_graph(settings):
        return FilesystemDocumentStore(Path(settings.documents_dir))
    if on_graph is None:
        raise ConfigurationError(
            "WERKPLEK_DOCUMENTS_DRIVE_ID is set, but Microsoft Graph is not available to reach it."
        )
    return on_graph
