"""The Neo4j backend against a real Bolt server: parity with the embedded store, sync, faults."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import networkx as nx
import pytest

import ofai_graph
from ofai_graph.errors import StoreError
from ofai_graph.generate import generate
from ofai_graph.seeds import seed_files
from ofai_graph.store import ServerStore, open_store
from ofai_graph.sync import copy, status
from ofai_graph.workspace import Workspace

pytestmark = pytest.mark.bolt

AS_OF = dt.date(2024, 3, 31)


def same(a, b):
    """Equal as plain data (pydantic models and lists of them), whatever the backend."""

    def plain(x):
        if hasattr(x, "model_dump"):
            return x.model_dump(mode="json")
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x

    assert plain(a) == plain(b)


def same_pairs(neo: Any, lite: Any) -> bool:
    """The materialized strength pairs of a pushed database are the embedded store's, and valid."""
    from ofai_graph.materialize import ops
    from ofai_graph.store.strength_sqlite import _records

    theirs, ours = ops(neo), ops(lite)
    assert theirs.stored_config() == ours.stored_config() is not None
    got = sorted(theirs.pairs())
    assert got and got == sorted(_records(ours.pairs()))
    return True


def cli(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``ofai-graph ARGS`` in a new process, with ``env`` and no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "ofai_graph", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def server_store(server, database: str | None = None, **options) -> ServerStore:
    """The store on a test server, opened the way users open one."""
    store = open_store(
        server.uri,
        user=server.user,
        password=server.password,
        database=database or server.database,
        **options,
    )
    assert isinstance(store, ServerStore)
    return store


@pytest.fixture(scope="module")
def seed_pair(bolt):
    """The seed report in both backends."""
    lite = ofai_graph.open(":memory:")
    lite.import_files(seed_files())
    neo = server_store(bolt, bolt.database_for("seedpair"))
    neo.clear()
    remote = Workspace(neo)
    remote.import_files(seed_files())
    yield lite, remote
    lite.close()
    remote.close()


# -- parity on the seed --------------------------------------------------------------------------


def test_seed_lands_whole_and_exports_identically(seed_pair):
    lite, remote = seed_pair
    assert remote.store.counts() == lite.store.counts()
    assert remote.export("yaml") == lite.export("yaml")


PARITY = {
    "stats": lambda w: w.stats().model_dump(exclude={"backend", "location", "schema_version"}),
    "search corea": lambda w: w.search("corea"),
    "resolve imct/korea/KR": lambda w: [
        w.resolve(x) for x in ("imct", "korea", "KR", "amcham", "Cámara Colombo Americana")
    ],
    "show imct": lambda w: w.show("imct", as_of=AS_OF),
    "show korea": lambda w: w.show("Corea", as_of=AS_OF),
    "strength top": lambda w: w.strength(top=15, as_of=AS_OF),
    "strength explain": lambda w: w.strength("ofai", "imct", as_of=AS_OF, explain=True),
    "connect Korea": lambda w: w.connect("Korea", as_of=AS_OF),
    "connect Corea k3": lambda w: w.connect("Corea", k=3, max_hops=3, as_of=AS_OF),
    "followups open": lambda w: w.followups(as_of=AS_OF),
    "followups overdue": lambda w: w.followups(overdue=True, as_of=dt.date(2024, 9, 1)),
    "followups partner": lambda w: w.followups(partner="JICA", as_of=AS_OF),
    "dormant": lambda w: w.dormant(days=90, as_of=dt.date(2024, 12, 31)),
    "brokers": lambda w: w.brokers(top=8, as_of=AS_OF),
    "ask": lambda w: w.ask("¿quién nos conecta con Corea?", as_of=AS_OF),
    "timeline": lambda w: w.store.interactions_of("ofai"),
    "timeline newest 3 and count": lambda w: (w.store.interactions_of("ofai", limit=3), w.store.interaction_count("ofai")),
    "followups soonest 2 of": lambda w: (w.followups(top=2, as_of=AS_OF), w.followups(top=2, as_of=AS_OF).total),
    "followups due within": lambda w: w.followups(due_within=60, as_of=AS_OF),
    "followup filters": lambda w: w.store.followups(
        None, owner="ofai", due_from=dt.date(2024, 4, 1), due_to=dt.date(2024, 9, 30), limit=3
    ),
    "followup count": lambda w: w.store.followup_count(None, involving="imct", due_to=dt.date(2024, 12, 31)),
    "tags": lambda w: w.store.tagged(),
    "graph": lambda w: sorted(map(str, w.graph().edges(keys=True))),
    "map axis": lambda w: (lambda m: (m.node_count, m.edge_count))(w.map(axes=["cooperation"], as_of=AS_OF)),
    "map": lambda w: (lambda m: (m.node_count, m.edge_count, m.highlighted))(
        w.map(path_to="Korea", as_of=AS_OF)
    ),
}


@pytest.mark.parametrize("query", PARITY)
def test_every_query_gives_the_same_answer_on_both_backends(seed_pair, query):
    lite, remote = seed_pair
    same(PARITY[query](remote), PARITY[query](lite))


def test_the_stale_as_of_warning_is_the_embedded_one_at_every_day(seed_pair):
    """On Neo4j the warning asks first whether an interaction ends within the half-life (a few rows),
    and reads the newest end only when none does: the same message, or none, as the embedded store's,
    on either side of the half-life and far from it."""
    lite, remote = seed_pair
    newest = dt.date(2024, 3, 31)  # the report's last interaction ends with its quarter
    days = [newest, newest + dt.timedelta(days=180), newest + dt.timedelta(days=181), dt.date(2030, 1, 1)]
    answers = [(lite.staleness(d), remote.staleness(d)) for d in days]
    assert [a for a, _ in answers] == [b for _, b in answers]
    assert [a is None for a, _ in answers] == [True, True, False, False]
    assert "March 31, 2024" in answers[2][0]


def test_connect_korea_on_neo4j_finds_the_reports_routes(seed_pair):
    _, remote = seed_pair
    found = {tuple(p.nodes) for p in remote.connect("Corea", k=10, as_of=AS_OF).paths}
    assert any("apc-colombia" in p for p in found)
    assert any("imct" in p for p in found)


def test_connect_on_neo4j_reads_a_neighbourhood_not_the_whole_graph(seed_pair, monkeypatch):
    _, remote = seed_pair
    asked: list = []
    original = remote.store.participations

    def spy(around=None, axes=None):
        asked.append(around)
        return original(around, axes)

    monkeypatch.setattr(remote.store, "participations", spy)
    fresh = Workspace(remote.store)
    assert fresh.connect("Korea", max_hops=2, as_of=AS_OF).paths
    # With materialized pairs (ofai_graph.materialize) the search reads the pairs it expands and no
    # interactions at all; without them, a neighbourhood.
    assert all(a is not None for a in asked)
    assert not asked or len(asked[0]) < len(list(remote.store.entity_summaries())) / 2


# -- parity on a generated graph, paths checked against networkx ---------------------------------


@pytest.fixture(scope="module")
def generated_pair(bolt):
    data = generate(300, 1500, seed=5)
    lite = ofai_graph.open(":memory:")
    lite.import_data(data)
    neo = server_store(bolt, bolt.database_for("generated"))
    neo.clear()
    remote = Workspace(neo)
    remote.import_data(data)
    yield lite, remote
    lite.close()
    remote.close()


def test_generated_graph_parity(generated_pair):
    lite, remote = generated_pair
    assert remote.export("json") == lite.export("json")
    same(
        remote.stats().model_dump(exclude={"backend", "location", "schema_version"}),
        lite.stats().model_dump(exclude={"backend", "location", "schema_version"}),
    )
    same(remote.strength(top=20, as_of=AS_OF), lite.strength(top=20, as_of=AS_OF))
    same(remote.followups(overdue=True, as_of=AS_OF), lite.followups(overdue=True, as_of=AS_OF))


def test_generated_connect_matches_networkx_shortest_path(generated_pair):
    lite, remote = generated_pair
    g = remote.relationship_graph(AS_OF)
    target = sorted(n for n in g if n != remote.home and g.degree(n) > 0)[-1]
    ours = remote.connect(target, k=3, max_hops=6, as_of=AS_OF)
    same(ours, lite.connect(target, k=3, max_hops=6, as_of=AS_OF))
    best = nx.shortest_path(g, remote.home, target, weight="cost")
    expected = 1.0
    for u, v in nx.utils.pairwise(best):
        expected *= g[u][v]["score"]
    assert ours.paths[0].score == pytest.approx(expected)


# -- sync ------------------------------------------------------------------------------------------


def test_push_twice_changes_nothing_and_pull_round_trips(neo, tmp_path):
    lite = open_store(tmp_path / "office.db", create=True)
    lite_ws = Workspace(lite)
    lite_ws.import_data(generate(60, 300, seed=2))
    first = copy(lite, neo, batch_size=100)
    assert first.report.total("added") == first.records > 0
    assert same_pairs(neo, lite)  # copied once at the end, not maintained batch by batch
    rev = neo.revision()
    second = copy(lite, neo, batch_size=100)
    assert second.report.total("added") == 0 and not second.report.changed and neo.revision() == rev
    back = open_store(tmp_path / "back.db", create=True)
    copy(neo, back, atomic=True)
    assert back.dump() == lite.dump()
    st = status(neo)
    assert (
        st.counts == lite.counts() and st.schema_version == neo.schema_version() >= 2 and st.server["agent"]
    )
    assert st.missing_schema == []  # every constraint and index is listed by SHOW CONSTRAINTS / INDEXES


def test_cli_push_status_and_any_command_on_neo4j(bolt, neo, seeded_path):
    env = {**os.environ, **bolt.env(), "OFAI_GRAPH_DB": str(seeded_path)}

    def run(*args):
        return cli(env, *args)

    r = run("neo4j", "push", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["report"]["sections"]["interactions"]["added"] == 36
    r = run("--json", "neo4j", "status")
    assert r.returncode == 0 and json.loads(r.stdout)["counts"]["interactions"] == 36
    # Six routes: APC Colombia's is the sixth since the seed audit of #13 (see test_paths).
    r = run("--backend", "neo4j", "--json", "connect", "Corea", "--k", "6", "--as-of", "2024-03-31")
    assert r.returncode == 0, r.stderr
    assert any("apc-colombia" in p["nodes"] for p in json.loads(r.stdout)["paths"])
    assert bolt.password not in r.stdout + r.stderr
    pulled = seeded_path.parent / "pulled.db"
    r = run("--db", str(pulled), "neo4j", "pull")
    assert r.returncode == 0, r.stderr
    with ofai_graph.open(pulled) as back, ofai_graph.open(seeded_path) as original:
        assert back.export("yaml") == original.export("yaml")


def test_the_library_opens_neo4j_from_an_address_arguments_or_the_environment(bolt, neo, monkeypatch):
    with ofai_graph.open(bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database) as ws:
        assert ws.store.backend == "neo4j" and bolt.password not in repr(ws) + ws.store.location
        assert ws.stats().counts["interactions"] == 0
    # Credentials and database in the address: taken out of it, never shown.
    host = bolt.uri.split("://", 1)[1]
    with ofai_graph.open(f"bolt://{bolt.user}:{bolt.password}@{host}/{bolt.database}") as ws:
        assert ws.store.location == f"{bolt.uri}/{bolt.database}" and bolt.password not in repr(ws)
    for name, value in bolt.env().items():
        monkeypatch.setenv(name, value)
    with ofai_graph.open(bolt.uri) as ws, ofai_graph.open(backend="neo4j") as ws2:
        assert ws.store.location == ws2.store.location == f"{bolt.uri}/{bolt.database}"
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password")
    with pytest.raises(StoreError, match="password") as err:
        ofai_graph.open(bolt.uri)
    assert "wrong-password" not in str(err.value)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"NEO4J_PASSWORD": "wrong-password"}, "password"),
        ({"NEO4J_URI": "bolt://127.0.0.1:1"}, "not reachable"),
        ({"NEO4J_DATABASE": "no_such_database"}, "no_such_database"),
    ],
)
def test_bad_connection_settings_give_a_clear_message(bolt, change, message):
    r = cli({**os.environ, **bolt.env(), **change}, "--backend", "neo4j", "stats")
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert bolt.password not in r.stderr and "wrong-password" not in r.stderr


