"""Large files stream: JSON Lines and CSV import in bounded memory, all-or-nothing, errors with file:line."""

from __future__ import annotations

import gc
import json
import tracemalloc

import pytest

from ofai_graph import importer, materialize, seen
from ofai_graph.errors import InvalidData
from ofai_graph.generate import generate
from ofai_graph.importer import import_data, import_files
from ofai_graph.store import open_store
from ofai_graph.sync import copy
from tests.conftest import OFFICE, write

TYPES = {
    "countries": "country",
    "organizations": "organization",
    "people": "person",
    "interactions": "interaction",
    "followups": "followup",
    "ties": "tie",
}


def jsonl(data: dict, order=tuple(TYPES)) -> str:
    return "".join(
        json.dumps({"type": TYPES[s], **r}, ensure_ascii=False) + "\n" for s in order for r in data.get(s, [])
    )


def csv_of(interactions: list[dict]) -> str:
    lines = ["id,date,kind,title,participants"]
    for i in interactions:
        parts = "; ".join(f"{p['entity']}:{p['role']}" for p in i["participants"])
        lines.append(f'{i["id"]},{i["date"]},{i["kind"]},"{i["title"]}","{parts}"')
    return "\n".join(lines) + "\n"


def dumped(store) -> str:
    return store.dump().model_dump_json()


@pytest.fixture
def data():
    return generate(60, 400, seed=3)


def test_a_jsonl_file_in_any_order_imports_like_the_same_data_as_a_dict(data, tmp_path):
    # Interactions first, entities last, follow-ups before the interactions they name.
    order = ("followups", "interactions", "ties", "people", "organizations", "countries")
    path = write(tmp_path, "all.jsonl", '{"format": "ofai-graph/1"}\n\n' + jsonl(data, order))
    a, b = open_store(":memory:"), open_store(":memory:")
    import_files(a, [path])
    import_data(b, data)
    assert dumped(a) == dumped(b)
    assert a.counts()["interactions"] == 400
    assert import_files(a, [path]).changed == 0  # importing twice changes nothing


def test_an_export_as_json_lines_reimports_identically(data, tmp_path):
    from ofai_graph.files import dumps

    a, b = open_store(":memory:"), open_store(":memory:")
    import_data(a, data)
    path = write(tmp_path, "dump.jsonl", dumps(a.dump(), "jsonl"))
    import_files(b, [path])
    assert dumped(a) == dumped(b)


def test_a_json_lines_export_is_written_a_batch_at_a_time_and_reads_as_the_whole_dump(data, tmp_path, monkeypatch):
    """The export of a large store is never held whole: the file is written as the store is read, in
    batches, and comes out byte for byte the dump's text; a failure half-way leaves no file."""
    import ofai_graph
    from ofai_graph.files import dumps, write_atomic
    from ofai_graph.store.sqlite import SQLiteStore

    ws = ofai_graph.open(tmp_path / "s.db", create=True)
    ws.import_data(data)
    whole = dumps(ws.store.dump(), "jsonl")
    sizes: list[int] = []
    batches = SQLiteStore.iter_batches

    def small(self, size=5_000, *, by_date=False):  # (batches of 7 records: many pieces)
        for batch in batches(self, 7, by_date=by_date):
            sizes.append(sum(len(getattr(batch, s)) for s in ("countries", "organizations", "people", "interactions", "followups", "ties")))
            yield batch

    monkeypatch.setattr(SQLiteStore, "iter_batches", small)
    pieces = list(ws.export_pieces("jsonl"))
    assert "".join(pieces) == whole and len(pieces) == len(sizes) > 10 and max(sizes) <= 7
    out = tmp_path / "dump.jsonl"
    write_atomic(out, ws.export_pieces("jsonl"))
    assert out.read_text(encoding="utf-8") == whole

    def broken(error):
        yield whole[:100]
        raise error

    # The source's own error, not a failure to write the file (an OSError of the store is not "cannot
    # write half.jsonl"); either way no file and no temporary one.
    for error in (RuntimeError("the store went away"), OSError(5, "the store's disk failed")):
        with pytest.raises(type(error), match="store"):
            write_atomic(tmp_path / "half.jsonl", broken(error))
        assert not (tmp_path / "half.jsonl").exists() and not (tmp_path / "half.jsonl.tmp").exists()


