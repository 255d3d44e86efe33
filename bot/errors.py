"""Exceptions a handler raises to get a kind reply instead of a crash."""


class UserError(Exception):
    """Something the user can fix; the message (Chinese) is sent back as is, nothing is stored."""


class UsageError(UserError):
    """The command was used wrongly: the reply is the message (if any) and the command's usage."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