def test_pushing_a_store_that_does_not_exist_is_an_error_not_an_empty_push(bolt, tmp_path):
    r = cli({**os.environ, **bolt.env(), "OFAI_GRAPH_DB": str(tmp_path / "typo.db")}, "neo4j", "push")
    assert r.returncode == 1 and "no embedded store" in r.stderr and not (tmp_path / "typo.db").exists()


def test_no_password_is_a_clear_error_not_a_prompt(bolt):
    env = {k: v for k, v in {**os.environ, **bolt.env()}.items() if k != "NEO4J_PASSWORD"}
    r = cli(env, "--backend", "neo4j", "stats")
    assert r.returncode == 1 and "NEO4J_PASSWORD" in r.stderr


# -- the server dies in the middle of a push ------------------------------------------------------


@pytest.mark.slow
def test_a_push_cut_by_a_crash_is_finished_by_the_next_push(tmp_path):
    import boltserver

    if os.environ.get("NEO4J_URI"):
        pytest.skip("kills the server: only against the suite's own ArcadeDB")
    lite = open_store(tmp_path / "office.db", create=True)
    Workspace(lite).import_data(generate(300, 4000, seed=9))
    server = boltserver.start(root=tmp_path / "server")
    try:
        target = server_store(server, max_retry_time=2.0)  # the server is not coming back
        seen: list[int] = []

        def progress(n: int) -> None:
            seen.append(n)
            if len(seen) == 2:  # two batches in: kill -9, as a crash or an OOM killer would
                server.kill()

        with pytest.raises(StoreError) as err:
            copy(lite, target, batch_size=500, progress=progress)
        assert server.uri in str(err.value)
        target.close()
    finally:
        server.stop()
    # The same files, the same ports: the server comes back with what it had committed.
    server = boltserver.restart(server)
    try:
        target = server_store(server)
        before = target.counts()
        assert before["interactions"] < lite.counts()["interactions"]
        copy(lite, target, batch_size=500)
        assert target.counts() == lite.counts()
        assert target.dump() == lite.dump()  # whole interactions, no duplicates
        assert same_pairs(target, lite)  # the cut push left none; the next one copied them all
        parts = target._read("MATCH (:Entity)-[p:PARTICIPATED]->(:Interaction) RETURN count(p)")[0][0]
        assert parts == sum(len(set(i.participants)) for i in lite.dump().interactions)
        target.close()
    finally:
        server.stop()


