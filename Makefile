# The two commands: `make run` (serve the demo sites on :8000) and `make test` (the whole suite).
# Without DATABASE_URL both use an embedded PostgreSQL in .pgdata/ (see README "Settings").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install lint format migrate demo bench db-stop clean

$(BIN)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate_schemas --verbosity 0

demo: migrate
	$(BIN)/python manage.py setup_demo --port $(PORT)

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/provisioning.py

db-stop: install
	$(BIN)/python -m saas.settings.embedded_db stop

clean: db-stop
	rm -rf $(VENV) .pgdata
