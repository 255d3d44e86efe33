"""The bot core: neutral message types, the command router, the dispatcher and its middleware,
the per-message/per-job context, configuration, the composition root and the platform adapters.

Only `bot/adapters/` may import a platform SDK.
"""
