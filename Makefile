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

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

BENCHES = checkin attendance_report wecom_callback_latency outbox_rate_limit resolutions resolution_reading roster_read

bench: $(VENV)/.installed
	for b in $(BENCHES); do echo "== bench/$$b.py"; $(VENV)/bin/python bench/$$b.py || exit 1; done
