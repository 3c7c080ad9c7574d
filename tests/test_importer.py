"""Bad input gets a clear message and leaves the store exactly as it was."""

import json

import pytest

from ofai_graph.errors import InvalidData
from ofai_graph.importer import import_files
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
    reject(office, p, "field 'kind'", "home_office")


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
    reject(office, p, "u.yaml:2: interactions[0]", "participants.1.entity", "closest")
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
