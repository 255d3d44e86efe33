"""/查: search resolutions and minutes of the township by jieba tokens (best match, then newest)."""

from __future__ import annotations

from bot.clock import local
from bot.contract import ANYWHERE, Scope, Text, excerpt
from bot.router import Router
from handlers.resolution_records import place
from handlers.segmenter import search_tokens
from storage.repositories import ResolutionRepository, SearchRepository

router = Router("search")

HEADER = "🔎 「{query}」找到 {count} 条{more}："
MORE = "（最多显示 10 条）"
NOTHING = "🔎 没有找到和「{query}」有关的决议或纪要。"
RESOLUTION = "决议 #{id} {day} {place}：{subject}{state}"
MINUTES = "纪要 #{id} {day}：{topic}"
LIMIT = 10


@router.command("查", aliases=("搜索",), places=ANYWHERE, scope=Scope.SELF, args=(Text("query", "搜索词", max_len=50),))
def search(message, ctx):
    """搜索决议和会议纪要，最相关的在前，同样相关的新的在前
    /查 幼儿园
    """
    query = ctx.params.query
    hits = SearchRepository(ctx.session).search(ctx.member.township_id, search_tokens(query), limit=LIMIT)
    if not hits:
        return NOTHING.format(query=excerpt(query))
    repository = ResolutionRepository(ctx.session)
    resolutions = repository.resolutions([doc_id for kind, doc_id, _ in hits if kind == "resolution"])
    minutes = repository.minutes_by_ids([doc_id for kind, doc_id, _ in hits if kind == "minutes"])
    lines = [HEADER.format(query=excerpt(query), count=len(hits), more=MORE if len(hits) == LIMIT else "")]
    for kind, doc_id, _ in hits:
        if kind == "resolution" and doc_id in resolutions:
            r = resolutions[doc_id]
            state = "（已公开）" if r.published_at else ""
            lines.append(RESOLUTION.format(id=r.id, day=_day(r.resolved_at), place=place(r.group), subject=r.subject, state=state))
        elif kind == "minutes" and doc_id in minutes:
            m = minutes[doc_id]
            lines.append(MINUTES.format(id=m.id, day=_day(m.opened_at), topic=m.topic))
    return "\n".join(lines)


def _day(at) -> str:
    return local(at).strftime("%Y-%m-%d")
