"""Every relative link in README.md, docs/*.md and cadrebot.example.toml points to a file that exists.

A link with an anchor (`file.md#heading`) must also name a heading of that file, using GitHub's
heading slugs, so a renamed section cannot leave a dead link behind.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TOML_DOC_PATH = re.compile(r"\b((?:docs/)?[\w.-]+\.(?:md|toml))\b")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _sources() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces become hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


def _links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [link for link in MARKDOWN_LINK.findall(text) if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_an_existing_file_and_heading(source: Path) -> None:
    broken = []
    for link in _links(source):
        target, _, anchor = link.partition("#")
        path = (source.parent / target).resolve() if target else source
        if not path.exists():
            broken.append(link)
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(link)
    assert broken == [], f"{source.name}: dead links {broken}"


def test_the_readme_links_every_document_under_docs() -> None:
    readme_links = {(ROOT / link.partition("#")[0]).resolve() for link in _links(ROOT / "README.md")}
    index_links = {(ROOT / "docs" / link.partition("#")[0]).resolve() for link in _links(ROOT / "docs/README.md")}
    for doc in (ROOT / "docs").glob("*.md"):
        assert doc.resolve() in readme_links | index_links, f"{doc.name} is linked from nowhere"


def test_the_example_config_names_only_files_that_exist() -> None:
    text = (ROOT / "cadrebot.example.toml").read_text(encoding="utf-8")
    named = [m for m in TOML_DOC_PATH.findall(text) if "/" in m]
    assert named, "the example config should point to the docs"
    missing = [name for name in named if not (ROOT / name).exists()]
    assert missing == []


def test_the_readme_command_tables_sit_between_the_markers() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- commands:start -->"), text.index("<!-- commands:end -->")
    assert start < text.index("| `/打卡`") < end
