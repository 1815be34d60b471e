# The two set-up commands of the README:
#   make demo   venv + jars + local Neo4j + bundled sample loaded + GraphQL served on http://127.0.0.1:8000/graphql
#   make test   venv + jars + the whole test suite against a real Neo4j
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test venv jars bench clean-state

$(BIN)/mastgraph: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mastgraph needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,mast]'
	touch $(BIN)/mastgraph

venv: $(BIN)/mastgraph

demo: venv
	$(BIN)/mastgraph demo --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/mastgraph bench

clean-state:
	-$(BIN)/mastgraph server stop
	rm -rf .mastgraph
