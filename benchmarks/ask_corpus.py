"""How many questions of a corpus `ask` understands: action and subject, on the seed data.

    python benchmarks/ask_corpus.py [CORPUS.yaml ...]

Each corpus file is a YAML list of ``{q, action, subject}`` (see tests/data/ask_corpus.yaml; subject is
an entity id, a country code, an organization kind code, a tag or null). Prints every miss with what
was understood and the accuracy per file. Use it to check new phrasings before adding them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

import ofai_graph
from ofai_graph.ask import NotUnderstood, parse
from ofai_graph.seeds import seed_files

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or [ROOT / "tests" / "data" / "ask_corpus.yaml"]
    with tempfile.TemporaryDirectory() as tmp, ofai_graph.open(Path(tmp) / "seed.db", create=True) as ws:
        ws.import_files(seed_files())
        names = ws._question_names()
        for file in files:
            corpus = yaml.safe_load(file.read_text(encoding="utf-8"))
            right = 0
            for case in corpus:
                try:
                    intent = parse(case["q"], names)
                    got = (intent.action, intent.subject)
                except NotUnderstood:
                    got = ("(not understood)", None)
                if got == (case["action"], case["subject"]):
                    right += 1
                else:
                    print(f"  {case['q']!r}: {got} instead of {(case['action'], case['subject'])}")
            print(f"{file.name}: {right}/{len(corpus)} understood ({right / len(corpus):.1%})")


if __name__ == "__main__":
    main()
