"""Everything about the package is in pyproject.toml except the package list, found here by setuptools.

pyproject.toml can list packages by hand or find them, but it cannot find packages kept in a folder
installed under another name: ``cli/`` is installed as ``ofai_graph_cli`` and ``seeds/`` as the data
package ``ofai_graph.seed_data`` (see ``package-dir`` in pyproject.toml).
"""

from setuptools import find_packages, setup


def found(folder: str, name: str) -> list[str]:
    """``folder``'s package and every subpackage in it, named as installed."""
    return [name, *(f"{name}.{sub}" for sub in find_packages(folder))]


setup(packages=[*found("ofai_graph", "ofai_graph"), *found("cli", "ofai_graph_cli"), "ofai_graph.seed_data"])
