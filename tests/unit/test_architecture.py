"""The shape of src/printapi, as docs/architecture.md §3 draws it, kept by reading the source.

- The packages (``printapi.<package>``; a top-level module counts as one) import each other in
  layers: every import goes down, so the package graph has no cycle. ``kit`` imports no domain,
  ``models`` only ``kit``, and no domain imports the edges above it (``effects``, ``api``,
  ``routes``, ``dashboard``, ``worker``, ``app``, ``cli``).
- A repository writes (insert, update, delete, ``session.add``, a claimed ``Queue``) only the
  tables of its own aggregate; it may name another aggregate's table only in a read, where it
  joins it for what it reads (``READS`` says which and why).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import printapi.models
from printapi.models import Base

SRC = Path(__file__).parents[2] / "src" / "printapi"
NOT_CODE = {"migrations", "static", "templates", "__pycache__"}

# Lowest first; an import may only go to a lower layer (docs/architecture.md §3 gives the why).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kit",),
    ("config", "models", "migrate", "openapi"),
    ("auth",),
    ("catalogue",),
    ("accounts", "coupons"),
    ("shipping",),
    ("orders",),
    ("payments",),
    ("runtime",),
    ("mail", "idempotency"),
    ("files", "webhooks", "feed"),
    ("effects",),
    ("api", "health"),
    ("routes", "dashboard", "bench_routes", "worker"),
    ("app",),
    ("cli",),
)
DOMAINS = {
    "auth",
    "catalogue",
    "accounts",
    "coupons",
    "shipping",
    "orders",
    "payments",
    "mail",
    "files",
    "webhooks",
    "idempotency",
    "feed",
}
EDGES_ABOVE_THE_DOMAINS = {"effects", "api", "routes", "dashboard", "worker", "app", "cli"}

# Each aggregate's tables: the one package whose repository writes them.
WRITES: dict[str, set[str]] = {
    # The account row holds the identity (auth) and the settings (accounts); auth creates it, and
    # accounts/service.py sets its settings columns through the ORM, not in a repository.
    "auth": {"Account", "ApiClient", "AccessToken"},
    "accounts": {"CheckoutPrice"},
    "catalogue": {"Product"},
    "coupons": {"Coupon"},
    "orders": {"Order", "OrderItem", "OrderStatusChange", "Shipment", "ShipmentItem"},
    "payments": {"Payment", "PaymentTask"},
    "files": {"ItemFile"},
    "webhooks": {"WebhookEndpoint", "WebhookNotification", "WebhookAttempt", "OwnerAlert"},
    "mail": {"MailMessage"},
    "idempotency": {"IdempotencyKey"},
    "feed": {"FeedEvent"},
    "dashboard": {"DashboardSession", "SignInAttempt"},
}
# Another aggregate's table a repository may name, in reads only: joined for what it reads.
READS: dict[str, set[str]] = {
    "orders": {"Account"},  # the account's e-mail beside its orders (production queue, overview)
    "payments": {"Order"},  # a payment with its order, by the payment page's code
    "files": {"Order", "OrderItem"},  # a file with its item and order; files of cancelled orders
    "webhooks": {"Account"},  # an endpoint with its owner, for the alert mails
    "dashboard": {"Account"},  # a dashboard session with its person
}
# A table whose first rows another aggregate inserts, and nothing more: placing an order inserts
# its items' files in their first status with it (orders/repository.add); every later move of a
# file is files/'s.
CREATES: dict[str, set[str]] = {"orders": {"ItemFile"}}
WRITING_CALLS = {"insert", "update", "delete", "add", "add_all", "Queue"}


def _modules() -> Iterator[tuple[str, Path]]:
    """Every module with the package it belongs to (``printapi.<package>``)."""
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if NOT_CODE.intersection(parts) or parts == ("__init__.py",):
            continue
        yield parts[0].removesuffix(".py"), path


def _imported(path: Path) -> Iterator[str]:
    """The printapi packages a module imports (in functions and type-checking blocks too)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "printapi":  # from printapi import effects, __version__
                names = [f"printapi.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "printapi" and len(parts) > 1 and _is_package(parts[1]):
                yield parts[1]


def _is_package(name: str) -> bool:
    return (SRC / name).is_dir() or (SRC / f"{name}.py").is_file()


@cache
def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package, path in _modules():
        graph.setdefault(package, set()).update(set(_imported(path)) - {package})
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the packages along it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


class TestThePackageGraph:
    def test_it_has_no_cycle(self) -> None:
        cycle = _cycle(_graph())
        assert cycle is None, "the packages import each other in a loop: " + " -> ".join(cycle or [])

    def test_the_cycle_finder_finds_one(self) -> None:
        assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
        assert _cycle({"a": {"b"}, "b": set()}) is None

    def test_every_package_has_a_layer(self) -> None:
        layered = {package for layer in LAYERS for package in layer}
        assert set(_graph()) == layered, "add the new package to LAYERS (and docs/architecture.md §3)"

    def test_every_import_goes_down_the_layers(self) -> None:
        level = {package: index for index, layer in enumerate(LAYERS) for package in layer}
        upward = sorted(
            f"{package} -> {target}"
            for package, targets in _graph().items()
            for target in targets
            if level[target] >= level[package]
        )
        assert upward == []

    def test_kit_imports_no_domain(self) -> None:
        assert _graph()["kit"] == set()

    def test_models_import_only_kit(self) -> None:
        assert _graph()["models"] <= {"kit"}

    @pytest.mark.parametrize("domain", sorted(DOMAINS))
    def test_no_domain_imports_the_edges_above_it(self, domain: str) -> None:
        assert _graph()[domain] & EDGES_ABOVE_THE_DOMAINS == set()


@cache
def _model_names() -> frozenset[str]:
    """The ORM classes of ``printapi.models``."""
    return frozenset(
        name
        for name, value in vars(printapi.models).items()
        if isinstance(value, type) and issubclass(value, Base) and value is not Base
    )


def _repositories() -> Iterator[tuple[str, Path]]:
    for package, path in _modules():
        if package in WRITES and (path.name == "repository.py" or path.parent.name == "repository"):
            yield package, path


def _names_in(node: ast.AST, models: frozenset[str]) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in models}


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope: a function's body, or a module's outside its functions."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield child
            yield from _walk_scope(child)