@pytest.mark.slow
def test_a_push_rides_over_a_server_restart_in_its_middle(tmp_path):
    """Writes are managed transactions: the driver retries a batch until the server is back."""
    import threading

    import boltserver

    if os.environ.get("NEO4J_URI"):
        pytest.skip("restarts the server: only against the suite's own ArcadeDB")
    lite = open_store(tmp_path / "office.db", create=True)
    Workspace(lite).import_data(generate(300, 4000, seed=9))
    servers = [boltserver.start(root=tmp_path / "server")]
    restarted = threading.Event()
    try:
        target = server_store(servers[0], max_retry_time=180.0)
        batches: list[int] = []

        def progress(n: int) -> None:
            batches.append(n)
            if len(batches) == 2:  # two batches in: the server goes down hard and comes back
                servers[0].kill()

                def come_back() -> None:
                    servers.append(boltserver.restart(servers[0]))
                    restarted.set()

                threading.Thread(target=come_back, daemon=True).start()

        from ofai_graph.sync import total_work

        records, pairs = total_work(lite, target)
        result = copy(lite, target, batch_size=500, progress=progress)
        assert restarted.is_set()  # the push outlived the server it started on
        # (the progress counts the records, then the strength pairs the push copies)
        assert result.records == records and sum(batches) == records + pairs and len(batches) > 2
        assert target.counts() == lite.counts()
        assert target.dump() == lite.dump()  # every record once, whole
        parts = target._read("MATCH (:Entity)-[p:PARTICIPATED]->(:Interaction) RETURN count(p)")[0][0]
        assert parts == sum(len(set(i.participants)) for i in lite.dump().interactions)
        target.close()
    finally:
        restarted.wait(timeout=300)
        for server in reversed(servers):
            server.stop()


