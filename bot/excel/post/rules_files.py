"""The routing-rules workbook as the chat dialog uses it (dialogs may not import openpyxl's home).

A refused workbook is a normal outcome of an import, not an error: `read` returns the rules or
the problems (and the cells that name people or channels), so the dialog can list them all and
audit the rejection itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.domain.post.routing import RoutingRule, RuleProblem
from bot.domain.post.rule_names import RuleLabels, RulesRead
from bot.i18n import Translator

# openpyxl loads on the first workbook, not at start-up (a tenth of a second nobody waits for).


class ExcelRuleWorkbooks:
    def read(self, data: bytes, known_entities: Collection[str] | None = None) -> RulesRead:
        from bot.excel.post.rules_reader import read_rules_named

        return read_rules_named(data, known_entities)

    def describe(self, problem: RuleProblem, t: Translator) -> str:
        from bot.excel.post.rules import describe_problem

        return describe_problem(problem, t)

    def write(self, rules: Sequence[RoutingRule], labels: RuleLabels | None = None) -> bytes:
        from bot.excel.post.rules import write_rules

        return write_rules(rules, labels)
