"""Likely duplicates, and imports that match stored entities instead of creating them again."""

from __future__ import annotations

import pytest
from conftest import write

import ofai_graph
from ofai_graph.duplicates import acronym_of, find_duplicates
from ofai_graph.model import Organization, Person

EXTRA = [
    Organization(id="iom", name="International Organization for Migration (IOM)", kind="multilateral"),
    Organization(
        id="ccb-2", name="Camara de Comercio de Bucaramnga", kind="chamber_of_commerce", countries=["CO"]
    ),
    Organization(id="jica-2", name="JICA", kind="bilateral_agency"),
]


@pytest.fixture
def seed(seeded):
    """A private copy of the seed store (the session's file is shared by every test)."""
    w = ofai_graph.open(":memory:")
    w.import_data(seeded.dataset())
    yield w
    w.close()


@pytest.fixture
def doubled(seed):
    seed.add(*EXTRA)
    return seed


def pairs(found):
    return {frozenset((d.a, d.b)): d for d in found}


def test_finds_the_partners_entered_twice_with_reasons(doubled):
    found = pairs(doubled.duplicates())
    # Same alias (the seed has "IOM" as an alias of OIM), a typo with its acronym, an acronym.
    oim = found[frozenset(("iom", "oim"))]
    assert oim.score == 100 and "same name or alias" in oim.reasons[0]
    ccb = found[frozenset(("ccb-2", "camara-comercio-bucaramanga"))]
    assert ccb.score >= 85 and any("country" in r for r in ccb.reasons)
    assert frozenset(("jica", "jica-2")) in found


def test_similar_names_that_are_different_partners_are_not_reported(doubled):
    found = pairs(doubled.duplicates())
    for a, b in [
        ("secretaria-educacion", "secretaria-planeacion"),
        ("secretaria-hacienda", "secretaria-salud"),
        ("gobierno-china", "gobierno-corea"),
        ("imct", "imebu"),
        ("camara-comercio-bucaramanga", "camara-comercio-panama"),
    ]:
        assert frozenset((a, b)) not in found, (a, b)


def test_people_are_not_paired_with_organizations(ws):
    ws.add(
        Organization(id="maria-org", name="María López", kind="other"),
        Person(id="maria", name="María López"),
        Person(id="maria-2", name="Maria Lopez"),
    )
    found = pairs(find_duplicates(ws.store))
    assert set(found) == {frozenset(("maria", "maria-2"))}


def test_acronyms():
    assert acronym_of("Organización Internacional para las Migraciones") == "oim"
    assert acronym_of("Banco Interamericano de Desarrollo") == "bid"
    assert acronym_of("OIM") == ""


def test_json_ready_and_sorted(doubled):
    found = doubled.duplicates(min_score=50)
    scores = [d.score for d in found]
    assert scores == sorted(scores, reverse=True)
    assert all(d.a < d.b for d in found)


# -- --match on import ---------------------------------------------------------------------------

NEW = """
organizations:
  - {id: iom-colombia, name: IOM, kind: multilateral}
  - {id: camara-bga, name: Camara de Comercio de Bucaramnga, kind: chamber_of_commerce, countries: [CO]}
  - {id: nueva, name: Fundación Nueva, kind: civil_society}
interactions:
  - id: reunion-nueva
    date: 2024-05
    kind: meeting
    title: Reunión
    participants:
      - {entity: iom-colombia, role: offerer}
      - {entity: camara-bga}
      - {entity: nueva}
ties:
  - {source: nueva, target: iom-colombia, kind: partner_of}
"""


def test_import_match_uses_stored_entities_and_reports_each_match(tmp_path, seed):
    seeded = seed
    path = write(tmp_path, "nuevos.yaml", NEW)
    before = seeded.store.counts()["organization"]
    result = seeded.import_any([path], match=True)
    matched = {m.file_id: m.store_id for m in result.matches}
    assert matched == {"iom-colombia": "oim", "camara-bga": "camara-comercio-bucaramanga"}
    assert all(m.reasons and m.score >= 90 for m in result.matches)
    assert seeded.store.counts()["organization"] == before + 1  # only "nueva" is new
    meeting = seeded.store.get_interactions(["reunion-nueva"])["reunion-nueva"]
    assert {p.entity for p in meeting.participants} == {"oim", "camara-comercio-bucaramanga", "nueva"}
    assert [t.target for t in seeded.store.ties("nueva")] == ["oim"]


def test_without_match_the_same_file_creates_new_entities(tmp_path, ws):
    ws.import_data(
        {"organizations": [{"id": "oim", "name": "OIM", "kind": "multilateral", "aliases": ["IOM"]}]}
    )
    path = write(
        tmp_path, "n.yaml", "organizations:\n  - {id: iom-colombia, name: IOM Colombia, kind: multilateral}\n"
    )
    assert ws.import_any([path]).matches == []
    assert ws.store.counts()["organization"] == 2
