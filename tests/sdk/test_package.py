"""The SDK as a package: ``pip install ./clients/python`` builds a wheel with both halves and
``py.typed``, and the SDK needs nothing beyond what its pyproject declares (the generated half
imports what the generator's templates chose: a new need shows here, not in a shop's traceback).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement

import printapi_client

SDK = Path(__file__).resolve().parents[2] / "clients" / "python"
# The import names of the declared distributions, where they differ from the names.
IMPORT_NAMES = {"attrs": {"attrs", "attr"}}


def declared() -> list[Requirement]:
    """The SDK's dependencies, as its pyproject declares them."""
    project = tomllib.loads((SDK / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def imported_modules(package: Path) -> set[str]:
    """The top-level names of every absolute import in the package's modules."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


class TestThePackage:
    def test_builds_into_a_wheel_with_both_halves_its_types_and_its_dependencies(
        self, tmp_path: Path
    ) -> None:
        source = tmp_path / "source"
        shutil.copytree(SDK, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "wheel", source],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert built.returncode == 0, built.stderr

        (wheel,) = (tmp_path / "wheel").glob("printapi_client-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            metadata = Parser().parsestr(
                archive.read(f"printapi_client-{printapi_client.__version__}.dist-info/METADATA").decode()
            )
        assert {
            "printapi_client/py.typed",
            "printapi_client/api.py",
            "printapi_client/webhooks.py",
            "printapi_client/generated/client.py",
            "printapi_client/generated/api/orders/place_order.py",
            "printapi_client/generated/models/order_out.py",
        } <= names
        assert not any(name.startswith(("generate", "openapi")) for name in names)
        assert metadata["Name"] == "printapi-client"
        required = [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]
        assert sorted(required, key=str) == sorted(declared(), key=str)

    def test_imports_nothing_but_the_standard_library_and_what_it_declares(self) -> None:
        allowed = set(sys.stdlib_module_names) | {"printapi_client"}
        for requirement in declared():
            allowed |= IMPORT_NAMES.get(requirement.name, {requirement.name})

        assert imported_modules(SDK / "printapi_client") - allowed == set()
