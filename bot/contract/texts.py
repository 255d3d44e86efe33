"""Chinese texts of the command contract (arguments, places, scopes, the policy), kept together
for review. `{text}` is always a short excerpt of what the user typed, never the whole message."""

BAD_ARG = "「{text}」不是{label}{hint}。"
MISSING_ARG = "缺少{label}。"
EXTRA_ARG = "多了「{text}」，看不懂。"
TOO_LONG = "{label}太长了（最多 {max} 个字）：「{text}」。"
DATE_OUT_OF_RANGE = "日期「{text}」超出范围（只能是前 {past} 天到后 {future} 天之内）。"
MONTH_OUT_OF_RANGE = "月份「{text}」超出范围。"
DURATION_OUT_OF_RANGE = "时长「{text}」超出范围（1 分钟到 {longest}）。"

HINT_ID = "，请写数字编号，如 12"
HINT_INT = "，请写 {min} 到 {max} 之间的数字{unit}"
HINT_DATE = "，请写成 11-25、11月25日 或 2026-11-25"
HINT_MONTH = "，请写成 10月 或 2026-10"
HINT_TIME = "，请写成 14:30 或 下午3点"
HINT_DURATION = "，请写成 30分钟 或 2小时（最长 {longest}）"
HINT_NAME = "（最多 {max} 个字）"
HINT_CHOICE = "，可选：{choices}"
HINT_TEXT = "（1 到 {max} 个字）"

PLACE_NAMES = {"private": "私聊", "village_group": "村工作群", "township_group": "镇工作群"}
WRONG_PLACE = "⛔ /{command} 请在{places}里使用。"
WRONG_PLACE_UNBOUND = "⛔ /{command} 请在{places}里使用（这个聊天还没有登记到任何村或镇）。"
NOT_BOUND = "{name}，您的账号还没有绑定花名册。请发送「/绑定 您的姓名」，管理员确认后即可使用。"
NOT_ALLOWED = "⛔ /{command} 只有{roles}可以使用。"
OTHER_TOWNSHIP = "⛔ 这里是其他乡镇的群，您不能在这里使用 /{command}。"
OTHER_VILLAGE = "⛔ 您不是{village}的人员，不能在这里使用 /{command}（只能处理本村事务）。"
TOWNSHIP_ONLY_ADMIN = "⛔ 镇级事项只有本镇管理员可以处理。"
NOT_YOUR_VILLAGE = "⛔ 这是其他村的事项，只有该村书记或本镇管理员可以处理。"
NOT_YOUR_TOWNSHIP = "⛔ 这是其他乡镇的事项，您不能处理。"
PARTY_TO_IT = "⛔ 您是这条申请的当事人，不能自己处理，请由其他人（管理员）处理。"

SCOPE_NAMES = {"public": "不限", "self": "本人", "village": "本村", "township": "本镇"}
