"""Streaming import benchmark: a JSON Lines file and a CSV file of 1,000,000 interactions.

    python benchmarks/bench_stream.py [--entities 100000] [--interactions 1000000] [--seed 42] [--keep DIR]

Generates the data set (ofai_graph.generate), writes it as
  jsonl   one file, a record a line (entities, interactions, follow-ups, ties);
  csv     entities.jsonl (the entities), interactions.csv, more.jsonl (follow-ups and ties);
and imports each into a fresh embedded store with the CLI (``sys.executable -m ofai_graph import``),
each import in its own process, measured from a wrapper process so that peak RSS
(``resource.getrusage(RUSAGE_CHILDREN)``: of the largest process) is the import's own; with the import's
worker process, both processes' proportional set size is sampled too (shared pages counted once). Files are far above the 32 MB limit
of whole-document formats: streamed formats have none. Targets (issue #15): ≤ 90 s and ≤ 1 GB each.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENTITY_SECTIONS = {"countries": "country", "organizations": "organization", "people": "person"}
TYPES = {**ENTITY_SECTIONS, "interactions": "interaction", "followups": "followup", "ties": "tie"}


def _line(section: str, record: dict) -> str:
    rec = dict(record)
    rec.pop("type", None)
    return json.dumps({"type": TYPES[section], **rec}, ensure_ascii=False) + "\n"


def write_files(data: dict, folder: Path) -> dict[str, list[Path]]:
    one = folder / "all.jsonl"
    with one.open("w", encoding="utf-8") as f:
        for section in TYPES:
            for record in data.get(section, []):
                f.write(_line(section, record))
    ents, inter, more = folder / "entities.jsonl", folder / "interactions.csv", folder / "more.jsonl"
    with ents.open("w", encoding="utf-8") as f:
        for section in ENTITY_SECTIONS:
            for record in data.get(section, []):
                f.write(_line(section, record))
    with more.open("w", encoding="utf-8") as f:
        for section in ("followups", "ties"):
            for record in data.get(section, []):
                f.write(_line(section, record))
    from ofai_graph.files import CSV_COLUMNS

    with inter.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for i in data["interactions"]:
            row = {k: v for k, v in i.items() if k in CSV_COLUMNS}
            row["participants"] = "; ".join(f"{p['entity']}:{p['role']}" for p in i["participants"])
            if "tags" in i:
                row["tags"] = "; ".join(i["tags"])
            if "source" in i:
                row["source_document"] = i["source"].get("document", "")
                row["source_section"] = i["source"].get("section", "")
            w.writerow(row)
    return {"jsonl": [one], "csv": [ents, inter, more]}


def measure(db: str, files: list[str]) -> dict:
    """Run one import in a child process; its wall time and peak RSS."""
    cmd = [sys.executable, "-m", "ofai_graph", "--db", db, "--json", "import", *files]
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    waited = 0.0
    pss, sampled = 0.0, 0.0
    reader = threading.Thread(target=lambda: setattr(child, "captured", child.communicate()), daemon=True)
    reader.start()
    while child.poll() is None:  # the time it was ready to run but waited for a CPU, while it lives
        try:
            with open(f"/proc/{child.pid}/schedstat") as f:
                waited = int(f.read().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
        if time.perf_counter() - sampled >= 0.25:
            sampled = time.perf_counter()
            pss = max(pss, _pss_mb(child.pid))
        time.sleep(0.05)
    reader.join()
    seconds = time.perf_counter() - t
    stdout, stderr = child.captured  # type: ignore[attr-defined]
    out = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    if out.returncode:
        sys.exit(f"import failed ({out.returncode}):\n{out.stderr[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds too: on a machine shared with other work, wall time also counts the waiting.
    return {
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "waited_s": waited,
        "peak_mb": usage.ru_maxrss / 1024,
        "pss_mb": pss,
        "report": json.loads(out.stdout),
    }


def _pss_mb(pid: int) -> float:
    """The proportional set size of a process and its children (an import's worker process): pages
    they share counted once, which the peak RSS of each does not (sampled, so a lower bound)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = [pid, *map(int, f.read().split())]
    except OSError:
        return 0.0
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError):
            pass
    return total / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", type=Path, help="folder for the files and stores (default: a temporary one)")
    ap.add_argument(
        "--reuse", action="store_true", help="import the files already in --keep (written by an earlier run)"
    )
    ap.add_argument("--only", choices=["jsonl", "csv"], help="import one of the two formats only")
    ap.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1:])))
        return

    from ofai_graph.generate import generate
    from ofai_graph.store import open_store

    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    reuse = {"jsonl": [folder / "all.jsonl"], "csv": [folder / n for n in ("entities.jsonl", "interactions.csv", "more.jsonl")]}
    if args.reuse and all(p.exists() for ps in reuse.values() for p in ps):
        files = reuse
        with (folder / "all.jsonl").open(encoding="utf-8") as f:
            followups = sum('"type": "followup"' in line for line in f)
        expected = {"interactions": args.interactions, "followups": followups}
    else:
        data = generate(args.entities, args.interactions, seed=args.seed)
        files = write_files(data, folder)
        expected = {s: len(v) for s, v in data.items()}
        del data
    if args.only:
        files = {args.only: files[args.only]}
    sizes = {fmt: sum(p.stat().st_size for p in ps) / 2**20 for fmt, ps in files.items()}
    print(
        f"generated and written in {time.perf_counter() - t:.1f} s: "
        + ", ".join(f"{fmt} {mb:,.0f} MB" for fmt, mb in sizes.items()),
        flush=True,
    )

    results = {}
    for fmt, paths in files.items():
        db = folder / f"{fmt}.db"
        db.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "ofai_graph", "--db", str(db), "init"], check=True, capture_output=True
        )
        cmd = [sys.executable, __file__, "--measure", str(db), *map(str, paths)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        got = json.loads(out.stdout.strip().splitlines()[-1])
        store = open_store(db)
        counts = store.counts()
        store.close()
        same = (
            counts["interactions"] == expected["interactions"]
            and counts["followups"] == expected["followups"]
        )
        results[fmt] = got
        print(
            f"{fmt:5s} import {got['seconds']:6.1f} s ({got['cpu_s']:.1f} s CPU, {got['waited_s']:.1f} s waiting for a "
            f"CPU), peak RSS {got['peak_mb']:,.0f} MB (of the largest process; both processes' PSS, sampled: "
            f"{got['pss_mb']:,.0f} MB), "
            f"{counts['interactions']:,} interactions stored (all: {same}); files: "
            + " ".join(p.name for p in paths),
            flush=True,
        )
    print(
        "targets (issue #15): <= 90 s and <= 1024 MB each: "
        + ", ".join(
            f"{fmt} {'ok' if r['seconds'] <= 90 and max(r['peak_mb'], r['pss_mb']) <= 1024 else 'MISSED'}"
            for fmt, r in results.items()
        )
    )


if __name__ == "__main__":
    main()
