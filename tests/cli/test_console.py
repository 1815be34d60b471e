"""What the commands print names paths and values exactly: no `:name:` turned into an emoji."""

from __future__ import annotations

from mastgraph.cli import common


def test_an_error_line_keeps_colon_words(capsys):
    common.error_line("/data/run:cat:x_pool.csv:1: pool header lacks required column(s) FILENAME")
    common.error_line("no library query named 'x:ok:y'")
    assert capsys.readouterr().err == ("error: /data/run:cat:x_pool.csv:1: pool header lacks required column(s) "
                                       "FILENAME\nerror: no library query named 'x:ok:y'\n")


def test_the_output_console_keeps_colon_words(capsys):
    common.console.print("rejects report: /tmp/a:fire:b.txt", markup=False, highlight=False)
    assert capsys.readouterr().out == "rejects report: /tmp/a:fire:b.txt\n"


def test_a_long_message_stays_one_line_when_redirected(capsys):
    """Output to a file or a pipe (80 columns to rich) is not cut into lines: a summary or a path longer
    than that is one line, for grep and for logs; a table is still laid out to the width."""
    from rich.table import Table

    long = ("sample loaded: 478 files, 16016 records, 0 nodes and 0 relationships created in 11.2 s; "
            "rejects report: /very/long/work/folder/" + "x" * 60 + "/rejects.txt")
    common.console.print(long, highlight=False)
    common.err_console.print(long, highlight=False)
    table = Table(title="graph changes")
    table.add_column("name")
    table.add_row("y" * 200)
    common.console.print(table, soft_wrap=False)
    captured = capsys.readouterr()
    assert captured.err == long + "\n"
    lines = captured.out.splitlines()
    assert lines[0] == long
    assert "graph changes" in lines[1] and max(map(len, lines[1:])) <= common.console.width
