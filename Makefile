# Billfold — developer commands. `make demo` and `make test` are the two a new
# user needs; everything installs into .venv from the committed uv.lock.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test bench lint run worker messages clean

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || { python=$$(scripts/find-python) && $$python -m venv $(VENV); }
	@$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --inexact --quiet --python $(PY)
	@touch $@

install: $(VENV)/.installed
	@$(PY) -m billfold.cli compilemessages_py --quiet

demo: install
	@$(PY) -m billfold.cli migrate --no-input -v 0
	@$(PY) -m billfold.cli demo
	@$(PY) -m billfold.cli serve_demo --port $(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

run: install
	@export DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-billfold.settings.production}; \
	  $(PY) -m billfold.cli migrate --no-input -v 0 && \
	  $(PY) -m billfold.cli collectstatic --no-input -v 0 && \
	  exec $(VENV)/bin/gunicorn billfold.wsgi --bind $${BIND:-127.0.0.1:$(PORT)} \
	    --workers $${WEB_CONCURRENCY:-2} --access-logfile -

worker: install
	$(PY) -m billfold.cli db_worker --queue-name '*' 

messages: install
	$(PY) -m billfold.cli makemessages_all

clean:
	rm -rf $(VENV) var/*.sqlite3* build *.egg-info
