"""The bundled seed data: the office's Q1-2024 report, transcribed in ``seeds/``."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import OfaiError


def seed_dir() -> Path:
    """``$OFAI_GRAPH_SEEDS`` or the ``seeds/`` folder beside the package (a source checkout)."""
    env = os.environ.get("OFAI_GRAPH_SEEDS")
    path = Path(env) if env else Path(__file__).resolve().parent.parent / "seeds"
    if not path.is_dir():
        raise OfaiError(
            f"seed folder {path} not found; set OFAI_GRAPH_SEEDS to the repository's seeds/ folder"
        )
    return path


def seed_files() -> list[Path]:
    """The seed files in import order (entities first, so that reports can reference them)."""
    files = sorted(seed_dir().glob("*.yaml"), key=lambda p: (p.name != "entities.yaml", p.name))
    if not files:
        raise OfaiError(f"no seed files (*.yaml) in {seed_dir()}")
    return files
