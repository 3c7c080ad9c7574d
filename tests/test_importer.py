"""Bad input gets a clear message and leaves the store exactly as it was."""

import json
import signal
import tracemalloc
from pathlib import Path

import pytest

from ofai_graph.errors import InvalidData
from ofai_graph.importer import import_files
from ofai_graph.interrupts import TEST_HOOK, Interrupted
from tests.conftest import OFFICE, write


def snapshot(store):
    return store.dump().model_dump_json()


@pytest.fixture
def office(store, tmp_path):
    import_files(store, [write(tmp_path, "office.yaml", OFFICE)])
    return store


def reject(store, path, *words):
    before = snapshot(store)
    with pytest.raises(InvalidData) as err:
        import_files(store, [path])
    message = str(err.value)
    for w in words:
        assert w in message, message
    assert "Nothing was written" in message
    assert snapshot(store) == before
    return message


def test_malformed_yaml_names_file_and_line(office, tmp_path):
    p = write(tmp_path, "bad.yaml", "organizations:\n  - {id: x, name: [unclosed\n")
    reject(office, p, "bad.yaml:", "malformed YAML")


def test_wrong_type_names_record_line_and_field(office, tmp_path):
    p = write(
        tmp_path, "t.yaml", "organizations:\n  - id: x\n    name: X\n    kind: company\n    aliases: 7\n"
    )
    msg = reject(office, p, "t.yaml:2", "organizations[0] (id 'x')", "field 'aliases'")
    assert "list" in msg


def test_unknown_kind(office, tmp_path):
    p = write(tmp_path, "k.yaml", "organizations:\n  - {id: x, name: X, kind: spaceship}\n")
    reject(office, p, "field 'kind'", "'spaceship' is not an allowed value", "chamber of commerce")


def test_an_id_that_is_not_a_slug_is_explained(office, tmp_path):
    p = write(tmp_path, "s.yaml", "organizations:\n  - {id: Not A Slug, name: X, kind: company}\n")
    reject(office, p, "field 'id'", "'Not A Slug' is not a valid id", "apc-colombia")


def test_impossible_date(office, tmp_path):
    p = write(
        tmp_path,
        "d.yaml",
        """interactions:
  - id: m1
    date: 2024-13-01
    kind: meeting
    title: Reunión
    participants: [{entity: ofai}]
""",
    )
    reject(office, p, "d.yaml:2", "field 'date'", "month 13")


def test_one_bad_record_among_good_ones_writes_none_of_them(office, tmp_path):
    p = write(
        tmp_path,
        "mix.yaml",
        """organizations:
  - {id: good-one, name: Good, kind: company}
  - {id: bad-one, name: Bad, kind: nonsense}
""",
    )
    reject(office, p, "organizations[1]")
    assert office.get_entities(["good-one"]) == {}


def test_duplicate_ids_with_conflicting_content(office, tmp_path):
    a = write(tmp_path, "a.yaml", "organizations:\n  - {id: dup, name: One, kind: company}\n")
    b = write(tmp_path, "b.yaml", "organizations:\n  - {id: dup, name: Two, kind: company}\n")
    before = snapshot(office)
    with pytest.raises(InvalidData, match="used twice with different content"):
        import_files(office, [a, b])
    assert snapshot(office) == before


def test_identical_duplicates_are_harmless(office, tmp_path):
    a = write(tmp_path, "a.yaml", "organizations:\n  - {id: same, name: One, kind: company}\n")
    report = import_files(office, [a, a])
    assert report.total("added") == 1


def test_unknown_participant_lists_the_closest_entities(office, tmp_path):
    p = write(
        tmp_path,
        "u.yaml",
        """interactions:
  - id: m1
    date: 2024-Q1
    kind: meeting
    title: Reunión
    participants: [{entity: ofai}, {entity: Organizacion Internacional Migraciones Mundial}]
""",
    )
    reject(office, p, "u.yaml:2: interactions[0]", "participants.1.entity", "did you mean")
    q = write(
        tmp_path, "v.yaml", p.read_text().replace("Organizacion Internacional Migraciones Mundial", "zzqqxx")
    )
    reject(office, q, "'zzqqxx' is neither an id nor a known name or alias")


