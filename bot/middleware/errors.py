"""Run the handler inside a savepoint: a `UserError` or a crash undoes the handler's writes (the
message stays marked as processed) and the user gets a kind Chinese reply instead of silence.

A command word said bare in ordinary chat (`收到`, `同意`, `打卡` without a slash or an @ of the bot)
is answered only when it does what it says: "收到" is the commonest word in a work chat, so a bare
word that is refused, unusable here or has nothing to act on gets no reply (the router does the
same for refusals of who, where and which arguments). Typed with a slash, it always gets the reason.

A database that fails as such (locked, connection lost: `OperationalError`) is not the handler's
fault: it propagates, the dispatcher rolls the whole message back, leaves it unmarked for a retry
and answers "系统繁忙".

In the optimistic first run of a batch (`ctx.isolate_handler` False) there is no savepoint to undo:
a handler that raises anything ends the run with `HandlerRaised`, and the dispatcher runs the batch
again with a savepoint per handler, where the rules above apply."""

import logging

from sqlalchemy.exc import OperationalError

from bot import texts
from bot.errors import UserError
from bot.messages import Reply
from bot.middleware import Next

log = logging.getLogger(__name__)


class HandlerRaised(Exception):
    """A handler raised in a batch's optimistic run; the batch must run again, a savepoint each."""


def reply_on_error(ctx, call_next: Next):
    if not ctx.isolate_handler:
        try:
            return call_next(ctx)
        except OperationalError:
            raise
        except Exception as error:
            raise HandlerRaised(ctx.message.message_id) from error
    savepoint = ctx.session.begin_nested()
    try:
        replies = call_next(ctx)
    except UserError as error:
        savepoint.rollback()
        return [Reply(str(error))] if _explicit(ctx) else []
    except OperationalError:
        raise
    except Exception:
        savepoint.rollback()
        log.exception("handler failed on message %s", ctx.message.message_id)
        return [Reply(texts.INTERNAL_ERROR.format(text=_preview(ctx.message.text)))]
    savepoint.commit()
    return replies


def _explicit(ctx) -> bool:
    return ctx.call is None or ctx.call.explicit


def _preview(text: str, limit: int = 20) -> str:
    text = text.strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"
