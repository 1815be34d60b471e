"""The Starlette app: health and readiness, GraphiQL, the PROV route, the bearer-token guard."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import api_settings, gql, ok

TOKEN = "s3cret-token"


def test_health_and_readiness(api, sample_graph):
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_graphiql_in_a_browser(api):
    page = api.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_queries_via_get(api, sample_graph):
    response = api.get("/graphql", params={"query": '{ program(id: "2733") { programId } }'})
    assert response.json()["data"] == {"program": {"programId": "02733"}}


def test_state_holds_the_driver_and_settings(api, neo4j_settings):
    state = api.app.state
    assert state.settings == neo4j_settings
    assert type(state.driver).__name__.startswith("Async")


def test_prov_route_is_mounted(api, sample_graph):
    response = api.get("/prov/" + sample_graph.l3)
    try:
        import mastgraph.api.prov  # noqa: F401 - written separately; mounted lazily
    except ModuleNotFoundError:
        assert response.status_code == 404 and "PROV" in response.json()["error"]
        return
    assert response.status_code == 200, response.text
    assert sample_graph.l3.rsplit("/", 1)[1] in response.text
    assert api.get("/prov/mast:JWST/product/none.fits").status_code == 404


@pytest.fixture(scope="module")
def guarded(neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, api_token=TOKEN))) as client:
        yield client


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_token_guard_refuses(guarded, headers):
    for path in ("/graphql", "/readyz", "/prov/x"):
        response = guarded.post(path, json={"query": "{ __typename }"}, headers=headers) if path == "/graphql" \
            else guarded.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert guarded.post("/graphql", json={"query": "{ __typename }"}, headers=headers).json()["errors"][0][
        "extensions"]["code"] == "UNAUTHENTICATED"


def test_token_guard_lets_the_token_through(guarded, sample_graph):
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/healthz").status_code == 200  # open: the process is up
    assert guarded.get("/readyz", headers=bearer).status_code == 200
    answer = gql(guarded, '{ product(uri: "%s") { uri } }' % sample_graph.l3, headers=bearer)
    assert ok(answer) == {"product": {"uri": sample_graph.l3}}


def test_internal_errors_are_masked(api, sample_graph, monkeypatch):
    from mastgraph.graph import read

    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail /home/user/password")

    monkeypatch.setattr(read, "fetch_by_keys", broken)
    answer = gql(api, '{ product(uri: "%s") { uri } }' % sample_graph.l3)
    error = answer.errors[0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(answer) and "Traceback" not in str(answer)


def test_syntax_and_validation_errors_carry_codes(api):
    assert gql(api, "{ product(uri: ").errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert gql(api, "{ product(uri: \"x\") { nope } }").errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("query, value", [
    ("query($v: Int) { products(first: $v) { totalCount } }", 1.5),
    ("query($v: Int) { products(first: $v) { totalCount } }", "NaN"),
    ("query($v: Int) { products(first: $v) { totalCount } }", True),
    ('query($v: Int) { lineage(uri: "x", maxDepth: $v) { truncated } }', 1e300),
    ('query($v: LineageDirection) { lineage(uri: "x", direction: $v) { truncated } }', "SIDEWAYS"),
    ('query($v: [LineageRelationship!]) { lineage(uri: "x", relationships: $v) { truncated } }', ["FOO"]),
    ("query($v: ProductFilter) { products(filter: $v) { totalCount } }", {"bogus": 1}),
    ("query($v: ProductFilter) { products(filter: $v) { totalCount } }", "text"),
    ('query($v: Float!) { exposuresDuringEngineering(mnemonic: "M", from: $v, to: 1) { series { key } } }', "NaN"),
])
def test_a_variable_of_the_wrong_type_is_the_clients_error(api, query, value, caplog):
    with caplog.at_level("DEBUG", logger="mastgraph.api"):
        answer = gql(api, query, {"v": value})
    (error,) = answer.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["message"].startswith("Variable '$v'"), error
    assert "internal error" not in error["message"] and answer.data is None
    assert answer.queries == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "logged as a bug of the service"


def refused(reason: str) -> dict:
    """The JSON of a request /graphql cannot read (HTTP 400)."""
    return {"errors": [{"message": reason, "extensions": {"code": "BAD_REQUEST"}}]}


#: Strawberry's own refusals of a request that is not a GraphQL request (it answered them in plain text).
NOT_GRAPHQL = [
    ("GET", {"params": {}, "headers": {"Accept": "application/json"}}, "No GraphQL query found in the request"),
    ("POST", {"json": {"variables": {}}}, "No GraphQL query found in the request"),
    ("POST", {"json": {"query": 5}}, "The GraphQL operation's `query` must be a string or null, if provided."),
    ("POST", {"json": {"query": "{ __typename }", "variables": [1]}},
     "The GraphQL operation's `variables` must be an object or null, if provided."),
    ("GET", {"params": {"query": "{ __typename }", "extensions": "5"}},
     "The GraphQL operation's `extensions` must be an object or null, if provided."),
    ("POST", {"json": [{"query": "{ __typename }"}]}, "Batching is not enabled"),
    ("POST", {"json": {"query": "{ __typename }", "operationName": "Nope"}}, 'Unknown operation named "Nope".'),
]


@pytest.mark.parametrize("method, request_, reason", NOT_GRAPHQL)
def test_every_400_of_graphql_is_json(api, method, request_, reason):
    response = api.request(method, "/graphql", **request_)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error == {"message": reason, "extensions": {"code": "BAD_REQUEST"}}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_a_method_other_than_get_or_post_is_a_json_405(api, method):
    response = api.request(method, "/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == "application/json"
    if method != "HEAD":
        assert response.json() == {"errors": [{"message": f"/graphql takes GET or POST, not {method}",
                                               "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}


@pytest.mark.parametrize("body, reason", [
    (b'"{ __typename }"', 'the request body must be a JSON object: {"query": "...", "variables": {...}}'),
    (b"5", 'the request body must be a JSON object: {"query": "...", "variables": {...}}'),
    (b"null", 'the request body must be a JSON object: {"query": "...", "variables": {...}}'),
    (b'{"query": "{ __typename }"', "the request body is not JSON"),
    (b'{"query": "\x80"}', "the request body is not JSON"),
    (b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
     "the request body is JSON nested too deeply"),
    (b'{"query": "query($n: Int) { products(first: $n) { totalCount } }", "variables": {"n": ' + b"9" * 5000 + b"}}",
     "the request body holds an integer of more than 4,300 digits"),
])
def test_a_body_that_is_not_a_json_object_is_a_400_in_one_line(api, body, reason):
    response = api.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, refused(reason))


@pytest.mark.parametrize("variables, reason", [
    ("{bad", "the `variables` parameter is not JSON"),
    ('{"n": %s}' % ("9" * 5000), "the `variables` parameter holds an integer of more than 4,300 digits"),
    ("[" * 1100 + "]" * 1100, "the `variables` parameter is JSON nested too deeply"),
    ("5", "The GraphQL operation's `variables` must be an object or null, if provided."),
])
def test_a_get_names_its_bad_variables_parameter(api, variables, reason):
    response = api.get("/graphql", params={"query": "{ __typename }", "variables": variables})
    assert (response.status_code, response.json()) == (400, refused(reason))
    assert api.get("/graphql", params={"query": "{ __typename }", "variables": "{}"}).json() == {
        "data": {"__typename": "Query"}}


@pytest.mark.parametrize("query, message", [
    ("depth=1_0", "depth must be a whole number, not '1_0'"),
    ("depth=%D9%A3", "depth must be a whole number, not '\u0663'"),
    ("depth=%203", "depth must be a whole number, not ' 3'"),
    ("depth=1&depth=2", "depth is given 2 times: give it once"),
    ("format=json&format=xml", "format is given 2 times: give it once"),
    ("fromat=xml", "unknown parameter 'fromat': /prov/{uri} takes format and depth"),
    ("format=xml&Depth=1", "unknown parameter 'Depth': /prov/{uri} takes format and depth"),
    ("depth=" + "9" * 5000, "depth must be between 0 and 10, not '" + "9" * 63 + "... (5002 characters)"),
    ("format=" + "x" * 5000, "unknown PROV format '" + "x" * 63 + "... (5002 characters): use one of json, provn, xml, dot"),
    ("y" * 5000 + "=1", "unknown parameter '" + "y" * 63 + "... (5002 characters): /prov/{uri} takes format and depth"),
])
def test_prov_query_parameters_are_read_as_written(api, sample_graph, query, message):
    response = api.get(f"/prov/{sample_graph.l3}?{query}")
    assert (response.status_code, response.json()) == (400, {"error": message})


def test_prov_takes_a_signed_depth_and_no_parameters(api, sample_graph):
    assert api.get(f"/prov/{sample_graph.l3}?depth=%2B1&format=provn").text.startswith("document")
    assert api.get(f"/prov/{sample_graph.l3}").status_code == 200
    assert api.get(f"/prov/{sample_graph.l3}?depth=-1").json() == {"error": "depth must be between 0 and 10, not -1"}


@pytest.mark.parametrize("headers, named", [({"Content-Type": "text/plain"}, "text/plain"),
                                            ({"Content-Type": "application/x-www-form-urlencoded"},
                                             "application/x-www-form-urlencoded"),
                                            ({"Content-Type": "multipart/form-data; boundary=b"}, "multipart/form-data"),
                                            ({"Content-Type": "text/" + "p" * 10_000}, "text/" + "p" * 59 + "... (10005 characters)"),
                                            ({}, "none")])
def test_a_post_without_json_names_the_content_type_it_needs(api, headers, named):
    response = api.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert (response.status_code, response.json()) == (
        400, refused(f"a POST to /graphql takes Content-Type: application/json, not {named}"))
    assert api.post("/graphql", content=b'{"query": "{ __typename }"}',
                    headers={"Content-Type": "application/json; charset=utf-8"}).json() == {"data": {"__typename": "Query"}}


#: A client's value of 100,000 characters: its errors show 64 of them and the length.
LONG = "2" * 100_000


@pytest.mark.parametrize("query, argument, reason", [
    ("query($v: String!) { program(id: $v) { programId } }", "id",
     "is not a JWST program id (up to 5 digits, e.g. 2733 or 02733)"),
    ("query($v: String!) { products(filter: {program: $v}) { totalCount } }", "filter.program",
     "is not a JWST program id (up to 5 digits, e.g. 2733 or 02733)"),
    ("query($v: String!) { products(filter: {level: $v}) { totalCount } }", "filter.level",
     "is not a product level (1b, 2a, 2b, 3)"),
    ('query($v: String!) { downloadList(id: "x", levels: [$v]) { count } }', "levels",
     "is not a product level (1b, 2a, 2b, 3)"),
])
def test_an_argument_error_cuts_a_long_value(api, query, argument, reason):
    answer = gql(api, query, {"v": LONG})
    (error,) = answer.errors
    assert error["message"] == f"argument `{argument}`: '{LONG[:63]}... (100002 characters) {reason}"
    assert error["extensions"] == {"argument": argument, "code": "BAD_USER_INPUT"}
    assert answer.queries == 0


@pytest.mark.parametrize("value", ["\u0662\u0667\u0663\u0663", "jw\u0662\u0667\u0663\u0663", "27\u00b3"])
def test_a_program_id_in_digits_of_another_script_is_refused(api, value):
    """Python's \\d takes any script's digits: "٢٧٣٣" is no JWST program id, not a key no program has."""
    answer = gql(api, "query($v: String!) { program(id: $v) { programId } }", {"v": value})
    (error,) = answer.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "is not a JWST program id" in error["message"]
    assert answer.queries == 0


@pytest.mark.parametrize("query, variables, message, code", [
    ("{ x%s }" % LONG, None, f"Cannot query field 'x{LONG[:62]}... (100003 characters) on type 'Query'.",
     "GRAPHQL_VALIDATION_FAILED"),
    ('{ product(uri: "x", x%s: 1) { uri } }' % LONG, None,
     f"Unknown argument 'x{LONG[:62]}... (100003 characters) on field 'Query.product'.", "GRAPHQL_VALIDATION_FAILED"),
    ('{ products(first: "%s") { totalCount } }' % LONG, None,
     f'Int cannot represent non-integer value: "{LONG[:63]}... (100002 characters)', "GRAPHQL_VALIDATION_FAILED"),
    ("{ products(first: %s) { totalCount } }" % ("9" * 5000), None,
     "Expected value of type 'Int', but encountered error 'Exceeds the limit (4300 digits) for integer string "
     f"conversion: ... (142 characters); found: {'9' * 64}... (5000 characters).", "GRAPHQL_VALIDATION_FAILED"),
    ('query($v: LineageDirection) { lineage(uri: "x", direction: $v) { truncated } }', {"v": "X" + LONG},
     f"Variable '$v' has invalid value: Value 'X{LONG[:62]}... (100003 characters) does not exist in "
     "'LineageDirection' enum.", "BAD_USER_INPUT"),
])
def test_graphql_errors_cut_a_long_name_or_value(api, query, variables, message, code):
    (error,) = gql(api, query, variables).errors
    assert (error["message"], error["extensions"]["code"]) == (message, code)


def test_prov_cuts_a_long_uri(api, sample_graph):
    uri = "mast:JWST/product/" + "x" * 60_000
    response = api.get(f"/prov/{uri}")
    assert (response.status_code, response.json()) == (404, {"error": f"no product with URI '{uri[:63]}... (60020 characters)"})


@pytest.mark.parametrize("path", ["/prov/", "/prov/%20", "/prov/%20%09?format=xml", "/prov"])
def test_prov_without_a_uri_is_a_400_before_any_query(api, monkeypatch, path):
    from mastgraph.graph import prov

    async def not_asked(*args, **kwargs):
        raise AssertionError("Neo4j was asked")

    monkeypatch.setattr(prov, "fetch_async", not_asked)
    response = api.get(path)
    assert (response.status_code, response.json()) == (
        400, {"error": "give a product URI after /prov/, e.g. /prov/mast:JWST/product/<file name>"})
