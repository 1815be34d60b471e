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
