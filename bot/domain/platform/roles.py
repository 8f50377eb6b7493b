"""Roles a caller can hold. Staff is everyone in an allowed tenant; the rest come from groups."""

from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    APPROVER = "approver"
    ENTITY_ADMIN = "entity_admin"
    MAILROOM = "mailroom"
    AGENT = "agent"
    COMMS = "comms"
    ADMIN = "admin"


def may_act_as(held: frozenset[Role], required: Role) -> bool:
    """True when one of the held roles satisfies the required one.

    Admins may do everything; everyone in an allowed tenant is staff.
    """
    return required is Role.STAFF or required in held or Role.ADMIN in held