def test_participants_may_be_named_by_alias_and_are_stored_by_id(office, tmp_path):
    p = write(
        tmp_path,
        "ok.yaml",
        """interactions:
  - id: m1
    date: 2024-Q1
    kind: meeting
    title: Reunión
    participants: [{entity: OFAI, role: organizer}, {entity: IOM, role: offerer}, {entity: Corea, role: funder}]
""",
    )
    import_files(office, [p])
    i = office.get_interactions(["m1"])["m1"]
    assert [pp.entity for pp in i.participants] == ["ofai", "oim", "KR"]
    assert office.get_entities(["KR"])["KR"].name == "Corea del Sur"


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("empty.yaml", "", ["file is empty"]),
        ("blank.yaml", "   \n\n", ["file is empty"]),
        ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00", ["binary file"]),
        ("latin1.yaml", "organizations:\n  - {id: x, name: C\xe1mara}\n".encode("latin-1"), ["not UTF-8"]),
        ("list.yaml", "- a\n- b\n", ["top level must be a mapping"]),
        ("sections.yaml", "organisations: []\n", ["unknown section 'organisations'"]),
        ("notes.txt", "hello", ["unknown file type"]),
    ],
)
def test_files_that_are_not_data_are_refused(office, tmp_path, name, body, words):
    reject(office, write(tmp_path, name, body), *words)


def test_a_50_mb_file_is_refused_before_it_is_read(office, tmp_path):
    p = tmp_path / "huge.json"
    with p.open("wb") as fh:
        fh.write(b'{"organizations": [' + b" " * (50 * 1024 * 1024) + b"]}")
    reject(office, p, "50.0 MB, more than the 32 MB limit")


def test_json_and_csv_are_imported_too(office, tmp_path):
    j = write(
        tmp_path,
        "x.json",
        json.dumps({"organizations": [{"id": "jica", "name": "JICA", "kind": "bilateral_agency"}]}),
    )
    c = write(
        tmp_path,
        "meetings.csv",
        "id,date,kind,title,participants,tags\n"
        "m9,2024-03,meeting,Reunión con JICA,OFAI:organizer; jica:participant,japón;voluntarios\n",
    )
    import_files(office, [j, c])
    i = office.get_interactions(["m9"])["m9"]
    assert str(i.date) == "2024-03" and i.tags == ["japón", "voluntarios"]
    assert {p.entity for p in i.participants} == {"ofai", "jica"}


def test_csv_errors_name_the_line(office, tmp_path):
    c = write(
        tmp_path,
        "m.csv",
        "id,date,kind,title,participants\nm1,2024-01,meeting,ok,ofai\nm2,2024-99,meeting,bad,ofai\n",
    )
    reject(office, c, "m.csv:3", "interactions[1] (id 'm2')", "field 'date'")


def test_importing_the_same_file_twice_changes_nothing(office, tmp_path):
    before = snapshot(office)
    report = import_files(office, [write(tmp_path, "office.yaml", OFFICE)])
    assert not report.changed and report.total("unchanged") == 3
    assert snapshot(office) == before


def test_changed_content_updates_in_place(office, tmp_path):
    p = write(tmp_path, "u.yaml", OFFICE.replace("aliases: [OIM, IOM]", "aliases: [OIM, IOM, UN Migration]"))
    report = import_files(office, [p])
    assert report.total("updated") == 1
    assert office.find_by_key("un migration") == ["oim"]


