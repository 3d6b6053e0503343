# Admissions Portal — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run worker test install install-dev translations i18n-update db lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Compile the .po catalogs into .mo files (they are build output, never committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d portal/translations

## After changing user-facing strings: re-extract and merge into every catalog, then translate.
i18n-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project "Admissions Portal" -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

db: translations
	$(BIN)/flask db upgrade

## Set up, upgrade the database, seed demo data, then serve on http://127.0.0.1:5000 with the mail
## worker beside it (Procfile, run by honcho; Ctrl-C stops both)
run: db
	$(BIN)/flask seed-demo
	$(BIN)/honcho start

## The mail worker alone (`flask --app wsgi worker`), e.g. beside a web server started otherwise
worker: db
	$(BIN)/flask worker

## Set up and run the whole test suite (SQLite by default; TEST_DATABASE_URL=postgresql://... for PostgreSQL)
test: install-dev translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check portal tests migrations wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
