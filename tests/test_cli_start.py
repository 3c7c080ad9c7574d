"""The command line starts fast: a command imports its own module and what it needs, not every command's.

``ofai-graph connect Korea`` is asked for with the process start counted (issue #15: within 3x of bare
``python -c "import networkx, pydantic, click"``), so the start must not pay for the map builder, the
workbooks, the report or rich's tables. These tests look at what was imported, never at timings.
"""

import io
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ofai_graph_cli import output
from ofai_graph_cli.main import cli

# Modules only other commands need (maps, imports and exports, reports, the Neo4j driver, tables).
HEAVY = [
    "networkx",  # (the search fills a materialize.SearchGraph: no networkx algorithm runs)
    "numpy",
    "pyvis",
    "jinja2",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "docx",
    "PIL",
    "babel",
    "neo4j",
    "yaml",
    "rapidfuzz",
    "rich",
    "ofai_graph.maps",
    "ofai_graph.report",
    "ofai_graph.profile",
    "ofai_graph_cli.maps",
    "ofai_graph_cli.data",
    "ofai_graph_cli.report",
    "ofai_graph_cli.neo4j",
    "ofai_graph_cli.interop",
]


def _imported_after(args: list[str], db) -> tuple[set[str], str]:
    """The modules a fresh interpreter holds after running ``ofai-graph ARGS`` (piped), and its stdout."""
    code = (
        "import contextlib, io, json, sys\n"
        "from ofai_graph_cli.main import cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        cli.main({args!r}, prog_name='ofai-graph')\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print(json.dumps([sorted(sys.modules), out.getvalue()]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFAI_GRAPH_", "FORCE_COLOR", "TTY_"))}
    env.update(OFAI_GRAPH_DB=str(db), OFAI_GRAPH_LANG="en")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    modules, stdout = json.loads(p.stdout.splitlines()[-1])
    return set(modules), stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A generated store (short names: the routes' lines are narrower than the 160 columns)."""
    import ofai_graph
    from ofai_graph.generate import generate

    path = tmp_path_factory.mktemp("start") / "generated.db"
    with ofai_graph.open(path, create=True) as ws:
        ws.import_data(generate(300, 3000, seed=7))
    return path


def test_connect_imports_neither_the_other_commands_nor_heavy_libraries(db):
    modules, stdout = _imported_after(["connect", "Korea"], db)
    assert "Routes from" in stdout and "score" in stdout  # it did answer
    assert "ofai_graph.paths" in modules and "ofai_graph_cli.analytics" in modules
    assert sorted(m for m in HEAVY if m in modules) == []


def test_strength_top_imports_neither_networkx_nor_numpy(db):
    modules, stdout = _imported_after(["strength", "--top", "3"], db)
    assert "score" in stdout
    assert sorted(m for m in ("networkx", "numpy", "ofai_graph.maps", "ofai_graph_cli.maps") if m in modules) == []


def test_the_root_group_imports_no_command_until_one_is_asked_for():
    code = "import sys; import ofai_graph_cli.main; print(sorted(m for m in sys.modules if m.startswith('ofai_graph')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))
    assert not loaded & {"ofai_graph_cli.analytics", "ofai_graph_cli.query", "ofai_graph.workspace", "ofai_graph.model"}


def test_help_lists_every_command_with_its_short_help(db):
    """The listing imports each command for its one line of help: every name leads to a command."""
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, ["--help"], env={"OFAI_GRAPH_LANG": "en"})
    assert r.exit_code == 0
    names = list(cli.commands)
    assert len(names) >= 20 and {"connect", "strength", "map", "neo4j", "followups", "import"} <= set(names)
    for name in names:
        cmd = cli.commands[name]
        line = next(x for x in r.output.splitlines() if x.strip().startswith(name + " "))
        assert cmd.get_short_help_str(limit=45)[:20] in line, name
    assert "add" in cli.commands["followups"].commands  # (a subcommand defined in another module)


def test_an_unknown_command_lists_the_near_names():
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, ["conect"], env={"OFAI_GRAPH_LANG": "en"})
    assert r.exit_code == 2 and "connect" in r.output


def test_the_spanish_help_of_a_command_loaded_late_is_spanish():
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, ["--lang", "es", "dormant", "--help"])
    assert r.exit_code == 0 and "Ejemplos" in r.output and "Examples" not in r.output


# -- lines written without rich -------------------------------------------------------------------------


def _rich(line: str) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, highlight=False, width=160, soft_wrap=False).print(
        line, style="bold", markup=False, highlight=False
    )
    return buffer.getvalue()


LINES = st.text(alphabet=st.sampled_from([*sorted(output._NARROW), ":", " ", "\t", "😀", "中", "\u0301"]), max_size=200)


@given(LINES)
def test_a_plain_line_is_what_rich_would_write(line):
    if output._plain(line):
        assert _rich(line) == line + "\n"


@pytest.mark.parametrize(
    "line",
    ["x" * 160, "1. score 0.69: A → B → C", "     A → B: 0.69 (strong), last May 2024  ⚠ weakest link", "· a :b"],
)
def test_lines_of_a_route_are_plain_and_as_rich_writes_them(line):
    assert output._plain(line) and _rich(line) == line + "\n"


@pytest.mark.parametrize("line", ["x" * 161, "a :smile: b", "tab\there", "中文", "e\u0301"])
def test_other_lines_go_through_rich(line):
    assert not output._plain(line)


def test_a_terminal_or_forced_colours_get_rich(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert output._plain_stream(io.StringIO())
    assert not output._plain_stream(Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not output._plain_stream(io.StringIO())
