# The two set-up commands of the README:
#   make demo   venv + jars + local Neo4j + bundled sample loaded + GraphQL served on http://127.0.0.1:8000/graphql
#   make test   venv + jars + the whole test suite against a real Neo4j
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test venv browser jars bench clean-state

$(BIN)/mastgraph: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mastgraph needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,mast]'
	touch $(BIN)/mastgraph

venv: $(BIN)/mastgraph

demo: venv
	$(BIN)/mastgraph demo --host $(HOST) --port $(PORT)

test: venv browser
	$(BIN)/python -m pytest -q

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
