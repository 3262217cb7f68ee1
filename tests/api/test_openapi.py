"""The served OpenAPI document is one that tools take: it validates as OpenAPI 3.1, every ``$ref``
resolves, schema names and operation ids are unique and read well, and openapi-python-client
generates an importable client from it: the Python SDK's generated half (clients/python), which
must be what ``make client`` makes of the document today.

openapi-python-client runs from its own virtualenv (``.venv/client-generator``, pinned by
``client-generator.txt`` and made by ``make .venv/.installed``): it needs a typer older than the
one printapi runs. ``PRINTAPI_CLIENT_GENERATOR_BIN`` may name another ``bin`` directory holding it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from printapi.app import create_app
from printapi.runtime import Runtime
from tests.conftest import _settings

GENERATOR_BIN = Path(
    os.environ.get("PRINTAPI_CLIENT_GENERATOR_BIN", Path(sys.prefix) / "client-generator" / "bin")
)
SDK = Path(__file__).resolve().parents[2] / "clients" / "python"
# What `make client` writes, and the tests here compare with a fresh generation.
GENERATED = ("openapi.json", "printapi_client/generated")
CAMEL_CASE = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)*")
SCHEMA_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
# The generator takes raw bodies only as application/octet-stream, so it leaves out the upload's
# raw PDF, PNG and JPEG bodies (its multipart body stays); nothing else may be left out.
GENERATOR_LIMITS = {
    ("WARNING parsing POST /v2/files/{code} within files.", f"Unsupported content type {media}")
    for media in ("application/pdf", "image/png", "image/jpeg")
}


async def _served_document(runtime: Runtime) -> dict[str, Any]:
    app = create_app(runtime=runtime)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/v2/openapi.json")
    finally:
        await runtime.close()
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The document as served; serving it opens no database connection."""
    folder = tmp_path_factory.mktemp("openapi")
    settings = _settings(f"sqlite+aiosqlite:///{folder / 'unused.db'}", storage_dir=str(folder / "files"))
    return asyncio.run(_served_document(Runtime.create(settings)))


def _references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _resolve(document: dict[str, Any], reference: str) -> object:
    """The target of a local reference (a JSON pointer after ``#``); KeyError if there is none."""
    assert reference.startswith("#/"), f"{reference} is not a local reference"
    target: Any = document
    for token in reference[2:].split("/"):
        target = target[token.replace("~1", "/").replace("~0", "~")]
    return target


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


class TestTheDocument:
    def test_it_is_a_valid_openapi_3_1_document(self, document: dict[str, Any]) -> None:
        assert document["openapi"] == "3.1.0"
        validate(document, cls=OpenAPIV31SpecValidator)

    def test_every_reference_resolves_into_the_components(self, document: dict[str, Any]) -> None:
        references = set(_references(document))

        assert "#/components/schemas/ErrorField" in references
        for reference in references:
            assert reference.startswith("#/components/schemas/"), reference
            _resolve(document, reference)

    def test_every_schema_has_its_own_plain_name(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]

        # FastAPI names a class that shares its name with another one after its module
        # (printapi__orders__schemas__OptionOut), and a model that reads differently from how it
        # writes X-Input and X-Output; the titles stay the class names.
        assert [name for name in schemas if not SCHEMA_NAME.fullmatch(name)] == []
        assert [name for name, schema in schemas.items() if schema.get("title") != name] == []
        assert {"ProductOptionOut", "ItemOptionOut", "ShippingQuoteIn", "CouponQuoteOut"} <= set(schemas)

    def test_operation_ids_are_unique_camel_case_method_names(self, document: dict[str, Any]) -> None:
        ids = {(method, path): operation["operationId"] for method, path, operation in _operations(document)}

        assert [i for i in ids.values() if not CAMEL_CASE.fullmatch(i)] == []
        assert len(set(ids.values())) == len(ids)
        assert ids[("POST", "/v2/orders")] == "placeOrder"
        assert ids[("GET", "/v2/orders/{order_id}")] == "getOrder"
        assert ids[("POST", "/v2/files/{code}")] == "uploadItemFile"
        assert ids[("POST", "/v2/webhooks")] == "createWebhook"
        assert ids[("GET", "/healthz")] == "checkHealth"
        assert ids[("GET", "/metrics")] == "getMetrics"

    def test_only_answers_that_are_sent_are_documented(self, document: dict[str, Any]) -> None:
        # FastAPI's 422 is never sent; the only 422 is an Idempotency-Key used with another request.
        unprocessable = [
            operation["responses"]["422"]["description"]
            for _, _, operation in _operations(document)
            if "422" in operation["responses"]
        ]

        assert unprocessable
        assert all("Idempotency-Key" in description for description in unprocessable)
        assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])

    def test_every_post_and_patch_of_an_api_client_takes_an_idempotency_key(
        self, document: dict[str, Any]
    ) -> None:
        keyed = {
            (method, path)
            for method, path, operation in _operations(document)
            if any(parameter["name"] == "Idempotency-Key" for parameter in operation.get("parameters", []))
        }
        expected = {
            (method, path)
            for method, path, operation in _operations(document)
            if method in ("POST", "PATCH") and "security" in operation and path != "/v2/files/{code}"
        }

        assert keyed == expected
        assert ("POST", "/v2/orders") in keyed
        assert ("PATCH", "/v2/account") in keyed
        replayed = document["paths"]["/v2/orders"]["post"]["responses"]["201"]["headers"]
        assert "Idempotent-Replayed" in replayed


