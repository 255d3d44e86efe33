"""The command contract: typed argument specs, places, scopes and the one authorization policy.

Declare a command (see docs/contract.md):

    @router.command("批准", roles={"书记"}, places=GROUPS, scope=Scope.VILLAGE, args=(Id("request", "编号"),))
    def approve(message, ctx):
        request = LeaveRepository(ctx.session).get(ctx.params.request)
        ctx.policy.require_member(request.member)
"""

from bot.contract.args import (
    MAX_ID, AnyOf, Arg, ArgError, Choice, Date, Duration, Id, Int, Month, Name, Text, Time,
)
from bot.contract.declaration import Command
from bot.contract.hygiene import clean_text, escape_markdown, excerpt, fold_width, normalize_name, safe_cell
from bot.contract.parse import Params, parse_args
from bot.contract.places import ANYWHERE, GROUPS, Place, Scope, place_of
from bot.contract.policy import Policy, Refusal

PRIVATE = frozenset({Place.PRIVATE})
VILLAGE_GROUP = frozenset({Place.VILLAGE_GROUP})
TOWNSHIP_GROUP = frozenset({Place.TOWNSHIP_GROUP})

__all__ = [
    "ANYWHERE", "AnyOf", "Arg", "ArgError", "Choice", "Command", "Date", "Duration", "GROUPS", "Id",
    "Int", "MAX_ID", "Month", "Name", "Params", "Place", "Policy", "PRIVATE", "Refusal", "Scope", "Text",
    "TOWNSHIP_GROUP", "Time", "VILLAGE_GROUP", "clean_text", "escape_markdown", "excerpt", "fold_width",
    "normalize_name", "parse_args", "place_of", "safe_cell",
]
