# The two set-up commands of the README:
#   make demo   venv + explorer page + jars + local Neo4j + bundled sample loaded + the explorer on
#               http://127.0.0.1:8000/ and GraphQL on http://127.0.0.1:8000/graphql
#   make test   venv + explorer page + browser + jars + the whole test suite against a real Neo4j
#   make web    the explorer page and GraphiQL: npm packages pinned by web/package-lock.json, bundled
#               by esbuild into api/web-build/ (needs Node.js and npm; skipped when up to date)
#   make upgrade   (by hand, now and then) a fresh environment without the lock, the whole test suite
#               in it, and requirements.lock rewritten from it only when every test passed
#
# Python packages come from requirements.lock (pip constraints: exact versions of everything
# installed, pip and the build backend included), so a fresh machine installs what the tests passed
# with. pyproject.toml keeps the ranges (upper bounds where mastgraph uses a library's internals).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
LOCK    = requirements.lock
# PIP_CONSTRAINT reaches the isolated build environment too (setuptools from the lock). The one
# message silenced is setuptools' note that an install is editable, which every editable install prints.
PIP     = PIP_CONSTRAINT=$(abspath $(LOCK)) PYTHONWARNINGS="ignore:Editable installation" $(1)/python -m pip install --quiet
UPGRADE_VENV = .venv-upgrade

.PHONY: demo test venv web browser jars bench clean-state upgrade

$(BIN)/mastgraph: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mastgraph needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call PIP,$(BIN)) -c $(LOCK) pip setuptools
	$(call PIP,$(BIN)) -c $(LOCK) -e '.[test,mast]'
	touch $(BIN)/mastgraph

venv: $(BIN)/mastgraph

demo: venv web
	$(BIN)/mastgraph demo --host $(HOST) --port $(PORT)

test: venv web browser
	$(BIN)/python -m pytest -q

WEB_SOURCES := $(wildcard web/src/*) web/build.mjs
STATIC_BUILT = api/web-build/BUILT

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

# The lock's refresh: newest versions within pyproject.toml's ranges (to try a newer Strawberry or
# graphql-core, raise their upper bound there first), the whole suite, then the lock; a failing test
# leaves requirements.lock as it was.
upgrade: web browser
	rm -rf $(UPGRADE_VENV)
	$(PYTHON) -m venv $(UPGRADE_VENV)
	PYTHONWARNINGS="ignore:Editable installation" $(UPGRADE_VENV)/bin/python -m pip install --quiet --upgrade pip setuptools
	PYTHONWARNINGS="ignore:Editable installation" $(UPGRADE_VENV)/bin/python -m pip install --quiet -e '.[test,mast]'
	$(UPGRADE_VENV)/bin/python -m pytest -q
	{ sed -n '/^#/p' $(LOCK); $(UPGRADE_VENV)/bin/python -m pip freeze --all --exclude-editable | grep -v '^#' | sort -f; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(UPGRADE_VENV)
	@echo "requirements.lock rewritten; make venv installs it (git diff requirements.lock shows what moved)"

bench: venv
	$(BIN)/mastgraph bench

clean-state:
	-$(BIN)/mastgraph server stop
	rm -rf .mastgraph
