# The two set-up commands of the README:
#   make demo   venv + explorer page + jars + local Neo4j + bundled sample loaded + the explorer on
#               http://127.0.0.1:8000/ and GraphQL on http://127.0.0.1:8000/graphql
#   make test   venv + explorer page + browser + jars + the whole test suite against a real Neo4j
#   make web    the explorer page and GraphiQL: npm packages pinned by web/package-lock.json, bundled
#               by esbuild into api/static/ (needs Node.js and npm; skipped when up to date)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test venv web browser jars bench clean-state

$(BIN)/mastgraph: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mastgraph needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,mast]'
	touch $(BIN)/mastgraph

venv: $(BIN)/mastgraph

demo: venv web
	$(BIN)/mastgraph demo --host $(HOST) --port $(PORT)

test: venv web browser
	$(BIN)/python -m pytest -q

WEB_SOURCES := $(wildcard web/src/*) web/build.mjs
STATIC_BUILT = api/static/BUILT

web: $(STATIC_BUILT)

web/node_modules/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "error: the explorer page needs Node.js and npm (Debian: apt-get install nodejs npm) for make web"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC_BUILT): web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build

# The page tests drive Debian's Chromium; as root, set-up installs it, else it says what to install.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium and chromium-driver for the page tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| { echo "error: apt-get could not install chromium and chromium-driver"; exit 1; }; \
	else echo "error: the page tests need Debian's packages chromium and chromium-driver: sudo apt-get install chromium chromium-driver"; exit 1; fi

bench: venv
	$(BIN)/mastgraph bench

clean-state:
	-$(BIN)/mastgraph server stop
	rm -rf .mastgraph
