"""What `cadrebot serve` runs besides the web server: the durable inbox (intake with group commit,
and the loop that dispatches from it)."""

from bot.runtime.inbox import Inbox, dispatch
from bot.runtime.intake import Intake, IntakeFailed

__all__ = ["Inbox", "Intake", "IntakeFailed", "dispatch"]
