# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= deploy/config.example.yaml
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench train lint format docs screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The compose-spec JSON schema (compose/config/compose_spec.json) for the compose test.
	$(BIN)/python -m pip download --quiet --no-deps --dest $(VENV)/specs docker-compose==1.29.2
	@touch $(STAMP)

run: $(STAMP)  ## all services in one process on the example config (embedded Redis)
	$(BIN)/newsalert run --config $(CONFIG)

test: $(STAMP)  ## the whole suite, unit and integration (starts its own redis-server)
	$(BIN)/pytest

test-fast: $(STAMP)  ## tests/unit only: no Redis, no service processes, under 30 s
	$(BIN)/pytest tests/unit

bench: $(STAMP)  ## throughput and memory figures, with baselines run in the same process
	$(BIN)/python bench/run.py

train: $(STAMP)  ## refit the learned classifier decision on the corpus's train split (needs ../shared/data)
	$(BIN)/python bench/train_model.py

lint: $(STAMP)  ## ruff + strict mypy + deptry (imports match the declared dependencies)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/deptry .

format: $(STAMP)
	$(BIN)/ruff check --fix .

docs: $(STAMP)  ## regenerate the AsyncAPI documents under docs/
	$(BIN)/python -m services.asyncapi docs/
	$(BIN)/python -m services.notifier.payload_schema docs/

screenshots: $(STAMP)  ## refresh the README's screenshots (docs/img) from the browser test
	NEWSALERT_SCREENSHOTS=docs/img $(BIN)/pytest -q tests/integration/test_web_browser.py

clean:
	rm -rf $(VENV) .newsalert .mypy_cache .ruff_cache