def test_the_same_partner_named_twice_in_one_role_is_one_participant(office, tmp_path):
    p = write(
        tmp_path,
        "twice.yaml",
        """interactions:
  - id: m2
    date: 2024-Q1
    kind: meeting
    title: Reunión
    participants: [{entity: OIM, role: offerer}, {entity: IOM, role: offerer}, {entity: ofai}]
""",
    )
    import_files(office, [p])
    assert [(x.entity, x.role.value) for x in office.get_interactions(["m2"])["m2"].participants] == [
        ("oim", "offerer"),
        ("ofai", "participant"),
    ]


# -- hostile files (reliability issue): each found a defect; see tests/data/ ------------------------

DATA = Path(__file__).parent / "data"


def test_an_alias_bomb_fails_at_the_first_alias_in_bounded_memory(office):
    tracemalloc.start()
    try:
        msg = reject(office, DATA / "bomb_id.yaml", "bomb_id.yaml:3", "aliases (*a) are not allowed")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20 and len(msg) < 300


@pytest.mark.parametrize(
    "body",
    [
        "organizations:\n  - &o {id: a, name: A, kind: other}\n  - *o\n",
        "x: &n Nombre\norganizations:\n  - {id: a, name: *n, kind: other}\n",
        "base: &b {kind: other}\norganizations:\n  - {<<: *b, id: a, name: A}\n",
    ],
)
def test_aliases_are_refused_wherever_they_appear(office, tmp_path, body):
    reject(office, write(tmp_path, "a.yaml", body), "aliases", "not allowed")


def test_a_huge_value_is_quoted_capped_in_a_message(office, tmp_path):
    big = "X" * 1_000_000
    p = write(tmp_path, "big.yaml", f"organizations:\n  - {{id: {big}, name: A, kind: other}}\n")
    msg = reject(office, p, "is not a valid id", "…")
    assert len(msg) < 1000


@pytest.mark.parametrize(
    ("name", "body", "key"),
    [
        ("d.yaml", "organizations:\n  - {id: a, name: A, name: B, kind: other}\n", "'name'"),
        (
            "d2.yaml",
            "organizations: []\norganizations:\n  - {id: a, name: A, kind: other}\n",
            "'organizations'",
        ),
        (
            "d.json",
            '{"organizations": [{"id": "a", "name": "A", "kind": "other", "kind": "city"}]}',
            "'kind'",
        ),
    ],
)
def test_a_key_written_twice_is_refused_by_name(office, tmp_path, name, body, key):
    reject(office, write(tmp_path, name, body), key, "twice")


def test_a_csv_column_written_twice_is_refused_by_name(office):
    reject(office, DATA / "dup_header.csv", "dup_header.csv:1", "columns appear twice: 'title'")


CSV_HEAD = "id,date,kind,title,summary,participants"


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_csv_with_any_line_ending_imports_rows_and_multiline_cells(office, tmp_path, newline):
    rows = [
        CSV_HEAD,
        'cr-1,2024-01-01,meeting,Uno,"línea 1' + newline + 'línea 2",ofai:organizer',
        "cr-2,2024-01-02,meeting,Dos,,ofai:organizer",
    ]
    p = tmp_path / "rows.csv"
    p.write_bytes(newline.join(rows).encode())
    assert import_files(office, [p]).total("added") == 2
    got = office.get_interactions(["cr-1", "cr-2"])
    assert got["cr-1"].summary == "línea 1\nlínea 2" and got["cr-2"].title == "Dos"


def test_excel_for_mac_csv_imports(office):
    assert import_files(office, [DATA / "cr_only.csv"]).total("added") == 1
    assert office.get_interactions(["cr-1"])["cr-1"].title == "CR title"


