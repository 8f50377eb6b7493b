"""`werkplek rules import|export` on a real SQLite store: a bad workbook stores nothing and says
every problem; a good one is tried on recent post first, then stored as a whole and audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.post.items import TRIAGE, Destination, DestinationKind, DocumentType
from bot.domain.post.routing import ADDRESSEE_RULE, RoutingRule, RuleConditions
from bot.excel.post.rules import read_rules, write_rules
from bot.store.platform.tables import audit_log
from tests.integration.post_cli.conftest import AN, DAY, JEF, NOW, Store, person
from tests.unit.excel.builders import sheets_of, workbook

RULES = [
    RoutingRule(
        "R-001",
        1,
        person(AN),
        RuleConditions(sender_contains="FOD Financiën"),
        description="Belastingen naar An",
    ),
    RoutingRule(
        "R-002",
        2,
        Destination(DestinationKind.ENTITY, "DFB"),
        RuleConditions(document_types=frozenset({DocumentType.INVOICE})),
        entity="ADV",
    ),
    RoutingRule("R-003", 3, TRIAGE, RuleConditions(keywords=("dagvaarding",)), active=False),
]


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _audit_actions(store: Store) -> list[tuple[str, str, dict[str, str]]]:
    rows = store.rows(audit_log)
    return [
        (r["action"], r["outcome"], r["detail"])
        for r in rows
        if r["action"].startswith("post.rules")
    ]


def test_a_bad_workbook_lists_every_problem_and_stores_nothing(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.set_rules(RULES[:1])
    sheets = sheets_of(write_rules(RULES))
    rows = sheets["Regels"]
    rows[2][8] = "kantoor"  # Bestemming of R-002 (Excel row 3)
    rows[3][9] = "jef@example.org"  # Doel of R-003 is ignored for triage... reported
    rows.append([4, "R-001", "*", None, None, None, "postkaart", None, "persoon", JEF, "ja", None])
    path = _write(tmp_path / "fout.xlsx", workbook(sheets))

    code = main(["rules", "import", path])

    assert code == 1
    err = capsys.readouterr().err
    assert "Er is niets opgeslagen. Fouten in het werkboek: 4." in err
    assert "- blad Regels, rij 3, kolom Bestemming: Onbekende bestemming „kantoor”" in err
    assert "- blad Regels, rij 4, kolom Doel: Triage heeft geen doel" in err
    assert "- blad Regels, rij 5, kolom Id: De code „R-001” komt meer dan eens voor." in err
    assert "- blad Regels, rij 5, kolom Documentsoorten: Onbekende documentsoort „postkaart”" in err
    assert store.rules() == RULES[:1], "the rules in force stay as they were"
    assert _audit_actions(store) == [
        ("post.rules.import", "rejected", {"reason": "invalid_workbook", "problems": "4"})
    ]


def test_a_good_workbook_is_tried_on_recent_post_then_stored(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    triage = store.add_item("scan-1", received=NOW - 2 * DAY, to=TRIAGE)
    jef = store.add_item(
        "scan-2",
        received=NOW - DAY,
        to=person(JEF),
        rule_id=ADDRESSEE_RULE,
        addressee_id=JEF,
        organisation="Stad Gent",
    )
    path = _write(tmp_path / "regels.xlsx", write_rules(RULES))

    assert main(["rules", "import", path, "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "Zo zou de laatste post (2 stukken) nu lopen met deze regels" in out
    assert f"- {triage.reference}: triage -> persoon {AN} (regel R-001)" in out
    assert f"- {jef.reference}: persoon {JEF} (geadresseerde op de omslag), ongewijzigd" in out
    assert "1 stuk van de 2 zou anders lopen." in out
    assert "Er is niets opgeslagen (--dry-run)" in out
    assert store.rules() == []

    assert main(["regels", "import", path, "--last", "1"]) == 0

    out = capsys.readouterr().out
    assert "(1 stuk)" in out and triage.reference not in out, "only the newest item"
    assert "Regels opgeslagen: 3 (2 actief)." in out
    assert store.rules() == RULES
    assert store.item(triage.reference).destination == TRIAGE, "a dry run moves nothing"
    assert _audit_actions(store) == [("post.rules.import", "ok", {"rules": "3", "active": "2"})]


def test_without_post_the_dry_run_says_so(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "regels.xlsx", write_rules(RULES))

    assert main(["rules", "import", path, "--dry-run"]) == 0

    assert "Er is nog geen post om de regels op te proberen." in capsys.readouterr().out


def test_export_gives_back_what_was_stored(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.set_rules(RULES)
    out = tmp_path / "uit" / "regels.xlsx"

    assert main(["rules", "export", str(out)]) == 0

    assert read_rules(out.read_bytes()) == RULES
    assert f"Regels geschreven naar {out} (3 regels)." in capsys.readouterr().out


def test_an_empty_store_exports_a_template(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "leeg.xlsx"

    assert main(["rules", "export", str(out)]) == 0

    assert read_rules(out.read_bytes()) == []


def test_an_unreadable_file_or_a_negative_count_is_refused(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "import", str(tmp_path / "nergens.xlsx")]) == 2
    assert "nergens.xlsx kan niet gelezen worden" in capsys.readouterr().err
    path = _write(tmp_path / "regels.xlsx", write_rules(RULES))
    assert main(["rules", "import", path, "--last", "-1"]) == 2
    assert store.rules() == []
