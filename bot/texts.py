"""Chinese texts of the bot core (router, dispatcher, middleware), kept together for review.
Handler families keep their own texts at the top of their module."""

UNKNOWN_COMMAND = "没有「/{name}」这个命令。发送 /帮助 查看全部命令。"
UNKNOWN_COMMAND_SUGGEST = "没有「/{name}」这个命令，您是不是要找 /{suggestion}？发送 /帮助 查看全部命令。"
USAGE = "用法：\n{usage}"
NOT_BOUND = "{name}，您的账号还没有绑定花名册。请发送「/绑定 您的姓名」，管理员确认后即可使用。"
NOT_ALLOWED = "⛔ /{command} 只有{roles}可以使用。"
INTERNAL_ERROR = "😥 抱歉，处理「{text}」时出错了，已记录，请稍后再试或联系管理员。"
BUSY = "系统繁忙，请稍后再发一次"
