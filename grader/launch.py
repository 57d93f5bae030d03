"""The `hw1` entry point: for `grade`, start the child template before the CLI's own imports."""

import sys


def main() -> None:
    """Start the template first (it imports numpy and sympy on the other core), then run the CLI."""
    if sys.argv[1:2] == ["grade"]:
        from grader import template

        template.context()
    from grader.cli import main as cli_main

    cli_main()
