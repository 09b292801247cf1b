# The two commands: `make run` (serve the demo sites on :8000) and `make test` (the whole suite).
# Without DATABASE_URL both use an embedded PostgreSQL in .pgdata/ (see README "Settings").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
HOST   ?= 127.0.0.1
PORT   ?= 8000
# pytest-xdist workers for `make test` (one per core by default; 0 runs in this process).
TEST_WORKERS ?= auto

.PHONY: run test install lint format migrate demo bench bench-load stripe-fake stop db-stop clean

$(BIN)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.8"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate_schemas --verbosity 0

demo: migrate
	$(BIN)/python manage.py setup_demo --port $(PORT)

# localstripe: a local fake of Stripe's API for development (settings/local.py points at it), with
# the platform's Prices, Checkout and Billing Portal added (saas/dev/localstripe.py).
stripe-fake: install
	@$(BIN)/python -c "import socket,sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', 8420)) != 0)" \
	  || (nohup $(BIN)/python -m saas.dev.localstripe --port 8420 --from-scratch > .localstripe.log 2>&1 & echo $$! > .localstripe.pid)

# ASGI (uvicorn), so the notification stream (Server-Sent Events, an async view) works. The
# graceful-shutdown timeout lets a reload finish while a browser keeps a stream open.
run: demo stripe-fake
	$(BIN)/uvicorn saas.asgi:application --reload --reload-dir saas --reload-dir shared_apps \
	  --reload-dir tenant_apps --reload-include '*.html' --reload-include '*.txt' \
	  --host $(HOST) --port $(PORT) --lifespan off --timeout-graceful-shutdown 2

# Every worker builds its own test database and session tenants; `--dist worksteal` evens out the
# long schema-fuzzing tests. Add `--reuse-db` (pytest-django) to keep the databases between runs.
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# The same commands run in .pre-commit-config.yaml (tests/test_readme.py keeps the two in step).
lint: install
	$(UV) lock --check --quiet
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/provisioning.py

# The load suite: gunicorn + uvicorn workers on the production profile, Locust per scenario.
bench-load: install
	$(BIN)/python bench/load/run.py

db-stop: install
	$(BIN)/python -m saas.settings.embedded_db stop

stop: db-stop
	-test -f .localstripe.pid && kill $$(cat .localstripe.pid) && rm -f .localstripe.pid

clean: stop
	rm -rf $(VENV) .pgdata

# Offline checks of the Dockerfile, k8s/ and infra/terraform (docs/operations.md, "CI checks"): no
# Docker engine, cluster or cloud account needed. The "infra" dependency group goes into the venv;
# checkov pins versions the application's dependencies have outgrown (boto3, packaging), so it gets
# its own environment from the "checkov" group of the same lock file.
# (A venv created by uv itself has no uv inside; then the uv on PATH is used.)
INFRA_RENDERED := $(VENV)/infra-rendered
CHECKOV        := $(VENV)/checkov/bin/checkov
INFRA_UV        = $(if $(wildcard $(UV)),$(UV),uv)
.PHONY: infra-check
infra-check: install
	UV_PROJECT_ENVIRONMENT=$(VENV) $(INFRA_UV) sync --frozen --quiet --group infra
	UV_PROJECT_ENVIRONMENT=$(VENV)/checkov $(INFRA_UV) sync --frozen --quiet --only-group checkov --python $(BIN)/python
	$(BIN)/hadolint Dockerfile
	$(BIN)/yamllint --strict --config-file k8s/.yamllint.yaml k8s
	rm -rf $(INFRA_RENDERED) && mkdir -p $(INFRA_RENDERED)
	for k in overlays/dev overlays/prod overlays/edge cluster; do \
	  $(BIN)/python -m tests.infra.kustomize k8s/$$k > $(INFRA_RENDERED)/$$(echo $$k | tr / -).yaml || exit 1; \
	done
	cp k8s/custom-domain/custom-domain.yaml k8s/ops/pg-toolbox.yaml $(INFRA_RENDERED)/
	$(CHECKOV) --skip-download --quiet --compact --framework kubernetes --directory $(INFRA_RENDERED)
	$(CHECKOV) --skip-download --quiet --compact --framework terraform --directory infra/terraform
	$(CHECKOV) --skip-download --quiet --compact --framework dockerfile --file Dockerfile
	@if command -v terraform >/dev/null 2>&1; then \
	  echo "terraform fmt -check -recursive infra"; TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff infra; \
	else echo "terraform is not installed: fmt -check skipped (tests/infra parses every .tf file)"; fi
	$(BIN)/pytest -q tests/infra
