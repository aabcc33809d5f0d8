# The few verbs people type. Everything goes through the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveys
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean translations update-translations

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,worker]'
	touch $(STAMP)

# The French and English catalogs: .po sources are committed, .mo files are built here.
CATALOGS := surveys/translations
MO := $(CATALOGS)/fr/LC_MESSAGES/messages.mo $(CATALOGS)/en/LC_MESSAGES/messages.mo

$(CATALOGS)/%/LC_MESSAGES/messages.mo: $(CATALOGS)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d $(CATALOGS) -l $* -i $< -o $@

translations: $(MO)

# After marking new strings: extract them and add them to both catalogs (then translate fr).
update-translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
		--project=Parcours -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel -q update -N --no-wrap -i $(CATALOGS)/messages.pot -d $(CATALOGS)
	$(MAKE) translations

run: $(STAMP) $(MO)
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

test: $(STAMP) $(MO)
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
