"""Months as people write them, in Dutch and English, with their number: shared by every parser
that reads a day in words ("14 december", "2 Nov 2026")."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MONTHS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("januari", "january", "jan"), 1),
        **dict.fromkeys(("februari", "february", "feb", "febr"), 2),
        **dict.fromkeys(("maart", "march", "mrt", "maa", "mar"), 3),
        **dict.fromkeys(("april", "apr"), 4),
        **dict.fromkeys(("mei", "may"), 5),
        **dict.fromkeys(("juni", "june", "jun"), 6),
        **dict.fromkeys(("juli", "july", "jul"), 7),
        **dict.fromkeys(("augustus", "august", "aug"), 8),
        **dict.fromkeys(("september", "sep", "sept"), 9),
        **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
        **dict.fromkeys(("november", "nov"), 11),
        **dict.fromkeys(("december", "dec"), 12),
    }
)

# The days of the week by name, Monday first (date.weekday()): "sinds maandag" in a report.
WEEKDAYS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("maandag", "monday"), 0),
        **dict.fromkeys(("dinsdag", "tuesday"), 1),
        **dict.fromkeys(("woensdag", "wednesday"), 2),
        **dict.fromkeys(("donderdag", "thursday"), 3),
        **dict.fromkeys(("vrijdag", "friday"), 4),
        **dict.fromkeys(("zaterdag", "saturday"), 5),
        **dict.fromkeys(("zondag", "sunday"), 6),
    }
)
