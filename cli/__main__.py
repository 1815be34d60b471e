from mastgraph.cli._entry import run

run()
