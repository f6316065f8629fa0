# The two commands a new user needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run run-sso test setup graphiql dashboard oidc-provider lint format typecheck schema seed bench neo4j-start neo4j-stop clean

# A venv in the repo (ignored by git); packages come from pip's cache (~/.cache/pip) and Neo4j's
# jars from Maven's (~/.m2), so a second clone sets up in seconds.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# GraphiQL's JS + CSS, bundled from web/graphiql and served by the app itself (no CDN); rebuilt when
# missing or older than its sources. npm's packages come from its cache (~/.npm).
GRAPHIQL_SRC := $(wildcard web/graphiql/*.json web/graphiql/*.ts web/graphiql/*.tsx)
api/static/graphiql/graphiql.js: $(GRAPHIQL_SRC)
	cd web/graphiql && npm ci --no-audit --no-fund && npm run build
	touch $@

graphiql: api/static/graphiql/graphiql.js

# The coordinator dashboard and registration pages (TypeScript in web/dashboard), bundled the same
# way into api/static/dashboard and served by the app.
DASHBOARD_SRC := $(wildcard web/dashboard/*.json web/dashboard/*.html web/dashboard/*.css \
	web/dashboard/src/*.ts web/dashboard/src/*/*.ts)
api/static/dashboard/app.js: $(DASHBOARD_SRC)
	cd web/dashboard && npm ci --no-audit --no-fund && npm run build
	touch $@

dashboard: api/static/dashboard/app.js

# The development OpenID Connect provider (tests/oidc: panva's oidc-provider, pinned), for the
# single sign-on tests and `make run-sso`; from npm's cache like the bundles.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

oidc-provider: $(OIDC_PROVIDER)

## Start the local Neo4j, migrate, seed real units + the synthetic demo network, serve :8000.
run: $(STAMP) graphiql dashboard
	$(VENV)/bin/cds run

## The same, signed in through the development identity provider (single sign-on) on :8001.
run-sso: $(STAMP) graphiql dashboard oidc-provider
	$(VENV)/bin/cds run --oidc

## Lint, type-check, check the import contract (pyproject.toml), and run every test against a real local Neo4j started for the session,
## the browser tests (tests/e2e, Debian's chromium) included: they need both bundles built.
test: $(STAMP) graphiql dashboard oidc-provider
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

schema: $(STAMP)
	$(PY) -c 'from pathlib import Path; from api.schema import schema; Path("schema.graphql").write_text(str(schema) + "\n")'

seed: $(STAMP)
	$(VENV)/bin/cds seed

bench: $(STAMP) dashboard
	$(PY) -m bench.load
	$(PY) -m bench.ceiling
	$(PY) -m bench.api
	$(PY) -m bench.dashboard

neo4j-start: $(STAMP)
	$(VENV)/bin/cds neo4j start

neo4j-stop: $(STAMP)
	$(VENV)/bin/cds neo4j stop

clean:
	rm -rf $(VENV) graph/neo4j-local/target var web/graphiql/node_modules api/static/graphiql \
		web/dashboard/node_modules api/static/dashboard tests/oidc/node_modules
