"""Check a clerk's 情况说明 against the workbook (issue 18 part 3): `juesuan check BOOK --narrative
情况说明.docx|.md|.txt`; a published document's own 情况说明 is checked on import (ops/imports)."""
from __future__ import annotations

from ..io.narrative_read import read_narrative
from ..rules.findings import sort_findings
from ..rules.narrative_check import check_narrative
from . import CheckResult


def add_narrative_check(result: CheckResult, narrative_path) -> CheckResult:
    """`result` with the findings of the text at `narrative_path` against its report added
    (raises UnusableWorkbook with a Chinese message for a text that cannot be read)."""
    lines = read_narrative(narrative_path)
    result.findings = sort_findings(result.findings + check_narrative(result.report, lines))
    return result
