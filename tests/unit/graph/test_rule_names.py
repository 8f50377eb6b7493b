"""The Graph adapter of the rules workbook's names asks for several names a request and keeps a
bounded number of requests in flight; a failing request fails the call and stops the others.

The HTTP side (filters, paging, the emulator's 15-value limit) is tested against the emulator
in tests/integration/graph/test_rule_names.py; here the requests are counted, not sent."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from bot.domain.platform.errors import Throttled
from bot.graph.json_reads import Json
from bot.graph.rule_names import FILTER_VALUES, PEOPLE_PER_REQUEST, GraphRuleNames


class CountedRuleNames(GraphRuleNames):
    """The adapter with its user requests answered here, each taking a moment."""

    def __init__(self, in_flight: int, fail_on: int | None = None) -> None:
        super().__init__(client=Any, in_flight=in_flight)  # type: ignore[arg-type]
        self.requests: list[int] = []
        self.running = 0
        self.most = 0
        self.fail_on = fail_on
        self.finished = 0

    async def _users(self, addresses: Sequence[str]) -> list[Json]:
        self.requests.append(len(addresses))
        number = len(self.requests)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(0.01)
            if number == self.fail_on:
                raise Throttled()
            self.finished += 1
            return [
                {"id": f"id-{address}", "displayName": address, "mail": address}
                for address in addresses
            ]
        finally:
            self.running -= 1


async def test_addresses_go_seven_a_request_at_most_four_at_once() -> None:
    names = CountedRuleNames(in_flight=4)
    addresses = [f"medewerker{n}@vlaanderen.be" for n in range(300)]

    found = await names.people(addresses)

    assert len(found) == 300
    assert PEOPLE_PER_REQUEST * 2 <= FILTER_VALUES
    assert max(names.requests) == PEOPLE_PER_REQUEST
    assert len(names.requests) == -(-300 // PEOPLE_PER_REQUEST)
    assert names.most == 4


async def test_an_address_given_twice_is_asked_once() -> None:
    names = CountedRuleNames(in_flight=2)

    found = await names.people(["Jef@Vlaanderen.be", "jef@vlaanderen.be "])

    assert names.requests == [1]
    assert list(found) == ["jef@vlaanderen.be"]


async def test_a_failing_request_fails_the_call_and_stops_the_rest() -> None:
    names = CountedRuleNames(in_flight=2, fail_on=1)
    addresses = [f"medewerker{n}@vlaanderen.be" for n in range(70)]

    with pytest.raises(Throttled):
        await names.people(addresses)

    assert names.finished < len(names.requests) <= 10
    assert names.running == 0
