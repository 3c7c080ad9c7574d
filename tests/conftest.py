from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import ofai_graph
from ofai_graph.seeds import seed_files
from ofai_graph.store import open_store

ROOT = Path(__file__).resolve().parent.parent

# Property tests check answers, not speed (benchmarks do that): a per-example deadline only made
# them fail on a loaded machine.
settings.register_profile("ofai", deadline=None)
settings.load_profile("ofai")


@pytest.fixture
def store():
    s = open_store(":memory:")
    yield s
    s.close()


@pytest.fixture
def ws():
    w = ofai_graph.open(":memory:")
    yield w
    w.close()


@pytest.fixture(scope="session")
def seeded_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    with ofai_graph.open(path, create=True) as w:
        w.import_files(seed_files())
    return path


@pytest.fixture
def seeded(seeded_path):
    w = ofai_graph.open(seeded_path)
    yield w
    w.close()


def write(tmp_path: Path, name: str, body: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(body, encoding="utf-8")
    return p


OFFICE = """
organizations:
  - {id: ofai, name: Oficina de Asuntos Internacionales, kind: home_office, aliases: [OFAI]}
  - {id: oim, name: Organización Internacional para las Migraciones, kind: multilateral, aliases: [OIM, IOM]}
  - {id: imct, name: Instituto Municipal de Cultura y Turismo, kind: decentralized_entity, aliases: [IMCT], countries: [Colombia]}
"""


# -- a real Bolt server ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bolt():
    """ArcadeDB's Bolt server in a subprocess, or the server ``NEO4J_URI`` names."""
    import boltserver

    if os.environ.get("NEO4J_URI"):
        yield boltserver.BoltServer(
            uri=os.environ["NEO4J_URI"],
            user=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
        return
    try:
        server = boltserver.start()
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("arcadedb-embedded is not installed (pip install -e '.[test]')")
    yield server
    server.stop()


@pytest.fixture
def neo(bolt):
    """An empty Neo4j store on the test server."""
    s = open_store(bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database)
    s.clear()
    yield s
    s.close()


# -- maps (tests/test_maps_*.py; what they share is in maps_support.py) -------------------------------


@pytest.fixture(scope="session")
def seed_map(seeded_path):
    from maps_support import AS_OF

    with ofai_graph.open(seeded_path) as ws:
        return ws.map(as_of=AS_OF, lang="es")


@pytest.fixture(scope="session")
def route_map(seeded_path):
    from maps_support import AS_OF

    with ofai_graph.open(seeded_path) as ws:
        return ws.map(path_to="Korea", as_of=AS_OF, lang="es")


@pytest.fixture(scope="session")
def hostile_map():
    from maps_support import AS_OF, HOSTILE, hostile_data

    with ofai_graph.open(":memory:") as ws:
        ws.import_data(hostile_data())
        return ws.map(title=HOSTILE[1], as_of=AS_OF, lang="en")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per module: a Playwright session left open would stop another module's."""
    from maps_support import launch_browser

    yield from launch_browser()