@dataclass(frozen=True)
class GeneratedClient:
    folder: Path
    package: Path
    problems: set[tuple[str, str]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedClient:
    """What ``make client`` makes (clients/python/generate.py), into a folder of its own."""
    if not (GENERATOR_BIN / "openapi-python-client").exists():
        pytest.fail(f"no {GENERATOR_BIN}: run `make .venv/.installed` (or set PRINTAPI_CLIENT_GENERATOR_BIN)")
    folder = tmp_path_factory.mktemp("client")
    result = subprocess.run(
        [sys.executable, SDK / "generate.py", "--into", folder],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = re.findall(r"^(WARNING parsing .*|Unable to process .*)\n\n(.*)$", output, re.MULTILINE)
    return GeneratedClient(folder, folder / "printapi_client" / "generated", set(problems))


def _files(folder: Path) -> dict[str, bytes]:
    """The files of what ``make client`` writes under ``folder``, by their path in it."""
    found: dict[str, bytes] = {}
    for name in GENERATED:
        path = folder / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for each in paths:
            if "__pycache__" not in each.parts:
                found[each.relative_to(folder).as_posix()] = each.read_bytes()
    return found


class TestAGeneratedClient:
    def test_it_is_made_of_the_document_as_served(
        self, generated: GeneratedClient, document: dict[str, Any]
    ) -> None:
        assert json.loads((generated.folder / "openapi.json").read_text()) == document

    def test_the_committed_sdk_is_what_make_client_makes_of_the_document_today(
        self, generated: GeneratedClient
    ) -> None:
        fresh, committed = _files(generated.folder), _files(SDK)
        changed = sorted(name for name in fresh.keys() & committed.keys() if fresh[name] != committed[name])
        drift = {
            "new": sorted(fresh.keys() - committed.keys()),
            "gone": sorted(committed.keys() - fresh.keys()),
            "changed": changed,
        }

        assert drift == {"new": [], "gone": [], "changed": []}, (
            "clients/python differs from a fresh generation (the API or the generator settings changed). "
            "Run `make client` and commit clients/python/openapi.json and "
            "clients/python/printapi_client/generated/ (and adapt the SDK's hand-written layer, its "
            "README and tests/sdk/ if an operation they use changed)."
        )

    def test_openapi_python_client_leaves_out_nothing_but_what_it_cannot_send(
        self, generated: GeneratedClient
    ) -> None:
        assert generated.problems <= GENERATOR_LIMITS

    def test_it_has_the_order_item_and_error_models_and_the_operations(
        self, generated: GeneratedClient
    ) -> None:
        models = {path.stem for path in (generated.package / "models").glob("*.py")}
        operations = {path.stem for path in (generated.package / "api").glob("*/*.py")}

        assert {"order_in", "order_out", "item_in", "item_out", "error_out", "error_field"} <= models
        assert {"place_order", "get_order", "list_orders", "upload_item_file", "create_webhook"} <= operations

    def test_every_module_of_it_imports(self, generated: GeneratedClient) -> None:
        # In the generator's interpreter, which has what the client needs (httpx, attrs), and
        # where printapi_client is only the generated half (a namespace package around it).
        script = (
            "import importlib, pkgutil, printapi_client.generated as package\n"
            "for module in pkgutil.walk_packages(package.__path__, 'printapi_client.generated.'):\n"
            "    importlib.import_module(module.name)\n"
        )
        result = subprocess.run(
            [GENERATOR_BIN / "python", "-W", "error", "-c", script],
            cwd=generated.folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert result.returncode == 0, result.stderr