def test_an_overlong_csv_cell_is_a_clean_error_with_its_line(office, tmp_path):
    p = write(
        tmp_path,
        "long.csv",
        f"{CSV_HEAD}\nok,2024-01-01,meeting,T,,ofai\nx,2024-01-01,meeting,{'a' * 200_000},,ofai\n",
    )
    reject(office, p, "long.csv:3", "longer than 131,072 characters")
    q = write(tmp_path, "quote.csv", f'{CSV_HEAD}\nx,2024-01-01,meeting,"unclosed,,ofai\n' + "y\n" * 70_000)
    reject(office, q, "quote.csv:2", "unclosed quote")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("deep.json", '{"organizations": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("deep.yaml", "organizations: " + "[" * 5_000 + "]" * 5_000 + "\n"),
        (
            "deep2.yaml",
            "organizations:\n  - {id: a, name: A, kind: other, note: "
            + "{a: " * 3_000
            + "1"
            + "}" * 3_000
            + "}\n",
        ),
    ],
)
def test_deep_nesting_is_a_clean_error(office, tmp_path, name, body):
    reject(office, write(tmp_path, name, body), name)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("n.json", '{"organizations": [{"id": "a", "name": ' + "9" * 5_000 + ', "kind": "other"}]}'),
        ("n.yaml", "organizations:\n  - {id: a, name: " + "9" * 5_000 + ", kind: other}\n"),
    ],
)
def test_a_5000_digit_number_is_a_clean_error(office, tmp_path, name, body):
    msg = reject(office, write(tmp_path, name, body), name)
    assert len(msg) < 600


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_named_as_such(office, tmp_path, encoding):
    body = "organizations:\n  - {id: a, name: Cámara, kind: other}\n".encode(encoding)
    reject(office, write(tmp_path, "u16.yaml", body), "not UTF-8 (looks like UTF-16)")


def test_control_characters_are_refused_and_named(office, tmp_path):
    reject(office, DATA / "ctrl.yaml", "ctrl.yaml:2", "field 'name'", "U+0007")
    for char in ("\x00", "\x1b", "\x0c", "\x9b", "\t"):
        body = {"organizations": [{"id": "c", "name": f"a{char}b", "kind": "other"}]}
        reject(office, write(tmp_path, "c.json", json.dumps(body)), f"U+{ord(char):04X}")
    long_ = {"organizations": [{"id": "c", "name": "C", "kind": "other", "note": "uno\tdos\ntres"}]}
    import_files(office, [write(tmp_path, "ok.json", json.dumps(long_))])
    assert office.get_entities(["c"])["c"].note == "uno\tdos\ntres"


def test_one_country_written_four_ways_is_one_country(office):
    import_files(office, [DATA / "countries_dupe.yaml"])
    assert office.get_entities(["t1"])["t1"].countries == ["KR"]


def test_references_in_files_resolve_exactly_never_to_a_near_name(seeded):
    store = seeded.store
    before = snapshot(store)
    with pytest.raises(InvalidData) as err:
        import_files(store, [DATA / "fuzzy_reference.csv"])
    msg = str(err.value)
    assert "'Cámara de Comercio de Pamplona' is neither an id nor a known name" in msg
    assert "'Secretaría de Salud de Santander' is neither" in msg
    assert "did you mean Cámara de Comercio e Industria de Panamá (camara-comercio-panama)" in msg
    assert snapshot(store) == before
    # Asking for close matches does not make these two close enough.
    with pytest.raises(InvalidData):
        import_files(store, [DATA / "fuzzy_reference.csv"], match=True)


def test_exact_references_ignore_case_accents_and_punctuation(office, tmp_path):
    p = write(
        tmp_path,
        "e.csv",
        f"{CSV_HEAD}\nm,2024-01-01,meeting,T,,"
        "oficina de asuntos INTERNACIONALES:organizer; organizacion internacional para las migraciones; iom\n",
    )
    import_files(office, [p])
    assert office.get_interactions(["m"])["m"].entity_ids == ["ofai", "oim"]


def test_close_names_are_taken_only_when_asked(office, tmp_path):
    p = write(
        tmp_path, "m.csv", f"{CSV_HEAD}\nm,2024-01-01,meeting,T,,Instituto Municipal de Cultura y Turism\n"
    )
    reject(office, p, "did you mean Instituto Municipal de Cultura y Turismo (imct)")
    import_files(office, [p], match=True)
    assert office.get_interactions(["m"])["m"].entity_ids == ["imct"]


