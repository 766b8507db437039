# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installe
# Development values, set explicitly: anywhere else (gunicorn, celery, manage.py alone) DEBUG is
# off and the settings refuse to start without a real SECRET_KEY and ALLOWED_HOSTS.
export DEBUG ?= 1

.PHONY: install run serve test stop bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(PY) -r pyproject.toml --extra dev
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py preparer_demo
	sh scripts/serve.sh

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

stop:
	-$(PY) manage.py arreter_postgres

clean: stop
	rm -rf var
