"""Hostile input never gets a traceback: every command, every option, values chosen to break things.

Each command of the click group (walked recursively, so a new command is covered without editing this
file) runs with each of its parameters set in turn to hostile values of its type; every run must end
with exit 0, 1 or 2, no traceback and no raw control character on the terminal. Then the cases of the
reliability issue, each with the input that found it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ofai_graph_cli.main import cli

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x00"
TEXT = ["", "A", ESCAPES, "x" * 5_000, "9" * 5_000, "２０２４-01-01", "🙂🙂"]
INT = ["-5", "99999999999", "1e9"]
FLOAT = ["inf", "nan", "-1", "1e309"]
DATE = ["0001-01-01", "9999-12-31", "2024-13-45", "٢٠٢٤-01-01", ESCAPES]
# Global options: tried once per command, not per parameter.
GLOBAL = {"db", "json", "lang", "as_of", "backend", "neo4j_uri", "neo4j_user", "neo4j_database", "help"}


def commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def hostile_values(param: click.Parameter, paths: list[str]) -> list[str]:
    kind = param.type
    if isinstance(kind, click.Choice):
        return ["notachoice", ESCAPES]
    if isinstance(kind, click.types.IntParamType):
        return INT
    if isinstance(kind, click.types.FloatParamType):
        return FLOAT
    if isinstance(kind, click.Path):
        return paths
    if "date" in (kind.name or "") or param.name in ("as_of", "since", "until", "due", "on", "date"):
        return DATE
    return TEXT


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    import ofai_graph
    from ofai_graph.seeds import seed_files

    path = tmp_path_factory.mktemp("hostile") / "seed.db"
    with ofai_graph.open(path, create=True) as ws:
        ws.import_files(seed_files())
    return path


@pytest.fixture
def env(tmp_path, seeded_db, monkeypatch):
    db = tmp_path / "h.db"
    shutil.copy(seeded_db, db)
    monkeypatch.chdir(tmp_path)
    for var in ("NEO4J_URI", "NEO4J_PASSWORD", "OFAI_GRAPH_BACKEND", "OFAI_GRAPH_AS_OF", "OFAI_GRAPH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OFAI_GRAPH_DB", str(db))
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    paths = [
        str(tmp_path / "missing-folder" / "out.html"),
        str(readonly / "out.html"),
        str(a_file / "below-a-file.html"),
        str(tmp_path),
        "/proc/ofai-graph-cannot-write.html",
    ]
    return {"db": db, "paths": paths, "a_file": a_file}


def check(args: list[str]) -> str | None:
    """What is wrong with running ``ofai-graph ARGS``, or None."""
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    where = f"ofai-graph {' '.join(repr(a[:30]) for a in args)}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        last = traceback.format_exception(result.exception)[-1].strip()
        return f"{where}: traceback: {last[:300]}"
    if result.exit_code not in (0, 1, 2):
        return f"{where}: exit {result.exit_code}"
    for char in ("\x1b", "\x07", "\x00"):
        if char in result.output:
            return f"{where}: raw {char!r} on the terminal: {result.output[:200]!r}"
    return None


COMMANDS = list(commands(cli))


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_survives_hostile_arguments(env, path):
    cmd = dict(COMMANDS)[path]
    params = [p for p in cmd.params if p.name not in GLOBAL]
    arguments = [p for p in params if isinstance(p, click.Argument)]
    base = ["ofai"] * len(arguments)
    runs = []
    for i, param in enumerate(arguments):
        runs += [[*path, *base[:i], value, *base[i + 1 :]] for value in hostile_values(param, env["paths"])]
    for param in params:
        if isinstance(param, click.Argument) or getattr(param, "is_flag", False):
            continue
        runs += [[*path, *base, param.opts[0], value] for value in hostile_values(param, env["paths"])]
    runs += [[*path, *base, "--as-of", value] for value in DATE]
    runs += [["--db", db, *path, *base] for db in (env["paths"][0], env["paths"][2], str(env["a_file"]))]
    problems = [p for p in map(check, runs) if p]
    assert not problems, "\n".join(problems)


# -- the reliability issue's cases, through a real process ------------------------------------------

DATA = Path(__file__).parent / "data"


def run(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "OFAI_GRAPH_DB": str(db), **(env or {})}
    full.pop("OFAI_GRAPH_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args], capture_output=True, text=True, env=full, timeout=300
    )


@pytest.fixture
def store(tmp_path, seeded_db) -> Path:
    db = tmp_path / "s.db"
    shutil.copy(seeded_db, db)
    return db


def count(db: Path, table: str = "interactions") -> int:
    import sqlite3

    with sqlite3.connect(db) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def big_import(tmp_path: Path) -> Path:
    """Interactions among the seed's entities, enough for several chunks of the importer."""
    rows = ["id,date,kind,title,participants"]
    rows += [
        f"big-{i},2024-02-{i % 28 + 1:02d},meeting,Reunión {i},ofai:organizer; oim" for i in range(45_000)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def interrupt_at(point: str, db: Path, path: Path) -> tuple[int, str]:
    """Import ``path``; when the import reaches ``point`` it says so on stderr and this test sends it
    SIGINT from outside, as a terminal's Ctrl-C does. Returns the exit code and stderr."""
    from ofai_graph.interrupts import HOOK_LINE, TEST_HOOK

    full = {**os.environ, "OFAI_GRAPH_DB": str(db), TEST_HOOK: f"{point}:outside"}
    full.pop("OFAI_GRAPH_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ofai_graph", "import", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=full,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(HOOK_LINE):
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    proc.wait(timeout=300)
    return proc.returncode, "".join(seen) + rest


def test_ctrl_c_at_commit_is_held_off_and_the_message_says_what_was_written(store, tmp_path):
    before = count(store)
    code, err = interrupt_at("commit", store, big_import(tmp_path))
    assert code == 130, err
    assert count(store) == before + 45_000  # the commit went through...
    assert "interrupted after the import was committed" in err and "45,000 added" in err  # ...as it says
    assert "nothing was written" not in err and "Traceback" not in err


def test_ctrl_c_during_the_writes_rolls_back_and_says_so(store, tmp_path):
    before = count(store)
    code, err = interrupt_at("write", store, big_import(tmp_path))
    assert code == 130, err
    assert count(store) == before
    assert "rolled back: nothing was written" in err and "Traceback" not in err


def invoke(db: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result


@pytest.mark.parametrize(
    "args",
    [
        ("map", "--kind", "notakind"),
        ("map", "--axis", "notanaxis"),
        ("connect", "KR", "--via-kind", "notakind"),
        ("followups", "--due-within", "-5"),
        ("dormant", "--days", "99999999999"),
        ("import", "x.yaml", "--max-size", "inf"),
        ("import", "x.yaml", "--max-size", "nan"),
    ],
)
def test_invalid_option_values_are_usage_errors(store, args):
    r = invoke(store, *args)
    assert r.exit_code == 2, r.output
    if "--kind" in args or "--via-kind" in args:
        assert "multilateral organization" in r.output and "chamber of commerce" in r.output


def test_map_kinds_in_spanish(store, tmp_path):
    r = invoke(store, "map", "--kind", "cámara de comercio", "--out", str(tmp_path / "m.html"))
    assert r.exit_code == 0, r.output
    assert "Cámara de Comercio de Bucaramanga" in (tmp_path / "m.html").read_text()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("strength", "OFAI", "OFAI"), "two different entities"),
        (("followups", "done", "x", "--on", "2190-01-01"), "future"),
        (("--as-of", "0001-01-01", "dormant"), "out of range"),
        (("show", "A"), "no entity matches 'A'"),
        (("show", "e"), "no entity matches 'e'"),
        (("map", "--country", "Atlantis"), "'Atlantis' is not a country"),
    ],
)
def test_refusals_are_one_clear_line(store, args, words):
    r = invoke(store, *args)
    assert r.exit_code in (1, 2) and words in r.output, r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("folder", ["missing", "a-file.txt"])
