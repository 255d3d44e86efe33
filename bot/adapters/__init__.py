"""Platform adapters: the only place that knows WeCom, DingTalk or the terminal. Each turns a
platform payload into an `InboundMessage` and sends `OutboundMessage`s."""
