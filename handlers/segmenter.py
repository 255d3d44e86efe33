"""jieba word segmentation with the township's domain dictionary, initialised once and lazily.

Loading jieba's dictionary takes about a second, so nothing happens at import time: the first
call to `words` or `search_tokens` builds the tokenizer (thread-safe) and later calls reuse it.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

from handlers.resolution_lexicon import words_to_learn

__all__ = ["DOMAIN_WORDS", "search_tokens", "warm_up", "words"]

# Words jieba must never split: bodies, meeting kinds, the five kinds of major matters, and
# vote phrases the resolution parser looks for.
DOMAIN_WORDS = (
    "两委", "村两委", "两委会", "村民代表", "党员大会", "村民代表会议", "主题党日", "三会一课",
    "支委会", "党小组会", "村务监督委员会", "村级决策", "人事任免", "项目安排", "突发事件",
    "大额资金使用", "四议两公开", "应到", "实到", "一致同意", "全票通过", "全票同意", "一致通过",
    "全体同意", "全部同意", "全票赞成", "无异议", "集体土地", "公办幼儿园", "审核公开",
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_KEEP = re.compile(r"[\w%]", re.UNICODE)


def _get() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word, freq=200000)
                for word in words_to_learn():
                    tokenizer.add_word(word)  # jieba's suggested frequency: kept whole, not forced
                _tokenizer = tokenizer
    return _tokenizer


def words(text: str, hmm: bool = True) -> list[str]:
    """The words of `text` in order (punctuation kept as its own tokens); `hmm=False` skips
    jieba's guessing of words it does not know (faster; unknown names come out per character)."""
    return _get().lcut(text, HMM=hmm)


def search_tokens(text: str) -> list[str]:
    """Distinct lower-cased tokens for the search index: jieba's search mode (long words and
    their parts), without punctuation and single characters."""
    seen: dict[str, None] = {}
    for token in _get().lcut_for_search(text):
        token = token.strip().lower()
        if len(token) >= 2 and _KEEP.search(token):
            seen.setdefault(token[:64], None)
    return list(seen)


def warm_up() -> None:
    """Load the dictionary now (e.g. when the bot starts serving) instead of on the first message."""
    _get()
