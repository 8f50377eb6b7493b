"""Graph objects to domain objects, and OData filter text."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from bot.graph.mapping import USER_FIELDS, people_filter, to_directory_user, to_group_ref


def graph_user(**values: Any) -> SimpleNamespace:
    """Shaped like msgraph's User: snake_case attributes, None when not returned."""
    fields = {
        "id": "u1",
        "display_name": "Sofie Van den Broeck",
        "user_principal_name": "sofie.vandenbroeck@demo.werkplek.be",
        "mail": None,
        "given_name": None,
        "surname": None,
        "job_title": None,
        "department": None,
        "company_name": "Departement Omgeving",
        "office_location": None,
        "preferred_language": None,
        "usage_location": None,
        "user_type": "Member",
        "account_enabled": False,
        "on_premises_sync_enabled": True,
        "on_premises_last_sync_date_time": dt.datetime(2026, 11, 1, 8, 30),
        "additional_data": {},
    }
    fields.update(values)
    return SimpleNamespace(**fields)


def test_user_fields_are_mapped() -> None:
    user = to_directory_user(graph_user())

    assert user.id == "u1"
    assert user.display_name == "Sofie Van den Broeck"
    assert user.company_name == "Departement Omgeving"
    assert user.account_enabled is False
    assert user.on_premises_sync_enabled is True
    # A naive timestamp is read as UTC, so comparisons with aware datetimes work.
    assert user.on_premises_last_sync == dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)


def test_untyped_objects_fall_back_to_raw_json() -> None:
    contact = SimpleNamespace(
        id="c1",
        additional_data={
            "displayName": "Extern contact",
            "onPremisesLastSyncDateTime": "2026-11-02T10:00:00Z",
        },
    )

    user = to_directory_user(contact)

    assert user.display_name == "Extern contact"
    assert user.user_principal_name == ""
    assert user.on_premises_last_sync == dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


def test_group_ref() -> None:
    group = to_group_ref(SimpleNamespace(id="g1", display_name="Werkplek-Beheer"))
    assert (group.id, group.display_name) == ("g1", "Werkplek-Beheer")


def test_people_filter_doubles_quotes() -> None:
    assert people_filter("d'Hondt") == (
        "startswith(displayName,'d''Hondt') or startswith(givenName,'d''Hondt')"
        " or startswith(surname,'d''Hondt') or startswith(mail,'d''Hondt')"
        " or startswith(userPrincipalName,'d''Hondt')"
    )


def test_every_directory_user_field_is_selected() -> None:
    assert len(USER_FIELDS) == len(set(USER_FIELDS)) == 16
