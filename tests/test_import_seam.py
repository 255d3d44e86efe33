"""Only bot/adapters/ may import a platform SDK (wechatpy, dingtalk_stream): the one seam."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDKS = {"wechatpy", "dingtalk_stream"}
SCANNED = ("bot", "handlers", "scheduler", "storage")


def sdk_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & SDKS
    return found


def test_only_adapters_import_platform_sdks():
    offenders = {}
    for package in SCANNED:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] == ("bot", "adapters"):
                continue
            if imports := sdk_imports(path):
                offenders[str(relative)] = imports
    assert offenders == {}


def test_the_scan_sees_the_adapters_imports():
    """Guards the scan itself: the adapters do import the SDKs, and the scan finds them."""
    assert sdk_imports(ROOT / "bot/adapters/wecom.py") == {"wechatpy"}
    assert sdk_imports(ROOT / "bot/adapters/dingtalk.py") == {"dingtalk_stream"}
