"""The nightly prune (storage/retention.py): handled inbox rows, processed-id marks and sent outbox
rows older than `[retention] days` are deleted; the township's own records never are."""

from __future__ import annotations

import logging
from datetime import timedelta

from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import current_app
from storage.retention import Pruned, prune_before

log = logging.getLogger(__name__)

__all__ = ["prune_old_rows"]


@tell_admins_on_failure("清理过期记录")
def prune_old_rows() -> Pruned | None:
    """Run by APScheduler at 03:30; None when `[retention] days` is unset (keep everything)."""
    app = current_app()
    days = app.settings.retention.days
    if days is None:
        return None
    pruned = prune_before(app.engine, app.clock.now() - timedelta(days=days))
    log.info("retention: deleted %s (older than %d days)", pruned, days)
    return pruned