def test_followups_of_a_partner_are_one_query_without_its_interaction_ids(seed_pair, monkeypatch):
    """The server walks the partner's interactions; no list of ids travels as a parameter."""
    lite, remote = seed_pair
    sent: list[tuple[str, dict]] = []
    read = remote.store._read

    def spy(query, params=None):
        sent.append((query, params or {}))
        return read(query, params)

    monkeypatch.setattr(remote.store, "_read", spy)
    found = remote.store.followups(involving="jica")
    assert len(sent) == 1 and not any(isinstance(v, list) for v in sent[0][1].values())
    assert [f.id for f in found] == [f.id for f in lite.store.followups(involving="jica")] != []


def test_followups_partner_sends_none_of_the_partners_interaction_ids(seed_pair, monkeypatch):
    """`followups --partner ofai` (the library call under the command): whatever the server is sent,
    none of the office's 36 interaction ids travels but those of the follow-ups it lists."""
    from ofai_graph.followups import list_followups

    lite, remote = seed_pair
    sent: list[Any] = []
    driver = remote.store._driver
    execute = driver.execute_query

    def spy(query, params=None, **options):
        sent.append(params or {})
        return execute(query, params, **options)

    monkeypatch.setattr(driver, "execute_query", spy)
    monkeypatch.setattr(remote.store, "_stream", lambda *a, **k: pytest.fail("streamed a whole label"))
    found = list_followups(remote.store, status=None, partner="ofai")
    expected = list_followups(lite.store, status=None, partner="ofai")
    assert [v.followup.id for v in found] == [v.followup.id for v in expected] != []
    theirs = {i.id for i in lite.store.interactions_of("ofai")} - {v.followup.interaction for v in found}
    assert len(theirs) > 20

    def values(x: Any) -> set[str]:
        if isinstance(x, dict):
            return set().union(*map(values, x.values())) if x else set()
        if isinstance(x, list | tuple):
            return set().union(*map(values, x)) if x else set()
        return {x} if isinstance(x, str) else set()

    assert sent and not values(sent) & theirs


