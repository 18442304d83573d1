# Two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app app
PYTEST_ARGS ?=
# The suite in two processes, one per core of the project machines (pytest-xdist); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2

.PHONY: run test setup install install-dev translations db i18n clean load vendor-dkfds

run: install setup
	@echo "Samskab: http://$(HOST):$(PORT)"
	@# The scheduler runs beside the web server and stops with it (Ctrl-C stops both). Links in
	@# mails point at this server unless BASE_URL says otherwise.
	export BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"; \
	trap 'kill 0' INT TERM EXIT; $(FLASK) scheduler & $(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

setup: translations db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations:
	@$(BIN)/pybabel -q compile -d translations

db:
	@$(FLASK) db upgrade
	@$(FLASK) demo-data

# For developers: refresh the catalogues after adding or changing user-visible text.
i18n:
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  -o translations/messages.pot app.py portal models templates
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance/samskab.db

# Load and fault test of the production topology: two gunicorn instances (two ports for two hosts) sharing
# only a private PostgreSQL cluster and a private Redis, plus the scheduler (about 3-5 minutes; see README).
load: install-dev translations
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

# For developers: refresh the vendored design system (Det Fælles Designsystem, npm `dkfds` 11.x) under
# static/vendor/dkfds/. Needs npm and the network; never part of `make run`.
vendor-dkfds:
	sh scripts/vendor_dkfds.sh
