"""The CLI as a user meets it: a real process, stdout for data, stderr for messages, exit codes."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import OFFICE, write


def run(*args, db=None, input=None, env=None):
    full_env = {**os.environ, **(env or {})}
    if db is not None:
        full_env["OFAI_GRAPH_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args],
        capture_output=True,
        text=True,
        input=input,
        env=full_env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.db"
    r = run("init", "--seed", db=path)
    assert r.returncode == 0, r.stderr
    return path


def test_init_seed_then_show_with_json(db):
    r = run("show", "Corea", "--json", db=db)
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["id"] == "KR" and any(m["id"] == "gobierno-corea" for m in data["members"])


def test_json_flag_before_the_command_too(db):
    data = json.loads(run("--json", "stats", db=db).stdout)
    assert data["counts"]["interactions"] >= 36


def test_human_show_is_a_readable_profile(db):
    r = run("show", "imct", db=db)
    assert r.returncode == 0
    assert "Instituto Municipal de Cultura y Turismo" in r.stdout and "Timeline" in r.stdout


def test_ambiguous_name_exits_1_with_candidates_on_stderr(db):
    r = run("show", "camara de comercio", db=db)
    assert r.returncode == 1 and r.stdout == ""
    assert "ambiguous" in r.stderr and "amcham" in r.stderr and "Traceback" not in r.stderr


def test_usage_error_exits_2(db):
    assert run("show", db=db).returncode == 2
    assert run("import", "--max-size", "-1", "x.yaml", db=db).returncode == 2


def test_bad_import_exits_1_names_the_problem_and_writes_nothing(db, tmp_path):
    before = run("export", "--format", "json", db=db).stdout
    bad = write(
        tmp_path, "bad.yaml", "organizations:\n  - {id: x, name: '<script>alert(1)</script>', kind: nope}\n"
    )
    r = run("import", str(bad), db=db)
    assert r.returncode == 1 and "field 'kind'" in r.stderr and "bad.yaml:2" in r.stderr
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
    assert r.returncode == 0, r.stderr
    data = json.loads(run("show", "embajada corea", "--json", db=db).stdout)
    assert data["id"] == "embajada-de-corea" and data["countries"] == ["KR"]


def test_add_without_required_options_and_no_terminal_is_a_usage_error(tmp_path):
    r = run("add", "org", "--name", "X", db=tmp_path / "b.db", input="")
    assert r.returncode == 2 and "--kind" in r.stderr


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
    assert r.returncode == 0, r.stderr
    prof = json.loads(run("show", "oim", "--json", db=db).stdout)
    assert prof["timeline"][0]["title"] == "Reunión OIM" and prof["timeline"][0]["roles"] == ["offerer"]


def test_export_to_file_round_trips(db, tmp_path):
    out = tmp_path / "dump.yaml"
    assert run("export", "--format", "yaml", "--out", str(out), db=db).returncode == 0
    copy = tmp_path / "copy.db"
    assert run("init", db=copy).returncode == 0
    assert run("import", str(out), db=copy).returncode == 0
    assert run("export", db=copy).stdout == run("export", db=db).stdout


def test_help_has_examples_everywhere():
    for cmd in (
        ["--help"],
        ["show", "--help"],
        ["import", "--help"],
        ["add", "org", "--help"],
        ["export", "--help"],
    ):
        r = run(*cmd)
        assert r.returncode == 0 and "Example" in r.stdout, cmd


def test_library_import_does_not_pull_heavy_dependencies():
    code = "import sys, ofai_graph; print(any(m in sys.modules for m in ('networkx', 'pyvis', 'neo4j')))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    )


def test_connect_korea_human_and_json(db):
    r = run("connect", "Korea", "--as-of", "2024-03-31", db=db)
    assert r.returncode == 0 and "Gobierno de Corea" in r.stdout and "weakest link" in r.stdout
    data = json.loads(run("connect", "Corea", "--as-of", "2024-03-31", "--json", db=db).stdout)
    assert data["target"]["kind"] == "country" and len(data["paths"]) == 5


def test_connect_unreachable_exits_1(db):
    r = run("connect", "Mercociudades", "--from", "fiba", "--max-hops", "1", db=db)
    assert r.returncode == 1 and "no path" in r.stderr


def test_strength_explain_lists_interactions(db):
    data = json.loads(run("strength", "OFAI", "IMCT", "--as-of", "2024-03-31", "--json", db=db).stdout)
    assert data["tier"] in {"strong", "medium", "weak", "cold"}
    assert any(c["id"] == "corea-cooperacion-imct-aprobacion" for c in data["contributions"])


def test_followups_overdue_and_ask_in_spanish(db):
    data = json.loads(run("followups", "--overdue", "--as-of", "2024-09-01", "--json", db=db).stdout)
    assert "jica-respuesta-voluntarios" in [v["followup"]["id"] for v in data]
    r = run("ask", "¿quién nos conecta con Corea?", "--as-of", "2024-03-31", db=db)
    assert r.returncode == 0 and "Corea" in r.stdout
    bad = run("ask", "what is the weather", db=db)
    assert bad.returncode == 1 and "who connects us to Korea" in bad.stderr


def test_bad_as_of_is_a_usage_error(db):
    r = run("followups", "--as-of", "2024-13-01", db=db)
    assert r.returncode == 2 and "month 13" in r.stderr


def test_show_gains_strength_tier_and_centrality(db):
    data = json.loads(run("show", "imct", "--as-of", "2024-03-31", "--json", db=db).stdout)
    assert data["extra"]["tier"] in {"strong", "medium", "weak", "cold"}
    assert 0 < data["extra"]["strength to home office"] <= 1 and data["extra"]["partners"] > 0
