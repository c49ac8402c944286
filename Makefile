# Two commands on a fresh machine with only Python and make: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Test files run in parallel, one worker per core (pytest-xdist; a file's tests stay together on one
# worker, so a module's server or stack starts once). PYTEST_WORKERS=0 runs in this one process.
PYTEST_WORKERS ?= auto

.PHONY: run test test-postgres worker bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)            ## serve the app and the API on http://127.0.0.1:8000 (SQLite under instance/)
	$(BIN)/twitchlog run

test: $(STAMP)           ## the whole suite: Python (API, sync properties, browser) and the PWA's pure modules
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
	@if command -v node >/dev/null 2>&1 && [ -d tests/pwa ]; then node --test tests/pwa/; \
	else echo "!!! node is not installed: the PWA unit tests (tests/pwa) did not run"; fi

test-postgres: $(STAMP)  ## the same suite on PostgreSQL at 127.0.0.1:5432
	TWITCHLOG_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres $(MAKE) test

worker: $(STAMP)         ## a reminder dispatcher (production runs several)
	$(BIN)/twitchlog worker

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
