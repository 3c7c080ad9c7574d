"""The installed packages as a user gets them: a built wheel works on its own; every module imports alone."""

import os
import pkgutil
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

import ofai_graph
import ofai_graph_cli

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> list[str]:
    names = []
    for package in (ofai_graph, ofai_graph_cli):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name != "ofai_graph.__main__":  # running it is the entry point, tested in test_cli
                names.append(info.name)
    return names


MODULES = _modules()


def test_the_module_list_covers_the_cli_and_the_stores():
    assert {"ofai_graph_cli.main", "ofai_graph_cli.neo4j", "ofai_graph.store.neo4j"} <= set(MODULES)


@pytest.mark.slow
def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    """An import cycle shows up only when a module is the first one imported: try each of them first."""
    failures = {}
    batch = 2 * (os.cpu_count() or 1)  # a few at a time: the machine running the suite may be small
    for start in range(0, len(MODULES), batch):
        procs = {
            name: subprocess.Popen(
                [sys.executable, "-c", f"import {name}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in MODULES[start : start + batch]
        }
        for name, proc in procs.items():
            _, err = proc.communicate(timeout=120)
            if proc.returncode:
                failures[name] = err.strip().splitlines()[-1]
    assert failures == {}


@pytest.mark.parametrize("name", ["ofai_graph_cli.neo4j", "ofai_graph_cli.add"])
def test_cli_modules_do_not_import_main(name):
    code = f"import sys, {name}; print('ofai_graph_cli.main' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- the wheel --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project's wheel, built from a copy of the sources and installed into a fresh venv.

    Offline: the wheel is built with the test venv's setuptools (no build isolation) and installed
    without dependencies; the fresh venv sees the test venv's packages through a ``.pth`` line, which
    adds them to ``sys.path`` after its own site-packages (so ``ofai_graph`` comes from the wheel) and
    without running the editable install's import hook.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("ofai_graph", "cli", "seeds"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, src],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("ofai_graph-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "test-venv-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    return venv


def _outside(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFAI_GRAPH_", "PYTHON", "NEO4J_"))}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env={**env, "OFAI_GRAPH_LANG": "en"}, capture_output=True, text=True
    )


@pytest.mark.slow
def test_a_built_wheel_works_outside_the_source_tree(installed, tmp_path):
    python, ofai = installed / "bin" / "python", installed / "bin" / "ofai-graph"
    where = _outside(
        installed, python, "-c", "import ofai_graph, ofai_graph_cli; print(ofai_graph.__file__)", cwd=tmp_path
    )
    assert where.returncode == 0 and where.stdout.startswith(str(installed)), where

    db = tmp_path / "office.db"
    init = _outside(installed, ofai, "--db", db, "init", "--seed", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    connect = _outside(installed, ofai, "connect", "Korea", "--as-of", "2024-03-31", "--db", db, cwd=tmp_path)
    assert connect.returncode == 0 and "Gobierno de Corea" in connect.stdout, connect.stderr

    version = _outside(installed, ofai, "--version", cwd=tmp_path).stdout
    declared = installed_version("ofai-graph")  # the test venv's editable install: pyproject's version
    assert declared in version
    assert (
        _outside(
            installed, python, "-c", "import ofai_graph; print(ofai_graph.__version__)", cwd=tmp_path
        ).stdout.strip()
        == declared
    )


@pytest.mark.slow
def test_the_wheel_carries_every_module_the_seed_data_and_the_catalogs(installed):
    site = Path(
        subprocess.run(
            [installed / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    expected = {
        *(f"ofai_graph/{p.relative_to(ROOT / 'ofai_graph')}" for p in (ROOT / "ofai_graph").rglob("*.py")),
        *(f"ofai_graph_cli/{p.relative_to(ROOT / 'cli')}" for p in (ROOT / "cli").rglob("*.py")),
        *(f"ofai_graph/seed_data/{p.name}" for p in (ROOT / "seeds").glob("*.yaml")),
        *(
            f"ofai_graph/{p.relative_to(ROOT / 'ofai_graph')}"
            for p in (ROOT / "ofai_graph" / "locale").rglob("*.mo")
        ),
        "ofai_graph/py.typed",
    }
    missing = sorted(p for p in expected if not (site / p).is_file())
    assert missing == []