def _aliases(scope: ast.AST, models: frozenset[str]) -> dict[str, set[str]]:
    """The models each name of a scope is assigned from (``model = WebhookNotification``)."""
    aliases: dict[str, set[str]] = {}
    for node in _walk_scope(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        aliases.setdefault(name.id, set()).update(_names_in(node.value, models))
    return aliases


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _written(path: Path, models: frozenset[str]) -> set[str]:
    """The models a module writes: named in the table argument of its writing calls, directly or
    through a name of the same scope or the module assigned from them."""
    tree = ast.parse(path.read_text())
    module = _aliases(tree, models)
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    written: set[str] = set()
    for scope in scopes:
        aliases = module if scope is tree else {**module, **_aliases(scope, models)}
        for node in _walk_scope(scope):
            if isinstance(node, ast.Call) and node.args and _called(node) in WRITING_CALLS:
                table = node.args[0]
                written |= _names_in(table, models)
                for name in ast.walk(table):
                    if isinstance(name, ast.Name):
                        written |= aliases.get(name.id, set())
    return written


def _models_imported(path: Path) -> set[str]:
    return {
        alias.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("printapi.models")
        for alias in node.names
    }


class TestRepositoriesWriteTheirOwnAggregate:
    def test_the_aggregates_share_no_table(self) -> None:
        owners = [model for models in WRITES.values() for model in models]
        assert len(owners) == len(set(owners))

    def test_every_table_has_its_aggregate(self) -> None:
        assert {model for models in WRITES.values() for model in models} == _model_names()

    @pytest.mark.parametrize(("package", "path"), list(_repositories()), ids=str)
    def test_a_repository_writes_only_its_own_tables(self, package: str, path: Path) -> None:
        foreign = _written(path, _model_names()) - WRITES[package]
        assert foreign == set(), f"{path.relative_to(SRC)} writes another aggregate's {sorted(foreign)}"

    @pytest.mark.parametrize(("package", "path"), list(_repositories()), ids=str)
    def test_a_repository_names_no_other_table_than_its_own_and_those_it_joins_to_read(
        self, package: str, path: Path
    ) -> None:
        allowed = WRITES[package] | READS.get(package, set()) | CREATES.get(package, set())
        assert _models_imported(path) <= allowed

    def test_the_reading_of_writes_sees_the_statements(self) -> None:
        """Not vacuous: the writes of a few repositories, as their source has them."""
        models = _model_names()
        assert _written(SRC / "orders" / "repository.py", models) == {"Order", "OrderStatusChange"}
        assert _written(SRC / "payments" / "repository.py", models) == {"Payment", "PaymentTask"}
        assert _written(SRC / "files" / "repository.py", models) == {"ItemFile"}