def test_streamed_formats_have_no_size_limit_whole_documents_do(data, tmp_path):
    path = write(tmp_path, "all.jsonl", jsonl(data))
    store = open_store(":memory:")
    import_files(store, [path], max_bytes=1024)
    assert store.counts()["interactions"] == 400
    big = write(tmp_path, "all.json", json.dumps(data))
    with pytest.raises(InvalidData, match="--max-size"):
        import_files(store, [big], max_bytes=1024)


def test_csv_streams_with_entities_from_another_file(data, tmp_path):
    ents = write(tmp_path, "e.jsonl", jsonl(data, ("organizations", "people")))
    rows = write(tmp_path, "i.csv", csv_of(data["interactions"]))
    store = open_store(":memory:")
    import_files(store, [ents, rows], max_bytes=1024)
    assert store.counts()["interactions"] == 400


def reject(store, *paths, **kw) -> str:
    before = dumped(store)
    with pytest.raises(InvalidData) as err:
        import_files(store, list(paths), **kw)
    assert dumped(store) == before
    assert "Nothing was written" in str(err.value)
    return str(err.value)


def test_bad_lines_are_named_by_file_and_line_and_nothing_is_written(tmp_path):
    store = open_store(":memory:")
    import_files(store, [write(tmp_path, "office.yaml", OFFICE)])
    body = "\n".join(
        [
            '{"type": "organization", "id": "kotra", "name": "KOTRA", "kind": "company"}',
            '{"type": "interaction", "id": "i-1", "date": "2024-02", "kind": "meeting", "title": "T", '
            '"participants": [{"entity": "kotra", "role": "organizer"}]}',
            '{"type": "interaction", "id": "i-2", "date": "2024-02",',
            '{"id": "i-3"}',
            '{"type": "meeting", "id": "i-4"}',
            "[1, 2]",
            '{"type": "interaction", "id": "i-5", "date": "2024-13", "kind": "meeting", "title": "T", '
            '"participants": [{"entity": "nadie", "role": "organizer"}]}',
            '{"type": "followup", "id": "f-1", "description": "D", "interaction": "i-99"}',
            '{"type": "organization", "id": "x", "name": "X", "kind": "company", "name": "Y"}',
            b"\xff\xfe".decode("latin-1"),
        ]
    )
    msg = reject(
        store, write(tmp_path, "bad.jsonl", body.encode("utf-8").replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"))
    )
    for expected in (
        "bad.jsonl:3: malformed JSON",
        "bad.jsonl:4: a line needs a 'type'",
        "bad.jsonl:5: field 'type': unknown type 'meeting'",
        "bad.jsonl:6: a line must be one record",
        "bad.jsonl:7: interactions[1] (id 'i-5'): field 'participants.0.entity': 'nadie'",
        "bad.jsonl:7: interactions[1] (id 'i-5'): field 'date'",
        "bad.jsonl:8: followups[0] (id 'f-1'): field 'interaction': interaction 'i-99' does not exist",
        "bad.jsonl:9: key 'name' appears twice",
        "bad.jsonl:10: is not UTF-8",
    ):
        assert expected in msg, msg


def test_a_key_written_twice_anywhere_in_a_line_is_named_and_colons_in_texts_are_read(tmp_path):
    # Lines are read fast when their ':' and their objects' keys are as many; a key written twice, in
    # a participant or deeper, and a ':' inside a text take the long way, which names the key.
    store = open_store(":memory:")
    import_files(store, [write(tmp_path, "office.yaml", OFFICE)])
    head = '{"type": "interaction", "date": "2024-02", "kind": "meeting", '
    good = [
        head + '"id": "c-1", "title": "Reunión 10:30 \\\": x", "participants": [{"entity": "oim", "role": "host"}]}',
        head + '"id": "c-2", "title": "T", "participants": [{"entity": "ofai"}], "tags": ["a:b"]}',
    ]
    path = write(tmp_path, "good.jsonl", "\n".join(good) + "\n")
    assert import_files(store, [path]).total("added") == 2
    assert store.get_interactions(["c-1"])["c-1"].title == 'Reunión 10:30 ": x'
    bad = [
        head + '"id": "d-1", "title": "T", "participants": [{"entity": "oim", "role": "host", "role": "funder"}]}',
        head + '"id": "d-2", "title": "a:b", "participants": [{"entity": "oim", "entity": "ofai"}]}',
        head + '"id": "d-3", "title": "T", "participants": ["oim"], "source": {"document": "D", "x": [[{"k": 1, "k": 2}]]}}',
        head + '"id": "d-4", "title": "T", "participants": ["oim"]} {"x": 1}',
    ]
    msg = reject(store, write(tmp_path, "bad.jsonl", "\n".join(bad) + "\n"))
    for expected in (
        "bad.jsonl:1: key 'role' appears twice",
        "bad.jsonl:2: key 'entity' appears twice",
        "bad.jsonl:3: key 'k' appears twice",
        "bad.jsonl:4: malformed JSON: more text after the end of the document",
    ):
        assert expected in msg, msg


def test_csv_rows_after_blank_rows_and_multiline_cells_keep_their_cells_and_lines(tmp_path):
    store = open_store(":memory:")
    import_files(store, [write(tmp_path, "office.yaml", OFFICE)])
    rows = [
        "id,date,kind,title,summary,participants,tags",
        "r-1,2024-01-01,meeting,'=1+1,\"línea 1\r\nlínea 2\",oim:host; ofai,a; b",
        "",
        "r-2,2024-01-02,meeting,O'Brien,,oim",
        "r-3,2024-01-03,meeting,T,,oim,,extra",
        "r-4,2024-13,meeting,T,,oim",
    ]
    msg = reject(store, write(tmp_path, "rows.csv", "\r\n".join(rows) + "\r\n"))
    assert "rows.csv:6: interactions[2] (id 'r-3'): row has more cells than the header has columns" in msg, msg
    assert "rows.csv:7: interactions[3] (id 'r-4'): field 'date'" in msg, msg
    path = write(tmp_path, "ok.csv", "\r\n".join(rows[:4]) + "\r\n")
    assert import_files(store, [path]).total("added") == 2
    got = store.get_interactions(["r-1", "r-2"])
    assert got["r-1"].title == "=1+1" and got["r-1"].summary == "línea 1\nlínea 2"
    assert [p.entity for p in got["r-1"].participants] == ["oim", "ofai"] and got["r-1"].tags == ["a", "b"]
    assert got["r-2"].title == "O'Brien"


def test_a_bad_csv_row_is_named_by_line(data, tmp_path):
    store = open_store(":memory:")
    ents = write(tmp_path, "e.jsonl", jsonl(data, ("organizations", "people")))
    text = csv_of(data["interactions"][:50]).replace("i-30,", "i-30,2024-99-99-", 1).encode()
    msg = reject(store, ents, write(tmp_path, "i.csv", text))
    assert "i.csv:32: interactions[30] (id 'i-30'): field 'date'" in msg, msg
    bad_bytes = csv_of(data["interactions"][:50]).encode().replace(b"i-40,", b"i-40\xff,", 1)
    msg = reject(store, ents, write(tmp_path, "j.csv", bad_bytes))
    assert "j.csv:42: is not UTF-8" in msg, msg


def test_problems_are_capped_and_the_rest_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_PROBLEMS", 50)
    body = "".join(
        f'{{"type": "tie", "source": "a{i}", "target": "b", "kind": "partner"}}\n' for i in range(300)
    )
    store = open_store(":memory:")
    with pytest.raises(InvalidData) as err:
        import_files(store, [write(tmp_path, "t.jsonl", body)])
    assert len(err.value.problems) == 50
    total = len(err.value.problems) + err.value.more
    assert total >= 300  # each tie: two unknown ends (and the kind, if not a tie kind)
    assert f"... and {total - 20:,} more problems" in str(err.value)


@pytest.mark.parametrize("exact", [10**9, 5])
def test_an_id_repeated_across_chunks(tmp_path, monkeypatch, data, exact):
    """Repeats are found across chunks, also once the ids seen are only probably remembered."""
    monkeypatch.setattr(importer, "CHUNK", 50)
    monkeypatch.setattr(seen, "EXACT", exact)
    monkeypatch.setattr(seen, "BITS", 1 << 16)
    monkeypatch.setattr(seen.SeenIds.__init__, "__defaults__", (exact,))
    first = dict(data["interactions"][3])
    same = json.dumps({"type": "interaction", **first})
    other = json.dumps({"type": "interaction", **first, "title": "Otra"})
    base = jsonl(data)
    store = open_store(":memory:")
    import_files(store, [write(tmp_path, "ok.jsonl", base + same + "\n")])  # an exact repeat is dropped
    assert store.counts()["interactions"] == 400
    fresh = open_store(":memory:")
    msg = reject(fresh, write(tmp_path, "bad.jsonl", base + other + "\n"))
    line = base.count("\n") + 1
    assert f"bad.jsonl:{line}: interactions[400] (id 'i-3'): field 'id': id 'i-3' is used twice" in msg


def _peak(tmp_path, n: int) -> int:
    data = generate(60, n, seed=5)
    path = write(tmp_path, f"{n}.jsonl", jsonl(data))
    store = open_store(":memory:")
    gc.collect()  # (garbage left by earlier tests is not this import's: each measure starts clean)
    tracemalloc.start()
    import_files(store, [path])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert store.counts()["interactions"] == n
    return peak


@pytest.mark.parametrize("worker", [False, True])
def test_memory_does_not_grow_with_the_file(tmp_path, monkeypatch, worker):
    """Four times the records, about the same peak: nothing is kept per record (SQLite's own pages
    are not Python allocations). With the import's worker process, the writing process's peak
    (without it, the whole import's)."""
    monkeypatch.setattr(importer, "WORKER", worker)
    monkeypatch.setattr(importer, "CHUNK", 500)
    monkeypatch.setattr(seen, "BITS", 1 << 20)
    monkeypatch.setattr(seen.SeenIds.__init__, "__defaults__", (200,))
    monkeypatch.setattr(materialize, "SPILL_ROWS", 200)  # the strength sums, per pair and quarter
    small, large = _peak(tmp_path, 2_000), _peak(tmp_path, 8_000)
    assert large < 1.3 * small, (small, large)


def test_a_push_into_an_empty_database_and_into_a_filled_one(neo, data):
    """Sections empty when a push begins skip the look-ups; a filled database is upserted."""
    source = open_store(":memory:")
    import_data(source, data)
    first = copy(source, neo)
    assert first.report.total("added") == first.records
    assert copy(source, neo).report.changed == 0
    changed = {**data["interactions"][0], "title": "Cambiado"}
    import_data(source, {"interactions": [changed]})
    again = copy(source, neo)
    assert again.report.changed == 1
    assert neo.get_interactions(["i-0"])["i-0"].title == "Cambiado"
    assert neo.dump().model_dump_json() == source.dump().model_dump_json()


def test_lines_that_mention_an_entity_type_are_read_by_the_right_pass(tmp_path):
    # The first pass parses every line that mentions "person", "organization" or "country"; the
    # second skips the entities it took, but not an interaction whose text says "person".
    lines = [
        {"type": "organization", "id": "oim", "name": "OIM", "kind": "multilateral"},
        {"type": "person", "id": "ana", "name": "Ana"},
        {"type": "interaction", "id": "i1", "date": "2024-03", "kind": "meeting", "title": "person", "participants": [{"entity": "oim", "role": "participant"}]},
        {"type": "interaction", "id": "i2", "date": "2024-04", "kind": "meeting", "title": "organization", "participants": [{"entity": "ana", "role": "participant"}]},
    ]
    path = write(tmp_path, "mixed.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    store = open_store(":memory:")
    import_files(store, [path])
    assert sorted(store.get_entities(["oim", "ana"])) == ["ana", "oim"]
    assert sorted(store.get_interactions(["i1", "i2"])) == ["i1", "i2"]


def test_a_bad_entity_line_is_reported_once(tmp_path):
    good = {"type": "organization", "id": "oim", "name": "OIM", "kind": "multilateral"}
    bad = {"type": "person", "id": "ana"}  # no name
    text = json.dumps(good) + "\n" + json.dumps(bad) + "\n" + '{"type": "person", "id": \n'
    path = write(tmp_path, "bad.jsonl", text)
    with pytest.raises(InvalidData) as exc:
        import_files(open_store(":memory:"), [path])
    lines = sorted(p.line for p in exc.value.problems)
    assert lines == [2, 3]
