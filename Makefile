# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/cwflow_test
DEMO_DB := instance/cwflow-demo.db

.PHONY: install install-python install-js host-packages demo serve test test-sqlite test-postgres lint clean \
	bench bench-small bench-api bench-sql bench-inbox bench-long bench-timers bench-profile bench-cycles

install: install-python install-js

$(BIN)/python:
	$(PY) -m venv $(VENV)

install-python: $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'

install-js:
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund --loglevel=error && npm run --silent vendor; \
	else echo "npm not found: the browser diagram editor will be missing"; fi

# The printable approval form needs Pango and a CJK font (README, "Printing and e-mail"): installed with
# apt-get where it can be (as root, or through sudo without a password); otherwise the app names them.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
host-packages:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && fc-list :lang=zh family 2>/dev/null | grep -q .; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "no apt-get: install Pango and a CJK font ($(APT_PACKAGES)) for the printable form"; \
	else \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
		else echo "not root: run 'sudo apt-get install -y $(APT_PACKAGES)' for the printable form"; exit 0; fi; \
		($$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null) || \
			echo "apt-get could not install $(APT_PACKAGES): the printable form stays unavailable"; \
	fi

demo: install host-packages
	CWFLOW_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) CWFLOW_COOKIE_SECURE=0 $(BIN)/cwflow demo
	CWFLOW_DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) CWFLOW_COOKIE_SECURE=0 \
		CWFLOW_SECRET_KEY=$${CWFLOW_SECRET_KEY:-demo-only-secret-change-me} \
		$(BIN)/gunicorn -c config/gunicorn.conf.py --bind 127.0.0.1:5000

test: install lint test-sqlite test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test-sqlite:
	$(BIN)/python -m pytest

# Runs when PostgreSQL answers at 127.0.0.1:5432 (CI starts it); otherwise says so and skips.
# Browser tests run once, in the SQLite pass: their live server has its own database either way.
test-postgres:
	@if $(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', connect_timeout=3).close()" 2>/dev/null; then \
		psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='cwflow_test'" | grep -q 1 || \
			psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE cwflow_test" >/dev/null; \
		CWFLOW_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -m 'not browser'; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: PostgreSQL tests not run"; fi

# Benchmarks (bench/RESULTS.md): each prints a table and writes bench/results/<name>.json, with the raw
# engine measured in the same run. `make bench` is the full scale (run it on a quiet machine, PostgreSQL
# on 127.0.0.1); `make bench-small` proves every benchmark works in a few minutes.
BENCH := $(BIN)/python bench
bench: install bench-api bench-sql bench-inbox bench-long bench-timers bench-profile

bench-api:
	$(BENCH)/api_throughput.py --cycles 2000 --threads 1,8
bench-sql:
	$(BENCH)/sql_statements.py --cases 500
bench-inbox:
	$(BENCH)/inbox_scale.py --rows 1000000 --open 100000 --streets 50 --repeat 200
bench-long:
	$(BENCH)/long_instance.py --steps 200 --samples 50
bench-timers:
	$(BENCH)/timers_load.py --instances 10000 --workers 2 --limit 180
bench-profile:
	$(BENCH)/profile_hot_paths.py --cases 300
bench-cycles:
	$(BENCH)/api_cycles.py --cycles 1000 --threads 8

bench-small: install
	$(BENCH)/api_throughput.py --cycles 100 --threads 1,8
	$(BENCH)/sql_statements.py --cases 30
	$(BENCH)/inbox_scale.py --rows 50000 --open 5000 --streets 50 --repeat 30
	$(BENCH)/long_instance.py --steps 200 --samples 10
	$(BENCH)/timers_load.py --instances 300 --workers 2 --limit 120

clean:
	rm -rf $(VENV) node_modules web/static/vendor instance
