"""clients/python/README.md is true: every Python block of it runs, in order, in one namespace,
against ``printapi serve``; its webhook receiver (the Starlette app it defines) is served by
uvicorn as soon as it is defined, and hears of the order the README places and ships.
"""

from __future__ import annotations

import ast
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from printapi_client import PrintApi, ok
from printapi_client.generated.api.account import update_account
from printapi_client.generated.models import SettingsIn
from tests.sdk.conftest import PrintFiles, Server, until
from tests.webhooks.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "clients" / "python" / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@contextmanager
def served(app: Any, port: int) -> Iterator[None]:
    """``app`` under uvicorn on ``port``, in a thread with its own event loop, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until(lambda: True if server.started else None, seconds=10, what="uvicorn started")
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class TestTheReadme:
    @pytest.mark.usefixtures("webhooks_removed")
    def test_runs_block_by_block_and_its_web_app_hears_the_order_go_to_production_and_ship(
        self, server: Server, print_files: PrintFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        blocks = BLOCK.findall(README.read_text())
        port = free_port()
        for name, value in {
            "PRINTAPI_URL": f"{server.base}/v2/",
            "PRINTAPI_CLIENT_ID": server.client_id,
            "PRINTAPI_CLIENT_SECRET": server.client_secret,
            "SHOP_URL": f"http://127.0.0.1:{port}",
        }.items():
            monkeypatch.setenv(name, value)
        shutil.copyfile(print_files.content, tmp_path / "content.pdf")
        shutil.copyfile(print_files.cover, tmp_path / "cover.pdf")
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, Any] = {"__name__": "readme"}
        printed = StringIO()

        try:
            with redirect_stdout(printed), ExitStack() as stack:
                app_served = False
                for number, block in enumerate(blocks, start=1):
                    exec(compile(block, f"README.md block {number}", "exec"), namespace)  # noqa: S102 - the README's own code
                    if "app" in namespace and not app_served:
                        stack.enter_context(served(namespace["app"], port))
                        app_served = True
                shop_orders: dict[str, str] = namespace["shop_orders"]
                until(
                    lambda: shop_orders.get("shop-1001") == "Shipped" or None,
                    seconds=10,
                    what="heard shipped",
                )
        finally:
            with PrintApi(server.client_id, server.client_secret, server.base) as api:
                ok(update_account.sync_detailed(client=api.client, body=SettingsIn(payment_screen=False)))

        output = printed.getvalue()
        assert len(blocks) >= 6
        assert "404 Product 'no_such_product' does not exist." in output
        assert "Shipped https://track.example/3SABC" in output
        assert f"{server.base}/v2/payments/" in output
        assert "shop-1001" in output


class TestGettingStarted:
    def test_its_sdk_blocks_compile_and_their_imports_run(self) -> None:
        blocks = BLOCK.findall(GETTING_STARTED.read_text())
        imports = [
            node
            for number, block in enumerate(blocks, start=1)
            for node in ast.parse(block, f"getting-started.md block {number}").body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]

        exec(compile(ast.Module(body=imports, type_ignores=[]), "getting-started.md", "exec"), {})  # noqa: S102 - its own imports
        assert len(blocks) >= 2
        assert "place_order" in {alias.name for node in imports for alias in node.names}
