"""``ofai-graph map``: writes the map and says where; handout options; bad options refused, nothing written."""

import json
import os
import subprocess
import sys


def test_an_unknown_axis_is_named_with_the_valid_ones(seeded_path, tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ofai_graph",
            "--db",
            str(seeded_path),
            "map",
            "--axis",
            "tourism",
            "--out",
            str(tmp_path / "m.html"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "tourism" in r.stderr and "destination" in r.stderr
    assert not (tmp_path / "m.html").exists()


def test_cli_writes_the_map_and_says_where(seeded_path, tmp_path):
    env = {**os.environ, "OFAI_GRAPH_DB": str(seeded_path)}
    out = tmp_path / "red.html"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ofai_graph",
            "map",
            "--path-to",
            "Corea",
            "--as-of",
            "2024-03-31",
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["path"] == str(out.resolve()) and out.exists() and "gobierno-corea" in data["highlighted"]


def test_cli_route_handout_options(seeded_path, tmp_path):
    def ofai(*args):
        env = {**os.environ, "OFAI_GRAPH_DB": str(seeded_path), "OFAI_GRAPH_LANG": "es"}
        return subprocess.run(
            [sys.executable, "-m", "ofai_graph", *args], capture_output=True, text=True, env=env, timeout=120
        )

    out = tmp_path / "corea.svg"
    r = ofai(
        "map",
        "--path-to",
        "Corea",
        "--only-routes",
        "--presentation",
        "--color-by",
        "community",
        "--as-of",
        "2024-03-31",
        "--no-timeline",
        "--out",
        str(out),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    svg = out.read_text(encoding="utf-8")
    assert data["format"] == "svg" and "Rutas" in svg and "Comunidad 1" in svg
    assert data["nodes"] == len(set(data["highlighted"]))
    r = ofai("map", "--only-routes", "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "--path-to" in r.stderr and not (tmp_path / "x.html").exists()
