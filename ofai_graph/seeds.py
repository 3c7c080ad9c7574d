"""The bundled seed data: the office's Q1-2024 report, transcribed in the repository's ``seeds/``.

A built wheel carries those files inside the package (``ofai_graph/seed_data``, mapped from ``seeds/``
in pyproject.toml), so ``ofai-graph init --seed`` works wherever the package is installed.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import N_, OfaiError


def seed_dir() -> Path:
    """``$OFAI_GRAPH_SEEDS``, else the seed data installed with the package, else a checkout's ``seeds/``."""
    env = os.environ.get("OFAI_GRAPH_SEEDS")
    if env:
        path = Path(env)
        if not path.is_dir():
            raise OfaiError(N_("seed folder {path} (from OFAI_GRAPH_SEEDS) not found"), path=path)
        return path
    packaged = resources.files("ofai_graph").joinpath("seed_data")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    # A source checkout (plain or editable install): the folder beside the package.
    checkout = Path(__file__).resolve().parent.parent / "seeds"
    if checkout.is_dir():
        return checkout
    raise OfaiError(
        N_(
            "the seed data is missing from this installation ({path}); reinstall ofai-graph, "
            "or set OFAI_GRAPH_SEEDS to a folder of seed files"
        ),
        path=packaged,
    )


def seed_files() -> list[Path]:
    """The seed files in import order (entities first, so that reports can reference them)."""
    folder = seed_dir()
    files = sorted(folder.glob("*.yaml"), key=lambda p: (p.name != "entities.yaml", p.name))
    if not files:
        raise OfaiError(N_("no seed files (*.yaml) in {path}"), path=folder)
    return files
