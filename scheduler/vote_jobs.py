"""The vote deadline sweep: close every open vote whose deadline has passed (by the injectable
clock), record its resolution and post the result to its group through the outbox."""

from __future__ import annotations

from handlers.votes import WHY_DEADLINE, close_vote
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.repositories import VoteRepository

__all__ = ["close_due_votes"]


@tell_admins_on_failure("表决截止")
def close_due_votes() -> int:
    """Run by APScheduler every minute; returns how many votes it closed. A run repeated after a
    crash sends each result once (outbox dedupe key per vote)."""
    closed = 0
    with job_context() as ctx:
        for vote in VoteRepository(ctx.session).due(ctx.now()):
            text = close_vote(ctx, vote, WHY_DEADLINE)
            ctx.send(vote.group, text, dedupe_key=f"vote:{vote.id}:closed")
            closed += 1
    return closed
