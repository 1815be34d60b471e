from mastgraph.cli.main import app

app(prog_name="mastgraph")
