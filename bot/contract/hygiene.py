"""Input hygiene at the edge and escaping where text leaves: inbound text is cleaned once (NUL,
control, zero-width and bidi characters removed, trimmed); typed arguments fold full-width forms;
names are normalised the same way in the roster and in chat; user text echoed back is a short
excerpt; user text in markdown is escaped."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "fold_width", "normalize_name", "excerpt", "escape_markdown", "safe_cell"]

# NUL and other C0/C1 controls except tab and newline; zero-width characters; bidi controls
# (RTL overrides make a reply read differently from what is stored).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_NAME_SPACES = re.compile(r"[\s\u3000]+")
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# A cell starting with one of these is read as a formula by Excel / LibreOffice (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Markdown specials as their full-width look-alikes: renderers differ on backslash escapes (WeCom
# shows the backslash), but no renderer reads ［ ］ （ ） ＜ ＞ as syntax.
_MARKDOWN_SAFE = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "[]()<>*_`#~|!"})


def clean_text(text: str | None) -> str:
    """What every inbound text becomes before anything reads it: NFC, no invisible characters, trimmed.

    Full NFKC is not applied to free text: it would turn the Chinese full-width punctuation people
    type (：，（）) into ASCII in stored titles and reasons. Typed arguments fold width themselves.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def fold_width(text: str) -> str:
    """Full-width ASCII forms (０-９, ＃, ：, ／, Ａ) and the ideographic space as ASCII.

    Deliberately not NFKC: NFKC reads ² and ① as digits, and `/批准 ²` must not approve #2.
    """
    return text.translate(_FULL_WIDTH)


def normalize_name(name: str | None) -> str:
    """A person's or village's name as stored and as looked up: NFKC (full-width letters, compatibility
    forms), no invisible characters, no spaces (王 伟 and 王　伟 are 王伟)."""
    name = unicodedata.normalize("NFKC", clean_text(name))
    return _NAME_SPACES.sub("", name)


def excerpt(text: str | None, limit: int = 16) -> str:
    """A short, one-line piece of user input for an error text (never the whole message)."""
    text = clean_text(text).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def escape_markdown(text: str) -> str:
    """User-supplied text inside a WeCom or DingTalk markdown reply: no links, mentions or styling.

    Both platforms render a subset of CommonMark (links `[t](u)`, `<@userid>` mentions, emphasis,
    headings); each special character becomes its full-width look-alike, so the text reads the same
    and no link, tag, mention or styling survives.
    https://developer.work.weixin.qq.com/document/path/91770 ,
    https://open.dingtalk.com/document/orgapp/message-types-and-data-format
    """
    return text.translate(_MARKDOWN_SAFE)


def safe_cell(value):
    """A spreadsheet or CSV cell that is never a formula: text starting with = + - @ TAB CR gets a
    leading apostrophe (shown as text by Excel and LibreOffice). Numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
