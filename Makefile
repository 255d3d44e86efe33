# The two commands of the README: `make demo` and `make test`. Both set up .venv themselves.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/cadrebot demo

# The 公开栏 tests open pages in Debian's headless chromium (driven by Playwright, which downloads
# no browser of its own); posters and screenshots need a Chinese font. Installed once, when missing.
BOARD_TEST_DEPS = /usr/bin/chromium /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
$(BOARD_TEST_DEPS) &:
	apt-get update && apt-get install -y chromium fonts-wqy-zenhei

test: $(VENV)/.installed $(BOARD_TEST_DEPS)
	$(VENV)/bin/python -m pytest

BENCHES = checkin attendance_report wecom_callback_latency outbox_rate_limit resolutions resolution_reading roster_read board_page

bench: $(VENV)/.installed
	for b in $(BENCHES); do echo "== bench/$$b.py"; $(VENV)/bin/python bench/$$b.py || exit 1; done
