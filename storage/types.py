"""Column types shared by all models.

`ShanghaiDateTime` stores instants as naive UTC (portable across SQLite and PostgreSQL) and hands
them back as aware Asia/Shanghai datetimes, so the rest of the code only ever sees local time.
"""

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from bot.clock import TZ


class ShanghaiDateTime(TypeDecorator):
    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock's aware time")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc).astimezone(TZ)
