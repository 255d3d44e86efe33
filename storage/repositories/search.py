"""The search index: jieba tokens of resolutions and minutes in a plain table, so the same query
works on SQLite and PostgreSQL. Ranked by how many query tokens a document holds, then newest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import SearchToken


class SearchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def index(self, township_id: int, doc_kind: str, doc_id: int, tokens: list[str], at: datetime) -> None:
        """(Re)index one document with its distinct tokens."""
        self.session.execute(delete(SearchToken).where(SearchToken.doc_kind == doc_kind, SearchToken.doc_id == doc_id))
        self.session.add_all(
            SearchToken(township_id=township_id, doc_kind=doc_kind, doc_id=doc_id, token=token, doc_at=at)
            for token in dict.fromkeys(tokens)
        )
        self.session.flush()

    def search(self, township_id: int, tokens: list[str], limit: int = 10) -> list[tuple[str, int, int]]:
        """(doc_kind, doc_id, matched token count), best first, at most `limit`."""
        if not tokens:
            return []
        hits = func.count(SearchToken.token).label("hits")
        newest = func.max(SearchToken.doc_at).label("newest")
        query = (
            select(SearchToken.doc_kind, SearchToken.doc_id, hits)
            .where(SearchToken.township_id == township_id, SearchToken.token.in_(tokens))
            .group_by(SearchToken.doc_kind, SearchToken.doc_id)
            .order_by(hits.desc(), newest.desc(), SearchToken.doc_id.desc())
            .limit(limit)
        )
        return [tuple(row) for row in self.session.execute(query)]
