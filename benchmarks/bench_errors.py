"""Error-path benchmark: how long rejecting a bad file takes (reliability issue, item 13).

    python benchmarks/bench_errors.py [--rows 20000] [--src PATH]

Cases, each a CSV of ``--rows`` interactions imported into a store holding the seed (the Q1-2024
report's entities):
  unknown-participant  every row names the same unknown participant (one problem per row);
  distinct-unknown     every row names a different unknown participant (a fuzzy scan each, for
                       suggestions, made this 100 s; now only the first 20 get suggestions);
  bad-date             every row has an impossible date;
  misspelled-words     every row misspells its kind and two roles (each answered with "did you mean");
  conflicting-ids      every row repeats one id with other content;
  conflicting-followups  the same with follow-ups (a JSON file), against a store of 2,000 follow-ups;
  missing-interaction  every follow-up names an interaction that does not exist.
Every case must be rejected (nothing written); the time is what a person waits for the message.
Locating each problem used to scan every record (importer._Origin.get): 20,000 rows naming one
unknown participant took 63 s. ``--src`` runs the same cases against another checkout (e.g. main).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OFFICE = """
organizations:
  - {id: ofai, name: Oficina de Asuntos Internacionales, kind: home_office, aliases: [OFAI]}
  - {id: oim, name: Organización Internacional para las Migraciones, kind: multilateral, aliases: [OIM]}
"""
HEAD = "id,date,kind,title,participants\n"


def cases(rows: int) -> dict[str, str]:
    import json

    followups = [{"id": "f", "description": f"Respuesta {i}", "owner": "ofai"} for i in range(rows)]
    return {
        "unknown-participant": HEAD
        + "".join(f"m{i},2024-01-01,meeting,Reunión {i},ofai:organizer; Nadie Conocido SA\n" for i in range(rows)),
        "distinct-unknown": HEAD
        + "".join(f"d{i},2024-01-01,meeting,Reunión {i},ofai:organizer; Empresa Desconocida {i}\n" for i in range(rows)),
        "bad-date": HEAD + "".join(f"m{i},2024-13-{i % 28 + 1},meeting,Reunión {i},ofai\n" for i in range(rows)),
        "misspelled-words": HEAD
        + "".join(f"t{i},2024-01-01,meetingg,Reunión {i},ofai:hostt; oim:organiser\n" for i in range(rows)),
        "conflicting-ids": HEAD + "".join(f"m,2024-01-01,meeting,Reunión {i},ofai\n" for i in range(rows)),
        "conflicting-followups.json": json.dumps({"followups": followups}),
        "missing-interaction.json": json.dumps(
            {
                "followups": [
                    {"id": f"g{i}", "description": "Respuesta", "owner": "ofai", "interaction": f"nada-{i}"}
                    for i in range(rows)
                ]
            }
        ),
    }


def _followups(tmp: Path, n: int) -> Path:
    import json

    path = tmp / "stored-followups.json"
    body = [{"id": f"stored-{i}", "description": f"Pendiente {i}", "owner": "ofai"} for i in range(n)]
    path.write_text(json.dumps({"followups": body}), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--src", type=Path, default=ROOT, help="checkout whose ofai_graph to measure")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))
    from ofai_graph.errors import InvalidData
    from ofai_graph.importer import import_files
    from ofai_graph.store import open_store

    try:
        from ofai_graph.seeds import seed_files
    except ImportError:  # an old checkout
        seed_files = None  # type: ignore[assignment]

    tmp = Path(tempfile.mkdtemp())
    (tmp / "office.yaml").write_text(OFFICE, encoding="utf-8")
    print(f"{'case':<28}{'rows':>8}{'problems':>10}{'seconds':>10}")
    for name, body in cases(args.rows).items():
        store = open_store(":memory:")
        import_files(store, list(seed_files()) if seed_files else [tmp / "office.yaml"])
        if name.startswith("conflicting-followups"):
            import_files(store, [_followups(tmp, 2_000)])
        path = tmp / (name if "." in name else f"{name}.csv")
        path.write_text(body, encoding="utf-8")
        t = time.perf_counter()
        try:
            import_files(store, [path])
        except InvalidData as exc:
            problems = len(exc.problems)
        else:
            raise SystemExit(f"{name}: the import was accepted")
        print(f"{name:<28}{args.rows:>8,}{problems:>10,}{time.perf_counter() - t:>10.2f}")


if __name__ == "__main__":
    main()
