"""The settings read only their own environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mastgraph.graph.settings import Settings


def test_home_is_not_taken_from_HOME(monkeypatch):
    monkeypatch.delenv("MASTGRAPH_HOME", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("HOME", "/somewhere/else")
    settings = Settings()
    assert settings.home == Path(".mastgraph")
    assert settings.embedded


def test_environment_names(monkeypatch):
    monkeypatch.setenv("MASTGRAPH_HOME", "/tmp/state")
    monkeypatch.setenv("NEO4J_URI", "neo4j://cluster:7687")
    monkeypatch.setenv("MASTGRAPH_BOLT_PORT", "7999")
    settings = Settings()
    assert settings.home == Path("/tmp/state") and settings.bolt_port == 7999
    assert settings.uri == "neo4j://cluster:7687" and not settings.embedded
    assert Settings(home=Path("x")).home == Path("x")  # field names still work as arguments


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_batch_size_below_one_is_refused(monkeypatch, value):
    monkeypatch.setenv("MASTGRAPH_BATCH_SIZE", value)
    with pytest.raises(ValidationError, match="MASTGRAPH_BATCH_SIZE"):
        Settings()


@pytest.mark.parametrize(("uri", "reason"), [
    ("bolt://[::1", "NEO4J_URI is not a valid URI"),
    ("bolt://127.0.0.1:99999", "NEO4J_URI is not a valid URI (Port out of range"),
    ("bolt://127.0.0.1:abc", "NEO4J_URI is not a valid URI"),
    ("bolt://alice:secret@db:7687", "must not hold a user name or password"),
    ("bolt://db:7687?policy=eu", "goes with neo4j:// URIs only"),
])
def test_a_uri_the_driver_would_refuse_is_refused_by_the_settings(monkeypatch, uri, reason):
    monkeypatch.setenv("NEO4J_URI", uri)
    with pytest.raises(ValidationError, match=r"NEO4J_URI") as refused:
        Settings()
    message = refused.value.errors()[0]["msg"]
    assert reason in message and "secret" not in message


@pytest.mark.parametrize("uri", ["bolt://db:7687", "neo4j+s://x.databases.neo4j.io", "neo4j://db:7687?policy=eu",
                                 "bolt://[::1]:7687"])
def test_good_uris_are_kept(monkeypatch, uri):
    monkeypatch.setenv("NEO4J_URI", uri)
    assert Settings().neo4j_uri == uri


@pytest.mark.parametrize(("name", "value"), [
    ("MASTGRAPH_BOLT_PORT", "0"), ("MASTGRAPH_BOLT_PORT", "99999"), ("MASTGRAPH_START_TIMEOUT", "-1"),
    ("MASTGRAPH_TX_TIMEOUT", "0"), ("MASTGRAPH_MAX_LINEAGE_DEPTH", "-3"), ("MASTGRAPH_MAX_LINEAGE_NODES", "0"),
    ("MASTGRAPH_MAX_PAGE_SIZE", "-1"), ("MASTGRAPH_MAX_QUERY_DEPTH", "0"), ("MASTGRAPH_MAX_ALIASES", "0"),
    ("MASTGRAPH_MAX_TOKENS", "0"), ("MASTGRAPH_MAX_RESULT_OBJECTS", "0"), ("MASTGRAPH_PARSE_WORKERS", "257"),
    ("MASTGRAPH_PARSE_WORKERS", "100000"),
    ("MASTGRAPH_MAST_RETRIES", "-1"), ("MASTGRAPH_MAST_RETRIES", "21"), ("MASTGRAPH_MAST_RETRY_WAIT", "-1"),
    ("MASTGRAPH_MAST_RETRY_WAIT", "nan"), ("MASTGRAPH_MAST_RETRY_MAX_WAIT", "inf"),
    ("MASTGRAPH_MAST_RETRY_MAX_WAIT", "86400"), ("MASTGRAPH_MAX_LINEAGE_DEPTH", "13"),
])
def test_a_value_out_of_its_range_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name):
        Settings()


@pytest.mark.parametrize(("name", "value"), [("MASTGRAPH_NEO4J_HEAP", "xyz"), ("MASTGRAPH_NEO4J_HEAP", "1.5g"),
                                             ("MASTGRAPH_NEO4J_HEAP", "1 GB"), ("MASTGRAPH_NEO4J_PAGECACHE", "lots")])
def test_a_memory_size_the_server_cannot_take_is_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name):
        Settings()


def test_memory_sizes_as_the_jvm_and_neo4j_take_them(monkeypatch):
    monkeypatch.setenv("MASTGRAPH_NEO4J_HEAP", "768m")
    monkeypatch.setenv("MASTGRAPH_NEO4J_PAGECACHE", "1.5GiB")
    assert (Settings().heap, Settings().pagecache) == ("768m", "1.5GiB")


@pytest.mark.parametrize("password", [None, ""], ids=["unset", "empty"])
def test_a_user_without_a_password_is_refused(monkeypatch, password):
    """The driver's auth is None without a password: a user name alone reached NEO4J_URI without auth."""
    monkeypatch.setenv("NEO4J_URI", "bolt://db:7687")
    monkeypatch.setenv("NEO4J_USER", "alice")
    if password is None:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("NEO4J_PASSWORD", password)
    with pytest.raises(ValidationError, match="NEO4J_USER is set but NEO4J_PASSWORD is unset or empty"):
        Settings()


def test_credentials_that_go_together_are_kept(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://db:7687")
    monkeypatch.delenv("NEO4J_USER", raising=False)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    assert Settings().auth is None  # (a Neo4j without auth)
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    assert Settings().auth == ("neo4j", "pw")  # (the password alone: the user neo4j)
    monkeypatch.setenv("NEO4J_USER", "alice")
    assert Settings().auth == ("alice", "pw")
    monkeypatch.setenv("NEO4J_USER", "")  # (empty: not given)
    assert Settings().auth == ("neo4j", "pw")


@pytest.mark.parametrize("password", [None, "pw"], ids=["alone", "with a password"])
def test_a_user_without_a_uri_is_refused(monkeypatch, password):
    """Without NEO4J_URI mastgraph runs its own server, without auth: a user name there meant another
    Neo4j, and what the command loads would go to the local one instead (it was silently ignored)."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("NEO4J_USER", "alice")
    if password is None:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("NEO4J_PASSWORD", password)
    with pytest.raises(ValidationError, match="NEO4J_USER is set but NEO4J_URI is unset"):
        Settings()
    monkeypatch.setenv("NEO4J_USER", "")  # (empty: not given)
    assert Settings().embedded


def test_the_mast_retries(monkeypatch):
    assert (Settings().mast_retries, Settings().mast_retry_wait, Settings().mast_retry_max_wait) == (4, 2.0, 60.0)
    monkeypatch.setenv("MASTGRAPH_MAST_RETRIES", "0")
    monkeypatch.setenv("MASTGRAPH_MAST_RETRY_WAIT", "0.5")
    monkeypatch.setenv("MASTGRAPH_MAST_RETRY_MAX_WAIT", "10")
    assert (Settings().mast_retries, Settings().mast_retry_wait, Settings().mast_retry_max_wait) == (0, 0.5, 10.0)
