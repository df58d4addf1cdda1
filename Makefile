# The CMA Portal. `make run` and `make test` are all a newcomer needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local commands run in debug mode (insecure dev key, no TLS redirect);
# `make serve` and the benchmarks run in production mode.
LOCAL := DEBUG=1
# Links in emails and calendar feeds point where `make run` serves the site
# (`make run PORT=8101` → http://127.0.0.1:8101); set SITE_URL to override.
SITE_URL ?= http://$(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run test lint format worker serve bench clean

help:
	@echo "make run     set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test    run the test suite (SQLite and eager Celery unless DATABASE_URL/REDIS_URL are set)"
	@echo "make lint    ruff check and format check, mypy, import contracts"
	@echo "make worker  Celery worker with beat (needs REDIS_URL)"
	@echo "make serve   production mode: gunicorn + whitenoise, Celery worker and beat (needs DATABASE_URL, REDIS_URL, SECRET_KEY)"
	@echo "make bench   run every benchmark in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  The CMA Portal is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "  Emails are printed below; the staff pages are at http://$(HOST):$(PORT)/staff/"
	@echo ""
	$(LOCAL) SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests drive the system's Chromium: found, installed with the
# system package manager when this user may, or a message naming the command.
test: $(VENV)/.dev
	@./scripts/ensure-chromium.sh
	$(LOCAL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(LOCAL) $(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(VENV)/.runtime
	@test -n "$(REDIS_URL)" || (echo "make worker needs REDIS_URL (without it, tasks already run in-process)"; exit 2)
	$(LOCAL) $(BIN)/celery -A cma worker --beat --loglevel=info

serve: $(VENV)/.runtime
	@test -n "$(DATABASE_URL)" -a -n "$(REDIS_URL)" -a -n "$(SECRET_KEY)" || \
		(echo "make serve needs DATABASE_URL, REDIS_URL and SECRET_KEY"; exit 2)
	DEBUG=0 ./scripts/serve.sh

bench: $(VENV)/.dev
	@status=0; for script in bench/*.py; do \
		case "$$(basename $$script)" in _*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
