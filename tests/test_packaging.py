"""The installed packages as a user gets them: every module imports on its own."""

import pkgutil
import subprocess
import sys

import pytest

import ofai_graph
import ofai_graph_cli


def _modules() -> list[str]:
    names = []
    for package in (ofai_graph, ofai_graph_cli):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name != "ofai_graph.__main__":  # running it is the entry point, tested in test_cli
                names.append(info.name)
    return names


MODULES = _modules()


def test_the_module_list_covers_the_cli_and_the_stores():
    assert {"ofai_graph_cli.main", "ofai_graph_cli.neo4j", "ofai_graph.store.neo4j"} <= set(MODULES)


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    """An import cycle shows up only when a module is the first one imported: try each of them first."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import {name}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in MODULES
    }
    failures = {}
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=120)
        if proc.returncode:
            failures[name] = err.strip().splitlines()[-1]
    assert failures == {}


@pytest.mark.parametrize("name", ["ofai_graph_cli.neo4j", "ofai_graph_cli.add"])
def test_cli_modules_do_not_import_main(name):
    code = f"import sys, {name}; print('ofai_graph_cli.main' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
