"""A bad environment value ends a command in one line naming the variable, its value and the reason."""

from __future__ import annotations

import pytest
import typer

from mastgraph.cli import common


def _line(monkeypatch, capsys, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(typer.Exit) as stopped:
        common.settings()
    assert stopped.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_a_bad_integer_names_its_variable_and_value(monkeypatch, capsys):
    err = _line(monkeypatch, capsys, MASTGRAPH_BATCH_SIZE="abc")
    assert err == ("error: bad configuration: MASTGRAPH_BATCH_SIZE='abc': Input should be a valid integer, "
                   "unable to parse string as an integer\n")


def test_every_bad_variable_is_named(monkeypatch, capsys):
    err = _line(monkeypatch, capsys, NEO4J_URI="http://x", MASTGRAPH_PARSE_WORKERS="-1")
    assert "NEO4J_URI: NEO4J_URI must start with one of bolt://" in err and "'http://x'" in err
    assert "MASTGRAPH_PARSE_WORKERS='-1': Input should be greater than or equal to 0" in err
    assert "[type=" not in err and "pydantic.dev" not in err


def test_a_uri_value_is_not_repeated(monkeypatch, capsys):
    err = _line(monkeypatch, capsys, NEO4J_URI="http://alice:secret@db")
    assert err.startswith("error: bad configuration: NEO4J_URI: NEO4J_URI must start with one of")


def test_a_user_without_a_password_is_one_line_naming_both_variables(monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    err = _line(monkeypatch, capsys, NEO4J_URI="bolt://db:7687", NEO4J_USER="alice")
    assert err == ("error: bad configuration: NEO4J_USER is set but NEO4J_PASSWORD is unset or empty: set both for "
                   "a Neo4j with auth, or neither for one without\n")


def test_a_user_without_a_uri_is_one_line_saying_what_to_do(monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    err = _line(monkeypatch, capsys, NEO4J_USER="alice", NEO4J_PASSWORD="pw")
    assert err == ("error: bad configuration: NEO4J_USER is set but NEO4J_URI is unset: without NEO4J_URI mastgraph "
                   "runs its own local server, which has no auth; set NEO4J_URI to the Neo4j of that user, or unset "
                   "NEO4J_USER\n")


def test_too_many_parse_workers_is_one_line(monkeypatch, capsys):
    err = _line(monkeypatch, capsys, MASTGRAPH_PARSE_WORKERS="100000")
    assert err == "error: bad configuration: MASTGRAPH_PARSE_WORKERS='100000': Input should be less than or equal to 256\n"
