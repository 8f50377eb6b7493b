"""The RuleNames port over real HTTP against the Graph emulator, through msgraph-sdk: people by
e-mail address or UPN, channels by "Team / Kanaal", and back, in few requests.

The emulator refuses a filter whose `in` lists hold more than 15 values, as Graph does, and
pages after 5 objects, so batching and paging are both exercised."""

from __future__ import annotations

import copy

from bot.domain.post.rule_names import ChannelLookup, ChannelName, person_key
from bot.graph import GraphGateway
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import JEF_ID, LOTTE_ID, LOTTE_UPN

WERKPLEKDIENSTEN = "3e790606-cdf3-44dd-8553-60695dfa7674"
OOSTERWEEL = "db503c57-ef28-4e37-ba42-af41d3ca3653"
POST_CHANNEL = "19:werkplek-demo-postkamer@thread.tacv2"
GUEST_UPN = "maarten.segers_adviesbureau-lindeboom.be#EXT#@demo.werkplek.be"
GUEST_ID = "3c3423b2-3021-41c1-9ff4-1aa2de4ef902"


def _users_requests(emulator: GraphEmulator) -> int:
    return emulator.runtime.log.count(r"/v1\.0/users$", method="GET")


async def test_people_by_mail_or_upn_in_any_case(graph_gateway: GraphGateway) -> None:
    names = graph_gateway.rule_names
    found = await names.people(
        ["Jef.Peeters@demo.werkplek.be", LOTTE_UPN.upper(), GUEST_UPN, "niemand@demo.werkplek.be"]
    )

    assert {key: [m.id for m in matches] for key, matches in found.items()} == {
        "jef.peeters@demo.werkplek.be": [JEF_ID],
        LOTTE_UPN: [LOTTE_ID],
        person_key(GUEST_UPN): [GUEST_ID],
    }
    assert found[LOTTE_UPN][0].name == "Lotte Janssens"


async def test_many_addresses_take_a_few_requests_within_the_filter_limit(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    users = list(graph_emulator.runtime.tenant.users.values())
    addresses = [user["mail"] for user in users] + [f"x{n}@elders.be" for n in range(10)]
    before = _users_requests(graph_emulator)

    found = await graph_gateway.rule_names.people(addresses)

    assert {matches[0].id for matches in found.values()} == {user["id"] for user in users}
    assert all(len(matches) == 1 for matches in found.values())
    # 35 addresses, 7 a request (each is asked as mail and as UPN: 14 of Graph's 15 values);
    # the emulator pages after 5 users, so a request may take a second page.
    requests = _users_requests(graph_emulator) - before
    assert 5 <= requests <= 10, requests


async def test_an_address_two_people_answer_to_lists_both(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    # Someone's mail is another person's UPN (a rename half done): both answer.
    an = graph_emulator.runtime.tenant.find_user("an.desmet@demo.werkplek.be")
    assert an is not None
    an["mail"] = LOTTE_UPN

    found = await graph_gateway.rule_names.people([LOTTE_UPN])

    assert sorted(m.name for m in found[LOTTE_UPN]) == ["An De Smet", "Lotte Janssens"]


async def test_channels_by_team_and_channel_name(graph_gateway: GraphGateway) -> None:
    wanted = [
        ChannelName("team  werkplekdiensten", "POST"),  # case and spaces as Teams ignores them
        ChannelName("Team Werkplekdiensten", "Bestaat niet"),
        ChannelName("Geen Team", "Algemeen"),
        ChannelName("DOMG-Personeel", "Algemeen"),  # a group, but no team
    ]

    found = await graph_gateway.rule_names.channels(wanted)

    (match,) = found[wanted[0].key].matches
    assert match.id == f"{WERKPLEKDIENSTEN}|{POST_CHANNEL}"
    assert match.name == "Team Werkplekdiensten / Post"
    assert found[wanted[1].key] == ChannelLookup(teams=1, matches=())
    assert found[wanted[2].key] == ChannelLookup(teams=0, matches=())
    assert found[wanted[3].key] == ChannelLookup(teams=0, matches=())


async def test_two_teams_of_one_name_are_both_listed(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    tenant = graph_emulator.runtime.tenant
    twin = copy.deepcopy(tenant.groups[OOSTERWEEL])
    twin["id"] = "5f1c7a2e-9d3b-4c8a-a6e1-2b4d6f8a0c13"
    twin["channels"][0]["id"] = "19:oosterweel-tweeling@thread.tacv2"
    tenant.groups[twin["id"]] = twin

    found = await graph_gateway.rule_names.channels(
        [ChannelName("Projectteam Oosterweel", "Algemeen")]
    )

    lookup = found["projectteam oosterweel/algemeen"]
    assert lookup.teams == 2
    assert sorted(m.id for m in lookup.matches) == [
        f"{twin['id']}|19:oosterweel-tweeling@thread.tacv2",
        f"{OOSTERWEEL}|19:oosterweel-algemeen@thread.tacv2",
    ]


async def test_names_of_ids_for_the_export(graph_gateway: GraphGateway) -> None:
    names = graph_gateway.rule_names
    unknown = "00000000-0000-4000-8000-000000000000"

    people = await names.person_names([JEF_ID.upper(), LOTTE_ID, unknown])
    channels = await names.channel_names(
        [
            f"{WERKPLEKDIENSTEN}|{POST_CHANNEL}",
            f"{unknown}|19:x@thread.tacv2",
            f"{OOSTERWEEL}|19:weg",
        ]
    )

    assert people == {JEF_ID: "Jef Peeters", LOTTE_ID: "Lotte Janssens"}
    assert channels == {f"{WERKPLEKDIENSTEN}|{POST_CHANNEL}": "Team Werkplekdiensten / Post"}


async def test_quotes_and_url_characters_in_names_reach_graph_intact(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    tenant = graph_emulator.runtime.tenant
    tenant.groups[WERKPLEKDIENSTEN]["displayName"] = "R&D 'Wegen' #1 / 50%"
    jef = tenant.find_user(JEF_ID)
    assert jef is not None
    jef["mail"] = "o'brien+post&co@demo.werkplek.be"

    channels = await graph_gateway.rule_names.channels(
        [ChannelName("R&D 'Wegen' #1 / 50%", "Post")]
    )
    people = await graph_gateway.rule_names.people(["o'brien+post&co@demo.werkplek.be"])

    assert [m.id for m in channels["r&d 'wegen' #1 / 50%/post"].matches] == [
        f"{WERKPLEKDIENSTEN}|{POST_CHANNEL}"
    ]
    assert [m.id for m in people["o'brien+post&co@demo.werkplek.be"]] == [JEF_ID]
