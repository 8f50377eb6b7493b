"""A message that deletes the Teams message it replaces (a recall): how it is written."""

from __future__ import annotations

import pytest

from bot.domain.platform.outbox import DELETE_ACTIVITY, deletion_of, is_deletion


def test_a_deletion_replaces_its_original_with_the_delete_activity() -> None:
    message = deletion_of(
        "ann:7:u1", tenant_id="t", dedupe_key="ann:7:u1:recall", recipient_id="u1"
    )
    assert (message.replaces, message.dedupe_key, message.recipient_id) == (
        "ann:7:u1",
        "ann:7:u1:recall",
        "u1",
    )
    assert message.activity == {"type": "delete"} and is_deletion(message.activity)
    message.activity["text"] = "changed"  # each message has its own copy
    assert dict(DELETE_ACTIVITY) == {"type": "delete"}


@pytest.mark.parametrize(
    "activity",
    [
        {"type": "message"},
        {"type": "delete", "text": "weg"},  # more than the deletion: a message, never deleted
        {"type": "Delete"},
        {},
    ],
)
def test_only_exactly_the_delete_activity_is_a_deletion(activity: dict[str, str]) -> None:
    assert not is_deletion(activity)


def test_the_delete_activity_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        DELETE_ACTIVITY["type"] = "message"  # type: ignore[index]
