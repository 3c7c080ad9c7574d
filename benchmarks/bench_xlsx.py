"""Excel import benchmark: an ``Interacciones`` sheet of 50,000 rows, imported all-or-nothing.

    python benchmarks/bench_xlsx.py [--entities 2000] [--interactions 50000]

Builds a workbook the way ``export --format xlsx`` writes it (every sheet filled: organizations,
people, interactions, their participants, follow-ups, ties) from the deterministic generator, then
imports it into an empty store in a fresh process, so that the peak RSS is the import's own.
Target (issue #14): ≤ 30 s and ≤ 1 GB. Also checks that the import gives back the same data.
Wall seconds are given with CPU seconds and the seconds the process waited for a CPU (the run
queue, from /proc/self/task/*/schedstat): on a shared machine wall ≈ CPU + that wait.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import measure  # noqa: E402  (benchmarks/measure.py, beside this script)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(n_ent: int, n_int: int, workdir: Path) -> dict:
    import ofai_graph
    from ofai_graph.generate import generate

    ws = ofai_graph.open(workdir / "source.db", create=True)
    ws.import_data(generate(n_ent, n_int, seed=42))
    t, c, q = time.perf_counter(), measure.cpu(), measure.waited()
    ws.export_to("xlsx", workdir / "bench.xlsx")
    seconds, cpu, waited = time.perf_counter() - t, measure.cpu() - c, measure.waited() - q
    (workdir / "source.json").write_text(ws.export("json"), encoding="utf-8")
    counts = ws.store.counts()
    ws.close()
    return {"export_seconds": seconds, "export_cpu": cpu, "export_waited": waited, "counts": counts,
            "xlsx_mb": (workdir / "bench.xlsx").stat().st_size / 2**20}  # fmt: skip


def run_import(workdir: Path) -> dict:
    import ofai_graph
    from ofai_graph.spreadsheet import import_workbook

    ws = ofai_graph.open(workdir / "target.db", create=True)
    base = _peak_mb()
    t, c, q = time.perf_counter(), measure.cpu(), measure.waited()
    import_workbook(ws.store, workdir / "bench.xlsx")
    seconds, cpu, waited = time.perf_counter() - t, measure.cpu() - c, measure.waited() - q
    peak = _peak_mb()
    same = ws.export("json") == (workdir / "source.json").read_text(encoding="utf-8")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "waited": waited,
        "peak_mb": peak,
        "start_mb": base,
        "identical": same,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=2000)
    ap.add_argument("--interactions", type=int, default=50_000)
    ap.add_argument("--mode", choices=["build", "import"], help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode == "import":
        print(json.dumps(run_import(Path(args.dir))))
        return
    if args.mode == "build":
        print(json.dumps(build(args.entities, args.interactions, Path(args.dir))))
        return

    def child(*extra: str) -> dict:
        # Each step in a process of its own: the import's peak RSS is its own, not the builder's.
        out = subprocess.run([sys.executable, __file__, *extra], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        info = child("--mode", "build", "--dir", tmp, "--entities", str(args.entities),
                     "--interactions", str(args.interactions))  # fmt: skip
        print(
            f"workbook: {info['counts']['interactions']:,} interactions, {info['counts']['organization']:,} "
            f"organizations, {info['counts']['person']:,} people; {info['xlsx_mb']:.1f} MB; "
            f"written in {info['export_seconds']:.1f} s wall, {info['export_cpu']:.1f} s CPU "
            f"({info['export_waited']:.1f} s waiting for a CPU)"
        )
        r = child("--mode", "import", "--dir", str(workdir))
        verdict = "OK" if r["seconds"] <= 30 and r["peak_mb"] <= 1024 else "OVER TARGET"
        print(
            f"import: {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['waited']:.1f} s waiting for a CPU, "
            f"peak RSS {r['peak_mb']:.0f} MB "
            f"(process start {r['start_mb']:.0f} MB); "
            f"identical data: {r['identical']}; target ≤ 30 s and ≤ 1024 MB: {verdict}"
        )


if __name__ == "__main__":
    main()
