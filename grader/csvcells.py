"""Spreadsheet-safe CSV cells (OWASP's "CSV injection").

A gradebook is opened in a spreadsheet, and some of its text comes from students: a file name
(`=HYPERLINK(...).py`), a name typed into Gradescope. A text cell that a spreadsheet would take
for a formula (it starts with =, +, -, @, a tab or a carriage return) is written with a leading
apostrophe, which Excel, LibreOffice and Google Sheets show as text and do not evaluate; hw1
reads such a cell back without it. Numbers are never touched (a score is never negative text).
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` as it is written to a CSV."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def uncell(value: Any) -> Any:
    """A cell read from a CSV hw1 wrote, as it was before `cell`."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def row(values: Any) -> list:
    return [cell(v) for v in values]


def record(mapping: dict) -> dict:
    return {k: cell(v) for k, v in mapping.items()}


def unrecord(mapping: dict) -> dict:
    return {k: uncell(v) for k, v in mapping.items()}
