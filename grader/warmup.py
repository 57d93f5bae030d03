"""Imported once by the template process that forks children: heavy imports and warm caches.

It imports every problem's harness (child-side code, no references) but never a problem's
`problem` module, where the references live.
"""

import importlib
import pkgutil

import problems
from grader import child

for info in sorted(pkgutil.iter_modules(problems.__path__), key=lambda m: m.name):
    if info.ispkg:
        try:
            importlib.import_module(f"problems.{info.name}.harness")
        except ModuleNotFoundError:
            pass

child.warm()
