"""The fast executor's start-up check (api/execution.py): it passes on the installed libraries, it
names what is missing, and a failed check or MASTGRAPH_FAST_EXECUTOR=false gives Strawberry's
standard execution with the same answers."""

from __future__ import annotations

import asyncio
import logging

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from mastgraph.api import execution
from mastgraph.api.context import RequestContext
from mastgraph.api.schema import build_schema
from mastgraph.graph import read

from .test_execution import QUERIES


class _NoCollectSubfields(StrawberryGraphQLCoreExecutionContext):
    collect_subfields = None  # as if a graphql-core release had removed it


class _OtherParameters(StrawberryGraphQLCoreExecutionContext):
    def complete_value(self, return_type, field_nodes, info, path, result):  # an older signature
        return super().complete_value(return_type, field_nodes, info, path, result, None)


def test_the_check_passes_on_the_installed_libraries(neo4j_settings):
    assert execution.fast_executor_problems() == []
    assert build_schema(neo4j_settings.model_copy(update={"fast_executor": True})).execution_context_class \
        is execution.FastExecutionContext


def test_the_check_names_a_missing_method_and_a_changed_signature():
    assert execution.fast_executor_problems(_NoCollectSubfields) == ["the execution context has no collect_subfields"]
    (problem,) = execution.fast_executor_problems(_OtherParameters)
    assert problem.startswith("complete_value takes (return_type, field_nodes, info, path, result), not (")


def test_a_failed_check_falls_back_with_one_warning(neo4j_settings, monkeypatch, caplog):
    monkeypatch.setattr(execution, "StrawberryGraphQLCoreExecutionContext", _NoCollectSubfields)
    settings = neo4j_settings.model_copy(update={"fast_executor": True})
    with caplog.at_level(logging.WARNING, logger="mastgraph.api"):
        schema = build_schema(settings)
    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext
    warnings = [r.getMessage() for r in caplog.records if r.name == "mastgraph.api"]
    assert len(warnings) == 1 and "the execution context has no collect_subfields" in warnings[0]


def test_a_schema_without_strawberry_definitions_falls_back(neo4j_settings, monkeypatch, caplog):
    monkeypatch.setattr(execution, "DEFINITION", "strawberry-definition-renamed")
    with caplog.at_level(logging.WARNING, logger="mastgraph.api"):
        schema = build_schema(neo4j_settings.model_copy(update={"fast_executor": True}))
    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext
    assert "strawberry-definition-renamed" in caplog.text


def test_the_setting_turns_it_off_without_a_warning(neo4j_settings, caplog):
    with caplog.at_level(logging.WARNING, logger="mastgraph.api"):
        schema = build_schema(neo4j_settings.model_copy(update={"fast_executor": False}))
    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext
    assert not [r for r in caplog.records if r.name == "mastgraph.api"]


@pytest.mark.parametrize("name, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_the_fallback_answers_as_the_fast_executor(sample_graph, neo4j_settings, monkeypatch, name, query):
    key = {"l3": sample_graph.l3, "series": sample_graph.series, "observation": sample_graph.exposure_obsids[0]}[name]
    fast = build_schema(neo4j_settings.model_copy(update={"fast_executor": True}))
    monkeypatch.setattr(execution, "StrawberryGraphQLCoreExecutionContext", _NoCollectSubfields)
    fallback = build_schema(neo4j_settings.model_copy(update={"fast_executor": True}))
    assert fast.execution_context_class is execution.FastExecutionContext
    assert fallback.execution_context_class is StrawberryGraphQLCoreExecutionContext

    async def answers():
        driver = read.open_driver(neo4j_settings)
        try:
            out = []
            for schema in (fast, fallback):
                context = RequestContext(read.Reader(driver, neo4j_settings.neo4j_database, 10.0), neo4j_settings)
                result = await schema.execute(query, {"k": key}, context_value=context)
                out.append((result.data, [e.message for e in result.errors or []]))
            return out
        finally:
            await driver.close()

    first, second = asyncio.run(answers())
    assert first == second and first[0] and not first[1]


def test_the_environment_switches_it(monkeypatch):
    from mastgraph.graph.settings import Settings

    monkeypatch.setenv("MASTGRAPH_FAST_EXECUTOR", "false")
    assert Settings().fast_executor is False
    monkeypatch.setenv("MASTGRAPH_FAST_EXECUTOR", "true")
    assert Settings().fast_executor is True