def test_a_tie_without_id_is_located_by_file_and_line(office, tmp_path):
    p = write(
        tmp_path,
        "t.yaml",
        "ties:\n  - {source: ofai, target: ofai, kind: member_of}\n  - {source: ofai, target: nadie-x, kind: member_of}\n",
    )
    msg = reject(office, p, "t.yaml:2: ties[0]", "t.yaml:3: ties[1]")
    assert "<data>" not in msg


def test_a_conflicting_repeat_is_pointed_at_with_the_first_one(office, tmp_path):
    p = write(
        tmp_path,
        "r.yaml",
        "organizations:\n  - {id: dup, name: One, kind: company}\n  - {id: other, name: O, kind: company}\n"
        "  - {id: dup, name: Two, kind: company}\n",
    )
    reject(
        office,
        p,
        "r.yaml:4: organizations[2] (id 'dup')",
        "used twice with different content (first at line 2)",
    )


def test_replace_false_refuses_to_overwrite_a_different_record(office):
    from ofai_graph.importer import import_data

    org = {"organizations": [{"id": "oim", "name": "Otra cosa", "kind": "company"}]}
    before = snapshot(office)
    with pytest.raises(InvalidData, match="a different organization with id 'oim' already exists"):
        import_data(office, org, replace=False)
    assert snapshot(office) == before
    same = office.get_entities(["oim"])["oim"].model_dump(mode="json", exclude_defaults=True)
    assert not import_data(office, {"organizations": [same]}, replace=False).changed
    assert import_data(office, org).total("updated") == 1  # files update in place, as before


def test_ctrl_c_before_the_last_write_rolls_back(office, tmp_path, monkeypatch):
    monkeypatch.setenv(TEST_HOOK, "write")
    before = snapshot(office)
    with pytest.raises(Interrupted) as err:
        import_files(office, [DATA / "cr_only.csv"])
    assert not err.value.committed and snapshot(office) == before


def test_ctrl_c_at_commit_is_held_off_and_reported_with_what_was_written(office, monkeypatch):
    monkeypatch.setenv(TEST_HOOK, "commit")
    with pytest.raises(Interrupted) as err:
        import_files(office, [DATA / "cr_only.csv"])
    assert err.value.committed and err.value.report.total("added") == 1
    assert "cr-1" in office.get_interactions(["cr-1"])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- a large import into an empty store: the worker process (importer._Worker) --------------------