def test_pushed_down_connect_on_a_sparse_network_equals_the_embedded_answer(neo):
    """Where the neighbourhood is a small part of the graph, Neo4j answers from it alone: same paths."""
    from test_paths import sparse_network

    data = sparse_network(4)
    remote = Workspace(neo)
    remote.import_data(data)
    asked: list = []
    original = neo.participations
    neo.participations = lambda around=None, axes=None: (asked.append(around), original(around, axes))[1]
    with ofai_graph.open(":memory:") as lite:
        lite.import_data(data)
        for target in ("o7", "o70", "o140", *sorted(lite.relationship_graph(AS_OF)["ofai"])):
            same(
                remote.connect(target, max_hops=4, as_of=AS_OF), lite.connect(target, max_hops=4, as_of=AS_OF)
            )
    local = [a for a in asked if a is not None]  # None: an unreachable target, named from the whole graph
    # With materialized pairs the reachable targets read no interactions at all (only pairs).
    assert all(len(a) < 151 for a in local)


def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(bolt, neo):
    """No NEO4J_PASSWORD: a hidden prompt on the terminal; the password never appears in the output."""
    import pty
    import select
    import time

    env = {k: v for k, v in {**os.environ, **bolt.env()}.items() if k != "NEO4J_PASSWORD"}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ofai_graph", "--backend", "neo4j", "--json", "stats"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"Password for" in seen:
                os.write(master, bolt.password.encode() + b"\n")
                answered = True
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    assert answered and proc.returncode == 0, seen.decode(errors="replace")[-2000:]
    assert b'"interactions"' in seen and bolt.password.encode() not in seen


def test_a_working_session_on_the_command_line_runs_unchanged_on_neo4j(bolt, tmp_path):
    """The commands an office runs in a week, each on --backend neo4j, each exit 0."""
    db = bolt.database_for("cli_session")
    env = {**os.environ, **bolt.env(), "NEO4J_DATABASE": db, "OFAI_GRAPH_BACKEND": "neo4j"}
    server_store(bolt, db).clear()

    def run(*args: str) -> str:
        r = cli(env, *args)
        assert r.returncode == 0, (args, r.stderr[-2000:])
        return r.stdout

    run("init", "--seed")
    assert json.loads(run("--json", "show", "imct"))["id"] == "imct"
    assert json.loads(run("--json", "search", "camara"))
    run(
        "add",
        "interaction",
        "--date",
        "2024-05-02",
        "--kind",
        "meeting",
        "--title",
        "Reunión con JICA",
        "--participant",
        "OFAI:organizer",
        "--participant",
        "JICA",
    )
    assert json.loads(run("--json", "stats"))["counts"]["interactions"] == 37
    open_ids = [f["followup"]["id"] for f in json.loads(run("--json", "followups", "--as-of", "2024-03-31"))]
    run("followups", "done", open_ids[0], "--note", "respondieron")
    assert open_ids[0] not in {f["followup"]["id"] for f in json.loads(run("--json", "followups"))}
    run("strength", "OFAI", "JICA", "--explain")
    run("dormant", "--days", "90", "--as-of", "2024-12-31")
    run("brokers", "--top", "3")
    run("map", "--path-to", "Korea", "--out", str(tmp_path / "m.html"))
    exported = run("export", "--format", "json")
    assert "Reunión con JICA" in exported and (tmp_path / "m.html").exists()


# -- a country's entities (schema v5: Located nodes, indexed by country) ---------------------------------


