"""A Babel extraction method for the CLI: ``_()`` calls as usual, plus click's help texts.

Help texts (command docstrings, ``help=``, ``short_help=`` and ``epilog=`` arguments) are read by click
when the modules are imported, before ``--lang`` is known, so they are written as plain English strings
and translated when the command tree is localized (:func:`ofai_graph_cli.lang.localize`). This method
puts them in the catalog, keyed as :func:`message_key` writes them, so that commands are written the
ordinary click way and still show in Spanish. ``babel.cfg`` maps ``cli/**.py`` to it.
"""

from __future__ import annotations

import ast
import inspect
import io
from collections.abc import Iterator
from typing import Any

HELP_ARGS = ("help", "short_help", "epilog")


def message_key(text: str) -> str:
    """The catalog key of a help text: indentation and surrounding blank lines removed, as click shows it."""
    return inspect.cleandoc(text)


def _constant(node: ast.AST) -> str | None:
    """A string literal, or literals joined with ``+``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant(node.left), _constant(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _is_command(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("command", "group"):
            return True
    return False


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every help text in ``source``."""
    tree = ast.parse(source)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        # Module-level constants used as epilogs (EPILOG_MAIN = """...""").
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _constant(node.value)
            if value is not None:
                names[node.targets[0].id] = value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in HELP_ARGS:
                    value = _constant(kw.value)
                    if value is None and isinstance(kw.value, ast.Name):
                        value = names.get(kw.value.id)
                    if value and value.strip():
                        yield kw.value.lineno, message_key(value)
        elif isinstance(node, ast.FunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, doc


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[Any, ...]]:
    """Babel's extraction interface: Python's ``_()`` messages, then the help texts."""
    from babel.messages.extract import extract_python

    data = fileobj.read()
    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    for lineno, text in help_texts(data.decode(options.get("encoding", "utf-8"))):
        yield lineno, None, text, ["TRANSLATORS: command-line help; keep \\b lines and the examples' commands"]
