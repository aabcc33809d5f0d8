# The few verbs people type. Everything goes through the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveys
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,worker]'
	touch $(STAMP)

run: $(STAMP)
	$(FLASK) init-db
	@# The demo loads once; later runs only print its logins again.
	@if [ -f instance/demo-logins.txt ]; then \
		echo "Demo logins:"; \
		grep -v '^#' instance/demo-logins.txt | awk -F'\t' '{printf "  %-10s %s  password: %s\n", $$3, $$1, $$2}'; \
	else $(FLASK) seed-demo; fi
	@echo
	@echo "Parcours is serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	@echo
	$(FLASK) run --host 127.0.0.1 --port 5000

# FAST=1 leaves out the tests marked slow (tests/load: gunicorn under load on PostgreSQL).
ifeq ($(FAST),1)
override PYTEST_ARGS += -m "not slow"
endif

test: $(STAMP)
	@# axe-core for the accessibility tests, once, from the npm registry (they skip without it).
	@.ci/vendor-axe
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/bench_text.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