def located(neo) -> set[tuple[str, ...]]:
    """The Located nodes as (country, entity, type, kind, name, countries...)."""
    rows = neo._read("MATCH (n:Located) RETURN n.country, n.entity_id, n.type, n.kind, n.name, n.countries")
    return {(c, e, t, k, name, *cs) for c, e, t, k, name, cs in rows}


def expected_located(store) -> set[tuple[str, ...]]:
    return {(c, s.id, s.type, s.kind, s.name, *s.countries) for s in store.entity_summaries() for c in s.countries}


def by_country(store, country: str, kinds=None) -> list:
    return list(store.entity_summaries(country=country, kinds=kinds))


def test_a_countrys_entities_are_indexed_and_kept_by_every_write(bolt, neo):
    entities = {
        "organizations": [
            {"id": "ofai", "name": "OFAI", "kind": "home_office", "countries": ["CO"]},
            {"id": "kotra", "name": "KOTRA", "kind": "investment_agency", "countries": ["KR", "CO"]},
            {"id": "koica", "name": "KOICA", "kind": "bilateral_agency", "countries": ["KR"]},
            {"id": "jica", "name": "JICA", "kind": "bilateral_agency", "countries": ["JP"]},
            {"id": "nowhere", "name": "Nowhere", "kind": "other"},
        ],
        "people": [{"id": "kim", "name": "Kim", "countries": ["KR"], "affiliations": [{"organization": "kotra"}]}],
    }
    lite = ofai_graph.open(":memory:")
    for store in (lite.store, neo):
        ofai_graph.Workspace(store).import_data(entities)
        # changed countries, an entity merged into another (its nodes go)
        ofai_graph.Workspace(store).import_data(
            {"organizations": [{"id": "koica", "name": "KOICA", "kind": "bilateral_agency", "countries": ["JP"]}]}
        )
        ofai_graph.Workspace(store).merge("kotra", "koica")
    assert located(neo) == expected_located(lite.store) == expected_located(neo)
    for country in ("CO", "KR", "JP", "US"):
        assert by_country(neo, country) == by_country(lite.store, country)
        assert by_country(neo, country, ["investment_agency"]) == by_country(lite.store, country, ["investment_agency"])
    assert [s.id for s in by_country(neo, "KR")] == ["KR", "kim", "kotra"]  # (the country itself too)
    if "arcadedb" in neo.server_info()["agent"].lower():  # (Neo4j's plans read differently)
        plan = neo._driver.execute_query(
            "EXPLAIN MATCH (n:Located {country: 'KR'}) RETURN n.entity_id", database_=neo.database
        ).summary.plan
        assert "ofai_located_country" in str(plan) and "NodeByLabelScan" not in str(plan)
    neo.clear()
    assert located(neo) == set()
    lite.close()


def test_the_migration_to_v5_indexes_the_countries_of_a_pushed_database(bolt, neo, tmp_path):
    """A database pushed before (schema v4) gets its Located nodes when it is next opened."""
    lite = open_store(tmp_path / "office.db", create=True)
    Workspace(lite).import_data(generate(60, 300, seed=3))
    copy(lite, neo)
    want = expected_located(lite)
    assert want and located(neo) == want  # (a push writes them)
    neo._driver.execute_query("MATCH (n:Located) DELETE n", database_=neo.database)
    neo._driver.execute_query("MATCH (m:Meta {key: 'ofai'}) SET m.schema_version = 4", database_=neo.database)
    again = server_store(bolt, neo.database)
    assert again.schema_version() == 5
    assert located(again) == want
    countries = {c for c, *_ in want}
    assert all(by_country(again, c) == by_country(lite, c) for c in countries)
    assert status(again).missing_schema == []
    again.close()
    lite.close()


def test_a_push_reports_the_progress_of_its_pairs_too(neo, tmp_path):
    """The push's progress bar counts the strength pairs it copies after the records (about 40 % of
    a million's push), not only the records."""
    from ofai_graph.materialize import ops
    from ofai_graph.sync import total_work

    lite = open_store(tmp_path / "office.db", create=True)
    Workspace(lite).import_data(generate(40, 200, seed=4))
    records, pairs = total_work(lite, neo)
    assert pairs == len(ops(lite).pairs()) > 0
    seen: list[int] = []
    copy(lite, neo, batch_size=100, progress=seen.append)
    assert sum(seen) == records + pairs and len(seen) > 1
    assert total_work(lite, neo) == (records, 0)  # (the target has its pairs now: none to copy)
    lite.close()