def _rows(path):
    import sqlite3

    db = sqlite3.connect(path)
    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}"))) for t in tables}
    out["schema"] = sorted(map(repr, db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")))
    db.close()
    return out


def _both(tmp_path, monkeypatch, data_of, *, chunk=100):
    """Import ``data_of()`` into a new store file without the worker and with it: (outcome, rows)
    of each, and how many times the worker ran."""
    from ofai_graph import importer
    from ofai_graph.store import open_store

    monkeypatch.setattr(importer, "CHUNK", chunk)
    runs = []
    run = importer._Worker.run

    def counted(self, *args):
        runs.append(1)
        return run(self, *args)

    monkeypatch.setattr(importer._Worker, "run", counted)
    out = []
    for worker in (False, True):
        monkeypatch.setattr(importer, "WORKER", worker)
        path = tmp_path / f"worker-{worker}.db"
        store = open_store(path, create=True)
        try:
            outcome = importer.import_data(store, data_of()).sections
        except (InvalidData, Interrupted, RuntimeError) as exc:
            outcome = (type(exc).__name__, str(exc))
        store.close()
        out.append((outcome, _rows(path)))
    return out[0], out[1], len(runs)


def _generated(n_entities=150, n_interactions=1_500):
    from ofai_graph.generate import generate

    data = generate(n_entities, n_interactions, seed=3)
    # References by name and by a country's name, resolved in later chunks too.
    names = {o["id"]: o["name"] for o in data["organizations"]}
    for k, it in enumerate(data["interactions"]):
        if k % 97 == 5:
            p = it["participants"][-1]
            entity = p["entity"] if isinstance(p, dict) else p[0]
            if entity in names:
                it["participants"][-1] = {**p, "entity": names[entity]} if isinstance(p, dict) else [names[entity], *p[1:]]
        if k % 211 == 7:
            it["participants"].append({"entity": "Corea del Sur", "role": "invitee"})
    return data


def test_the_worker_writes_row_for_row_what_one_process_writes(tmp_path, monkeypatch):
    alone, worker, runs = _both(tmp_path, monkeypatch, _generated)
    assert runs == 1
    assert not isinstance(alone[0], tuple), alone[0]
    assert worker[0] == alone[0]  # the report
    assert worker[1] == alone[1]  # every table, row for row, and the schema
    assert any("'KR'" in row for row in alone[1]["entities"])


def test_the_worker_finds_the_same_problems_and_nothing_is_written(tmp_path, monkeypatch):
    def bad():
        data = _generated()
        its = data["interactions"]
        its[450]["date"] = "2024-13-45"  # a bad value in the fifth chunk
        its[720]["participants"][0] = {"entity": "Nadie Conocido", "role": "invitee"}
        its.append({**its[30], "title": "Otra"})  # an id used twice with different content
        its.append(dict(its[31]))  # an exact repeat: dropped
        data["followups"] = [*data["followups"], {"id": "f-x", "interaction": "i-nada", "status": "pending"}]
        return data

    alone, worker, runs = _both(tmp_path, monkeypatch, bad)
    assert runs == 1
    assert alone[0][0] == "InvalidData"
    assert "Nothing was written" in alone[0][1] and "i-30" in alone[0][1] and "Nadie Conocido" in alone[0][1]
    assert worker[0] == alone[0]  # the same message: the same problems, files, records and fields, in order
    assert worker[1] == alone[1]
    assert all(not rows for table, rows in worker[1].items() if table in ("interactions", "entities"))


def test_ctrl_c_while_the_worker_runs_rolls_back(tmp_path, monkeypatch):
    monkeypatch.setenv(TEST_HOOK, "write")
    alone, worker, runs = _both(tmp_path, monkeypatch, _generated)
    assert runs == 1
    assert worker[0][0] == alone[0][0] == "Interrupted"
    assert worker[1] == alone[1]
    assert not worker[1]["interactions"]


def test_a_failure_in_the_worker_is_raised_and_nothing_is_written(tmp_path, monkeypatch):
    import os

    from ofai_graph import importer

    writer = os.getpid()
    dedupe = importer._dedupe
    calls = []

    def failing(*args, **kwargs):
        if os.getpid() != writer:
            calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("falla a propósito en el proceso auxiliar")
        return dedupe(*args, **kwargs)

    monkeypatch.setattr(importer, "_dedupe", failing)
    _alone, worker, runs = _both(tmp_path, monkeypatch, _generated)
    assert runs == 1
    assert worker[0] == ("RuntimeError", "falla a propósito en el proceso auxiliar")
    assert not worker[1]["interactions"] and not worker[1]["entities"]


def test_a_failure_in_the_writer_stops_the_worker(tmp_path, monkeypatch):
    import sqlite3

    from ofai_graph.store.sqlite import SQLiteStore

    write = SQLiteStore.write_prepared
    calls = []

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return write(self, *args)

    monkeypatch.setattr(SQLiteStore, "write_prepared", failing)
    with pytest.raises(Exception, match="disk I/O error"):
        _both(tmp_path, monkeypatch, _generated)
    assert not _rows(tmp_path / "worker-True.db")["interactions"]
