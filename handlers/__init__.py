"""Command handlers, one module per command family. Each module owns a `router`; `bot/app.py`
includes them in one visible list. Handlers are plain functions `(message, ctx) -> replies`
and never import a platform SDK."""
