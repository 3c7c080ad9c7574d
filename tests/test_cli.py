"""The CLI as a user meets it: stdout for data, stderr for messages, exit codes 0/1/2.

Commands run in-process through click's CliRunner; a few tests at the end run the real entry point in a
subprocess (process exit codes, streams, the installed ``python -m ofai_graph``).
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import ofai_graph
from ofai_graph_cli.common import App, pass_app
from ofai_graph_cli.main import cli
from tests.conftest import OFFICE, write

Q1_END = dt.date(2024, 3, 31)

# The tests read English messages and must not depend on the machine's locale or a stray setting.
CLEAN_ENV = {
    "OFAI_GRAPH_LANG": "en",
    "OFAI_GRAPH_AS_OF": None,
    "OFAI_GRAPH_BACKEND": None,
    "NEO4J_URI": None,
}


def run(*args, db=None, input=None, env=None):
    full_env = {**CLEAN_ENV, **(env or {})}
    if db is not None:
        full_env["OFAI_GRAPH_DB"] = str(db)
    return CliRunner().invoke(
        cli, list(args), input=input, env=full_env, prog_name="ofai-graph", catch_exceptions=False
    )


def run_process(*args, db=None, env=None):
    full_env = {k: v for k, v in {**os.environ, **CLEAN_ENV, **(env or {})}.items() if v is not None}
    if db is not None:
        full_env["OFAI_GRAPH_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    r = run("init", "--seed", db=path)
    assert r.exit_code == 0, r.stderr
    return path


@pytest.fixture
def library(db):
    with ofai_graph.open(db) as ws:
        yield ws


def test_init_seed_then_show_with_json(db):
    r = run("show", "Corea", "--json", db=db)
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["id"] == "KR" and any(m["id"] == "gobierno-corea" for m in data["members"])


def test_json_flag_before_the_command_too(db):
    data = json.loads(run("--json", "stats", db=db).stdout)
    assert data["counts"]["interactions"] >= 36


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "--as-of", "2024-03-31", "--db", "{db}", "connect", "Korea"],
        ["connect", "Korea", "--json", "--as-of", "2024-03-31", "--db", "{db}"],
        ["--db", "{db}", "connect", "--as-of", "2024-Q1", "Korea", "--json"],
    ],
)
def test_global_options_go_before_or_after_the_command(db, args):
    r = run(*[a.format(db=db) for a in args], env={"OFAI_GRAPH_DB": str(db.parent / "elsewhere.db")})
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["as_of"] == "2024-03-31" and data["target"]["kind"] == "country"


def test_as_of_from_the_environment_and_the_option_wins(db):
    env = {"OFAI_GRAPH_AS_OF": "2024-06"}
    assert json.loads(run("connect", "Korea", "--json", db=db, env=env).stdout)["as_of"] == "2024-06-30"
    r = run("--as-of", "2024-02", "connect", "Korea", "--json", db=db, env=env)
    assert json.loads(r.stdout)["as_of"] == "2024-02-29"
    # Given on both sides, the one after the command is the nearer, so it counts.
    r = run("--as-of", "2024-02", "connect", "Korea", "--as-of", "2024-01", "--json", db=db)
    assert json.loads(r.stdout)["as_of"] == "2024-01-31"


def test_every_command_accepts_the_global_options():
    def walk(group, path):
        for name, cmd in group.commands.items():
            yield [*path, name], cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd, [*path, name])

    for path, cmd in walk(cli, []):
        names = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        assert {"--db", "--json", "--lang", "--as-of", "--backend", "--neo4j-uri"} <= names, path


def test_unknown_language_is_a_usage_error_listing_the_languages(db):
    for args, env in (
        (["--lang", "fr", "stats"], None),
        (["stats", "--lang", "fr"], None),
        (["stats"], {"OFAI_GRAPH_LANG": "fr"}),
    ):
        r = run(*args, db=db, env=env)
        assert r.exit_code == 2 and "'fr'" in r.stderr and "es, en" in r.stderr, (args, env)


def test_language_from_option_environment_or_locale():
    seen = []

    @cli.command("lang-probe-for-test", hidden=True)
    @pass_app
    def probe(app: App) -> None:
        seen.append(app.lang)

    try:
        run(
            "lang-probe-for-test",
            env={"OFAI_GRAPH_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "es_CO.UTF-8"},
        )
        run("lang-probe-for-test", env={"OFAI_GRAPH_LANG": "es"})
        run("lang-probe-for-test", "--lang", "en", env={"OFAI_GRAPH_LANG": "es"})
        run("--lang", "es", "lang-probe-for-test", env={"OFAI_GRAPH_LANG": "en"})
        run(
            "lang-probe-for-test",
            env={"OFAI_GRAPH_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None},
        )
    finally:
        cli.commands.pop("lang-probe-for-test")
    assert seen == ["es", "es", "en", "es", "en"]


def test_human_show_is_a_readable_profile(db):
    r = run("show", "imct", db=db)
    assert r.exit_code == 0
    assert "Instituto Municipal de Cultura y Turismo" in r.stdout and "Timeline" in r.stdout


def test_ambiguous_name_exits_1_with_candidates_on_stderr(db):
    r = run("show", "camara de comercio", db=db)
    assert r.exit_code == 1 and r.stdout == ""
    assert "ambiguous" in r.stderr and "amcham" in r.stderr


def test_usage_error_exits_2(db):
    assert run("show", db=db).exit_code == 2
    assert run("import", "--max-size", "-1", "x.yaml", db=db).exit_code == 2


def test_bad_import_exits_1_names_the_problem_and_writes_nothing(db, tmp_path):
    before = run("export", "--format", "json", db=db).stdout
    bad = write(
        tmp_path, "bad.yaml", "organizations:\n  - {id: x, name: '<script>alert(1)</script>', kind: nope}\n"
    )
    r = run("import", str(bad), db=db)
    assert r.exit_code == 1 and "field 'kind'" in r.stderr and "bad.yaml:2" in r.stderr
    assert run("export", "--format", "json", db=db).stdout == before


def test_add_org_then_find_it_by_alias(tmp_path):
    db = tmp_path / "a.db"
    run("init", db=db)
    run("import", str(write(tmp_path, "o.yaml", OFFICE)), db=db)
    r = run(
        "add",
        "org",
        "--name",
        "Embajada de Corea",
        "--kind",
        "foreign_government",
        "--country",
        "Corea",
        "--alias",
        "Embajada Corea",
        db=db,
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(run("show", "embajada corea", "--json", db=db).stdout)
    assert data["id"] == "embajada-de-corea" and data["countries"] == ["KR"]


def test_add_without_required_options_and_no_terminal_is_a_usage_error(tmp_path):
    r = run("add", "org", "--name", "X", db=tmp_path / "b.db", input="")
    assert r.exit_code == 2 and "--kind" in r.stderr


def test_add_interaction_resolves_participants(tmp_path):
    db = tmp_path / "c.db"
    run("init", db=db)
    run("import", str(write(tmp_path, "o.yaml", OFFICE)), db=db)
    r = run(
        "add",
        "interaction",
        "--date",
        "2024-05-02",
        "--kind",
        "meeting",
        "--title",
        "Reunión OIM",
        "--participant",
        "OFAI:organizer",
        "--participant",
        "IOM:offerer",
        "--json",
        db=db,
    )
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["id"] == "2024-05-02-reunion-oim"
    prof = json.loads(run("show", "oim", "--json", db=db).stdout)
    assert prof["timeline"][0]["title"] == "Reunión OIM" and prof["timeline"][0]["roles"] == ["offerer"]
    assert prof["timeline"][0]["date"] == "2024-05-02"


def test_add_followup_keeps_the_due_date_precision_and_followups_add_is_the_same_command(tmp_path):
    db = tmp_path / "f.db"
    run("init", db=db)
    run("import", str(write(tmp_path, "o.yaml", OFFICE)), db=db)
    r = run("followups", "add", "--description", "Enviar informe", "--due", "2024-Q3", db=db)
    assert r.exit_code == 0, r.stderr
    rows = json.loads(run("followups", "--json", "--as-of", "2024-07-01", db=db).stdout)
    assert [(v["followup"]["id"], v["followup"]["due"]) for v in rows] == [("enviar-informe", "2024-Q3")]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["followups", "--as-of", "2024-13-01"], "--as-of"),
        (["--as-of", "2024-13-01", "stats"], "--as-of"),
        (["map", "--since", "2024-13"], "--since"),
        (["map", "--until", "ayer"], "--until"),
        (["followups", "done", "x", "--on", "2024-02-30"], "--on"),
        (["add", "followup", "--description", "x", "--due", "2024-Q5"], "--due"),
        (
            [
                "add",
                "interaction",
                "--date",
                "mañana",
                "--kind",
                "meeting",
                "--title",
                "t",
                "--participant",
                "a",
            ],
            "--date",
        ),
    ],
)
def test_a_date_that_does_not_parse_is_a_usage_error_naming_the_value(db, args, option):
    r = run(*args, db=db)
    value = args[args.index(option) + 1]
    assert r.exit_code == 2 and option in r.stderr and repr(value) in r.stderr, r.stderr


def test_a_bad_date_in_the_environment_names_the_variable(db):
    r = run("stats", db=db, env={"OFAI_GRAPH_AS_OF": "pronto"})
    assert r.exit_code == 2 and "OFAI_GRAPH_AS_OF" in r.stderr and "'pronto'" in r.stderr


def test_export_to_file_round_trips(db, tmp_path):
    out = tmp_path / "dump.yaml"
    assert run("export", "--format", "yaml", "--out", str(out), db=db).exit_code == 0
    copy = tmp_path / "copy.db"
    assert run("init", db=copy).exit_code == 0
    assert run("import", str(out), db=copy).exit_code == 0
    assert run("export", db=copy).stdout == run("export", db=db).stdout


def test_help_has_examples_everywhere():
    def walk(group, path):
        for name, cmd in group.commands.items():
            yield [*path, name]
            if hasattr(cmd, "commands"):
                yield from walk(cmd, [*path, name])

    for path in [[], *walk(cli, [])]:
        r = run(*path, "--help")
        assert r.exit_code == 0 and "Example" in r.stdout, path


def test_connect_korea_human_and_json(db):
    r = run("connect", "Korea", "--as-of", "2024-03-31", db=db)
    assert r.exit_code == 0 and "Gobierno de Corea" in r.stdout and "weakest link" in r.stdout
    data = json.loads(run("connect", "Corea", "--as-of", "2024-03-31", "--json", db=db).stdout)
    assert data["target"]["kind"] == "country" and len(data["paths"]) == 5


def test_connect_unreachable_exits_1(db):
    r = run("connect", "Mercociudades", "--from", "fiba", "--max-hops", "1", db=db)
    assert r.exit_code == 1 and "no path" in r.stderr


def test_strength_explain_lists_interactions_with_the_library_tier(db, library):
    data = json.loads(run("strength", "OFAI", "IMCT", "--as-of", "2024-03-31", "--json", db=db).stdout)
    expected = library.strength("OFAI", "IMCT", as_of=Q1_END)[0]
    assert data["tier"] == expected.tier == library.strength_config.tier(data["score"])
    assert data["score"] == pytest.approx(expected.score)
    assert any(c["id"] == "corea-cooperacion-imct-aprobacion" for c in data["contributions"])


def test_followups_overdue_and_ask_in_spanish(db):
    data = json.loads(run("followups", "--overdue", "--as-of", "2024-09-01", "--json", db=db).stdout)
    assert "jica-respuesta-voluntarios" in [v["followup"]["id"] for v in data]
    r = run("ask", "¿quién nos conecta con Corea?", "--as-of", "2024-03-31", db=db)
    assert r.exit_code == 0 and "Corea" in r.stdout
    bad = run("ask", "what is the weather", db=db)
    assert bad.exit_code == 1 and "who connects us to Korea" in bad.stderr


def test_show_gains_strength_tier_and_centrality(db, library):
    data = json.loads(run("show", "imct", "--as-of", "2024-03-31", "--json", db=db).stdout)
    pair = library.strength("ofai", "imct", as_of=Q1_END)[0]
    assert data["extra"]["tier"] == pair.tier == library.strength_config.tier(pair.score)
    assert data["extra"]["strength to home office"] == pytest.approx(pair.score, abs=0.001)
    assert data["extra"]["partners"] > 0


def test_show_lists_the_newest_interactions_and_says_how_many_there_are(db):
    every = json.loads(run("show", "ofai", "--timeline", "0", "--json", db=db).stdout)
    total = len(every["timeline"])
    assert total > 3 and every["timeline_total"] == total
    few = json.loads(run("show", "ofai", "--timeline", "3", "--json", db=db).stdout)
    assert few["timeline"] == every["timeline"][:3] and few["timeline_total"] == total
    shown = run("show", "ofai", "--timeline", "3", "--lang", "en", db=db).stdout
    assert f"Timeline (the newest 3 of {total})" in shown


def test_json_keeps_partial_dates_as_written(db):
    prof = json.loads(run("show", "jica", "--json", db=db).stdout)
    dates = [i["date"] for i in prof["timeline"]]
    assert dates and all(isinstance(d, str) for d in dates) and "2024-Q1" in dates


# -- the real entry point, in a subprocess -----------------------------------------------------------


def test_entry_point_streams_and_exit_codes(db):
    ok = run_process("--json", "stats", db=db)
    assert ok.returncode == 0 and json.loads(ok.stdout)["counts"]["interactions"] >= 36 and ok.stderr == ""
    ambiguous = run_process("show", "camara de comercio", db=db)
    assert ambiguous.returncode == 1 and ambiguous.stdout == ""
    assert "ambiguous" in ambiguous.stderr and "Traceback" not in ambiguous.stderr
    usage = run_process("connect", db=db)
    assert usage.returncode == 2 and usage.stdout == "" and "Missing argument" in usage.stderr


@pytest.mark.parametrize("args", [("--help",), ("stats",), ("--json", "stats"), ("show", "imct")])
def test_a_reader_that_stops_early_is_not_a_failure(db, args):
    # `ofai-graph stats | head -1`: the reader closes the pipe before the command writes.
    env = {k: v for k, v in {**os.environ, **CLEAN_ENV, "OFAI_GRAPH_DB": str(db)}.items() if v is not None}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ofai_graph", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == ""


@pytest.mark.parametrize(("lang", "words"), [("en", "The store is"), ("es", "El almacén es")])
def test_help_names_the_default_store_where_the_environment_puts_it(tmp_path, lang, words):
    r = run("--lang", lang, "--help", env={"XDG_DATA_HOME": str(tmp_path / "datos")})
    assert f"{words} {tmp_path / 'datos' / 'ofai-graph' / 'ofai-graph.db'}" in " ".join(r.stdout.split())


def test_entry_point_version():
    from importlib.metadata import version

    r = run_process("--version")
    assert r.returncode == 0 and version("ofai-graph") in r.stdout


def test_library_import_does_not_pull_heavy_dependencies():
    code = "import sys, ofai_graph; print(any(m in sys.modules for m in ('networkx', 'pyvis', 'neo4j')))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


def test_png_without_playwright_says_in_one_line_what_to_install(db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    out = tmp_path / "red.png"
    r = run("map", "--format", "png", "--out", str(out), "--as-of", "2024-03-31", db=db)
    assert r.exit_code == 1 and r.stderr.strip().count("\n") == 0
    assert "pip install 'ofai-graph[png]'" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_one_pair_shows_what_adds_the_most_and_explain_shows_everything(tmp_path):
    """An office's pair may rest on thousands of interactions: by default the table holds the ten
    that add the most (and says how many there are), --top sets how many, --explain lists them all;
    --json always gives every one."""
    db = tmp_path / "pair.db"
    with ofai_graph.open(db, create=True) as ws:
        ws.import_data(
            {
                "organizations": [
                    {"id": "ofai", "name": "Oficina", "kind": "home_office"},
                    {"id": "jica", "name": "JICA", "kind": "bilateral_agency"},
                ],
                "interactions": [
                    {"id": f"m{k:02d}", "date": f"2024-{k:02d}-10", "kind": "visit" if k == 3 else "meeting",
                     "title": f"Reunión {k:02d}",
                     "participants": [{"entity": "ofai", "role": "host"}, {"entity": "jica", "role": "requester"}]}
                    for k in range(1, 13)
                ],
            }
        )
    base = ["--lang", "es", "--as-of", "2024-12-31", "strength", "ofai", "jica"]

    def titles(out: str) -> list[str]:
        return sorted(set(re.findall(r"Reunión \d\d", out)))

    short = run(*base, db=db)
    assert short.exit_code == 0, short.stderr
    # the visit in March weighs more than the meetings around it; the oldest two meetings are left out
    assert titles(short.stdout) == [f"Reunión {k:02d}" for k in range(3, 13)]
    assert "las 10 que más suman de 12: --explain las lista todas" in short.stderr
    three = run(*base, "--top", "3", db=db)
    assert titles(three.stdout) == ["Reunión 10", "Reunión 11", "Reunión 12"]  # the newest weigh the most
    every = run(*base, "--explain", db=db)
    assert len(titles(every.stdout)) == 12 and every.stderr == ""
    machine = run("--json", *base, db=db)
    assert len(json.loads(machine.stdout)["contributions"]) == 12


def test_a_missing_store_is_named_with_the_command_that_makes_it_and_nothing_is_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    r = run("--lang", "es", "strength", db=missing)
    assert r.exit_code == 1
    assert f"no hay un almacén de ofai-graph en {missing}: cree uno con `ofai-graph --db {missing} init`" in r.stderr
    assert "Python" not in r.stderr and not missing.exists()
    default = run("strength", env={"XDG_DATA_HOME": str(tmp_path / "data"), "OFAI_GRAPH_DB": None})
    assert default.exit_code == 1
    assert "create it with `ofai-graph init` (or `ofai-graph init --seed` with the bundled report)" in default.stderr
    assert "Python" not in default.stderr and not (tmp_path / "data").exists()
