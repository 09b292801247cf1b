# The two commands: `make run` (serve the demo sites on :8000) and `make test` (the whole suite).
# Without DATABASE_URL both use an embedded PostgreSQL in .pgdata/ (see README "Settings").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install lint format migrate demo bench stripe-fake stop db-stop clean

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

# localstripe: a local fake of Stripe's API for development (settings/local.py points at it).
stripe-fake: install
	@$(BIN)/python -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', 8420)) != 0)" \
	  || (nohup $(BIN)/localstripe --port 8420 --from-scratch > .localstripe.log 2>&1 & echo $$! > .localstripe.pid)

# ASGI (uvicorn), so the notification stream (Server-Sent Events, an async view) works. The
# graceful-shutdown timeout lets a reload finish while a browser keeps a stream open.
run: demo stripe-fake
	$(BIN)/uvicorn saas.asgi:application --reload --reload-dir saas --reload-dir shared_apps \
	  --reload-dir tenant_apps --reload-include '*.html' --reload-include '*.txt' \
	  --host $(HOST) --port $(PORT) --lifespan off --timeout-graceful-shutdown 2

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

stop: db-stop
	-test -f .localstripe.pid && kill $$(cat .localstripe.pid) && rm -f .localstripe.pid

clean: stop
	rm -rf $(VENV) .pgdata