def test_export_and_map_into_a_folder_that_cannot_hold_the_file(store, tmp_path, folder):
    (tmp_path / "a-file.txt").write_text("x")
    for cmd, name in (("export", "x.yaml"), ("map", "x.html")):
        r = invoke(store, cmd, "--out", str(tmp_path / folder / name))
        assert r.exit_code == 1 and str(tmp_path / folder) in r.output, r.output  # names where
        assert len(r.output.strip().splitlines()) == 1


def test_hostile_files_through_the_cli(store):
    before = count(store, "entities")
    for name, words in [
        ("bomb_id.yaml", "aliases (*a) are not allowed"),
        ("ctrl.yaml", "U+0007"),
        ("dup_header.csv", "columns appear twice"),
        ("fuzzy_reference.csv", "'Cámara de Comercio de Pamplona' is neither"),
    ]:
        r = invoke(store, "import", str(DATA / name))
        assert r.exit_code == 1 and words in r.output, r.output
        assert "\x07" not in r.output and "\x1b" not in r.output
    assert count(store, "entities") == before
    r = invoke(store, "import", str(DATA / "cr_only.csv"))
    assert r.exit_code == 0 and count(store) > 0


def test_add_without_id_never_replaces_another_meeting(store):
    head = "Reunión de seguimiento del convenio de cooperación técnica con la Organización Internacional "
    titles = [head + "para las Migraciones", head + "para los Migrantes", "🙂🙂", "!!!"]
    before = count(store)
    for title in titles:
        r = invoke(
            store,
            "add",
            "interaction",
            "--date",
            "2024-05-02",
            "--kind",
            "meeting",
            "--title",
            title,
            "--participant",
            "ofai:organizer",
        )
        assert r.exit_code == 0 and "added" in r.output, r.output
    assert count(store) == before + 4
    r = invoke(store, "add", "org", "--id", "oim", "--name", "Otra", "--kind", "company")
    assert r.exit_code == 1 and "--replace" in r.output
    r = invoke(store, "add", "org", "--id", "oim", "--name", "Otra", "--kind", "company", "--replace")
    assert r.exit_code == 0 and "updated" in r.output


@pytest.mark.parametrize(
    ("chromium", "words"),
    [("/nonexistent/chromium", "not a program that can be run"), ("/bin/false", "could not start Chromium")],
)
def test_a_missing_or_broken_chromium_for_png_is_one_clear_line(store, tmp_path, monkeypatch, chromium, words):
    monkeypatch.setenv("OFAI_GRAPH_CHROMIUM", chromium)
    r = invoke(store, "map", "--format", "png", "--out", str(tmp_path / "m.png"))
    assert r.exit_code == 1 and words in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("m.png*"))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("strength:\n  a: &a [1, 1]\n  b: [*a, *a]\n", "aliases (*a) are not allowed"),
        ("strength:\n  half_life_days: 10\n  half_life_days: 20\n", "'half_life_days' appears twice"),
        ("strength: [\n", "malformed YAML"),
    ],
)
def test_a_hostile_settings_file_is_one_clear_line(store, tmp_path, monkeypatch, body, words):
    settings = tmp_path / "ofai-graph.yaml"
    settings.write_text(body, encoding="utf-8")
    monkeypatch.setenv("OFAI_GRAPH_CONFIG", str(settings))
    r = invoke(store, "strength")
    assert r.exit_code == 1 and words in r.output, r.output
