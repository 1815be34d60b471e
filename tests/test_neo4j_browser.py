"""Neo4j Browser served by the local server: addresses, links, the loopback-only rule, and the real
Browser 5.24 in headless Chromium (connects, runs the library, draws with mastgraph's style).

The Browser tests need mastgraph's local server (it is what serves the Browser). When the run's
Neo4j is one (the default here), they use it; with NEO4J_TEST_URI or testcontainers they start a
local server of their own on free ports, and fail with the reason when it cannot start: never skip.
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mastgraph.graph import db, queries, runner
from mastgraph.graph.browser_guide import guide_examples, guide_html
from mastgraph.graph.browser_style import grass
from mastgraph.graph.neo4j_browser import browser_url, edit_link, editor_text, local_browser_base
from mastgraph.graph.server import LocalNeo4j, ServerError, free_port
from mastgraph.graph.settings import BROWSER_VERSION, Settings

from .conftest import load_demo

CONNECTED = "You have a working connection"  # the Browser's "Connected" for a server without auth


def _cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mastgraph.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def _encode_uri_component(text: str) -> str:
    """JavaScript's encodeURIComponent, written out from its definition (unreserved marks kept)."""
    keep = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
    return "".join(c if c in keep else "".join(f"%{b:02X}" for b in c.encode()) for c in text)


# -- addresses and links (no server) ---------------------------------------------------------------

def test_browser_url_of_the_local_server_and_of_a_given_neo4j():
    local = Settings(neo4j_uri=None, bolt_port=7700, http_port=7400)
    assert browser_url(local) == (
        "http://127.0.0.1:7400/browser/?connectURL=bolt://127.0.0.1:7700&preselectAuthMethod=NO_AUTH")
    assert browser_url(Settings(neo4j_uri=None, http_port=0)) is None
    given = Settings(neo4j_uri="bolt://db.example:7687")
    assert browser_url(given) is None
    named = Settings(neo4j_uri="bolt://neo4j:7687", neo4j_password="pw",
                     neo4j_browser_url="http://127.0.0.1:7474/browser/")
    assert browser_url(named) == (
        "http://127.0.0.1:7474/browser/?connectURL=bolt://neo4j:7687&preselectAuthMethod=NATIVE")
    # docker compose names the Bolt address a web page reaches; it is kept as given.
    compose = Settings(neo4j_uri="bolt://neo4j:7687", neo4j_password="pw",
                       neo4j_browser_url="http://127.0.0.1:7474/browser/?connectURL=bolt://127.0.0.1:7687")
    assert browser_url(compose) == (
        "http://127.0.0.1:7474/browser/?connectURL=bolt://127.0.0.1:7687&preselectAuthMethod=NATIVE")


def test_edit_link_is_the_explorer_pages_format():
    base = browser_url(Settings(neo4j_uri=None, bolt_port=7700, http_port=7400))
    cypher = "MATCH path = (p:Product {uri: $uri})-[:COMPOSITION|ANTECEDENT*1..3]->(q) RETURN path"
    uri = "mast:JWST/product/jw02733-o001_t001_nircam_clear-f090w_i2d.fits"
    explorer = base + "&cmd=edit&arg=" + _encode_uri_component(f':param uri => "{uri}";\n' + cypher)
    assert edit_link(base, cypher, {"uri": uri}) == explorer + "%0A"  # the helper ends the text with a newline
    text = editor_text("RETURN $a", {"a": None, "b": [1, "x"], "c": {"k": True}, "d": 'say "hi"'})
    assert text == (':param a => null;\n:param b => [1, "x"];\n:param c => {`k`: true};\n'
                    ':param d => "say \\"hi\\"";\nRETURN $a\n')
    with pytest.raises(ValueError, match="'&'"):
        edit_link(base, "MATCH (n:A&B) RETURN n")
    with pytest.raises(ValueError, match="'#'"):
        edit_link(base, "RETURN $x", {"x": "a#b"})


def test_guide_lists_every_library_query():
    library = [q for q in queries.all_queries() if q.name != "schema"]
    page = guide_html(library)
    for named in library:
        assert f'data-query="{named.name}"' in page and named.description.replace("'", "&#x27;") in page


def test_guide_gives_a_block_of_examples_where_they_fill_every_required_parameter():
    library = [q for q in queries.all_queries() if q.name != "schema"]
    examples = {"l3": 'mast:JWST/product/a "quoted" \\ name_i2d.fits', "member": "mast:JWST/product/m_cal.fits",
                "reference_file": "jwst_miri_flat_0533.fits", "mnemonic": "SA_ZATTEST2", "t_min": 59000.25,
                "t_max": 59000.5}
    page = guide_html(library, examples)
    blocks = dict(re.findall(r'<pre class="runnable" data-example-params="(\w+)">(.*?)</pre>', page, re.S))
    assert blocks["composition_tree"] == (':param uri =&gt; &quot;mast:JWST/product/a \\&quot;quoted\\&quot; '
                                          '\\\\ name_i2d.fits&quot;;\n:param limit =&gt; null;')
    assert blocks["impact_of_engineering_window"].splitlines()[:3] == [
        ":param mnemonic =&gt; &quot;SA_ZATTEST2&quot;;", ":param t_min =&gt; 59000.25;", ":param t_max =&gt; 59000.5;"]
    assert "mast:JWST/product/m_cal.fits" in blocks["lineage_up"] and "jwst_miri_flat_0533" in blocks[
        "impact_of_reference_file"]
    # a query whose required parameter has no example here (a CRDS context, an observation, a program)
    # gets none; a query without a required one neither
    assert {"impact_of_crds_context", "minimum_recommended_products", "program_summary", "orphan_products"
            }.isdisjoint(blocks)
    assert set(blocks) == {q.name for q in library if any(spec.required for spec in queries.param_specs(q))} - {
        "impact_of_crds_context", "minimum_recommended_products", "program_summary"}
    assert guide_html(library) == guide_html(library, {})
    assert "data-example-params" not in guide_html(library)


def test_a_graph_that_cannot_be_read_leaves_the_guide_without_examples_in_one_line(capsys):
    from mastgraph.cli.browser import _examples

    unreachable = Settings(neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
    assert _examples(unreachable) == {}
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("the guide has no examples of the graph: Neo4j at bolt://127.0.0.1:")
    assert err.count("\n") == 1


def test_the_examples_of_the_demo_fill_every_query_and_each_gives_rows(browser_neo4j, demo):
    settings, _ = browser_neo4j
    examples = guide_examples(demo, settings.neo4j_database)
    assert set(examples) == {"l3", "member", "observation", "program", "reference_file", "crds_context", "mnemonic",
                             "t_min", "t_max"}
    library = [q for q in queries.all_queries() if q.name != "schema"]
    blocks = dict(re.findall(r'data-example-params="(\w+)">(.*?)</pre>', guide_html(library, examples), re.S))
    needing = [q for q in library if any(spec.required for spec in queries.param_specs(q))]
    assert {q.name for q in needing} == set(blocks)
    for named in needing:  # each query run with the values its block sets gives rows
        given = {}
        for line in blocks[named.name].splitlines():
            name, value = re.fullmatch(r":param (\w+) =&gt; (.*);", line).groups()
            given[name] = None if value == "null" else json.loads(html.unescape(value))
        rows = runner.read(demo, named.text, runner.query_params(named, given), database=settings.neo4j_database,
                           timeout=30, limit=1000).rows
        assert rows, (named.name, given)


def test_style_gives_each_kind_its_caption():
    rules = grass()
    assert rules["node.Product"]["caption"] == "{filename}"
    assert rules["node.Observation"]["caption"] == "{obs_id}"
    assert rules["node.Association"]["caption"] == "{name}"
    assert len({rules[f"node.{level}"]["color"] for level in ("L1b", "L2a", "L2b", "L3")}) == 4


# -- the loopback-only rule ------------------------------------------------------------------------

def test_non_loopback_http_address_is_refused_in_one_line(tmp_path):
    env = {**os.environ, "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_BOLT_PORT": str(free_port()),
           "MASTGRAPH_HTTP_PORT": str(free_port()), "MASTGRAPH_HTTP_ADDRESS": "0.0.0.0"}
    env.pop("NEO4J_URI", None)
    proc = _cli("server", "start", env=env, timeout=60)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "refused: MASTGRAPH_HTTP_ADDRESS=0.0.0.0" in lines[0] and "without auth" in lines[0]
    assert not (tmp_path / "neo4j" / "run" / "mastgraph.pid").exists(), "nothing was started"


@pytest.mark.parametrize("address", ["::", "192.168.1.5", "example.org", "127.0.0.1.example.org"])
def test_every_non_loopback_address_is_refused(tmp_path, address):
    with pytest.raises(ServerError, match=f"refused: MASTGRAPH_HTTP_ADDRESS={re.escape(address)} "):
        LocalNeo4j(Settings(home=tmp_path, http_address=address)).conf_text()
    for loopback in ("127.0.0.1", "127.0.0.2", "localhost", "::1"):
        assert "server.http.enabled=true" in LocalNeo4j(Settings(home=tmp_path, http_address=loopback)).conf_text()


def test_http_port_in_use(tmp_path):
    """A port given in MASTGRAPH_HTTP_PORT that is taken is refused, like Bolt's; the default port taken
    (another Neo4j on 7474) leaves the server without the Browser, and it says so."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        given = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port(), http_port=port))
        with pytest.raises(ServerError, match=f"^port {port} is already in use; set MASTGRAPH_HTTP_PORT to a free port"):
            given.start()
        default = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port()))
        assert "http_port" not in default.settings.model_fields_set
        default.settings.__dict__["http_port"] = port  # stands for 7474, taken
        assert default._choose_http_port() == (
            f"; Neo4j Browser off: port {port} is in use (set MASTGRAPH_HTTP_PORT to a free port)")
        assert default.settings.http_port == 0 and "server.http.enabled=false" in default.conf_text()


def test_browser_command_without_a_browser_says_what_to_set(tmp_path):
    from typer.testing import CliRunner

    from mastgraph.cli.main import app

    env = {"NEO4J_URI": "bolt://127.0.0.1:1", "MASTGRAPH_NEO4J_BROWSER_URL": "", "MASTGRAPH_HOME": str(tmp_path)}
    result = CliRunner().invoke(app, ["browser"], env=env)
    assert result.exit_code == 1
    assert "no Neo4j Browser" in result.output and "MASTGRAPH_NEO4J_BROWSER_URL" in result.output


def test_conf_serves_only_the_browser_on_loopback(tmp_path):
    conf = LocalNeo4j(Settings(home=tmp_path, http_port=7400, http_address="localhost")).conf_text()
    assert "server.http.enabled=true" in conf and "server.http.listen_address=localhost:7400" in conf
    assert "server.http_enabled_modules=BROWSER\n" in conf and "client.allow_telemetry=false" in conf
    assert "dbms.security.auth_enabled=false" in conf
    off = LocalNeo4j(Settings(home=tmp_path, http_port=0, http_address="0.0.0.0")).conf_text()
    assert "server.http.enabled=false" in off and "listen_address=0.0.0.0" not in off


def test_old_jar_cache_fetches_the_browser_jar_once(tmp_path):
    """A cache filled before the Browser joined pom.xml gets its jar alone (Maven, from ~/.m2 or Central)."""
    if not shutil.which("mvn"):
        pytest.fail("Maven (mvn) is needed to fetch the Neo4j Browser jar", pytrace=False)
    local = LocalNeo4j(Settings(home=tmp_path, jar_cache=tmp_path / "cache"))
    local.lib_dir.mkdir(parents=True)
    local.plugins_dir.mkdir(parents=True)
    server_jars = [local.lib_dir / "neo4j-5.26.31.jar", local.plugins_dir / "apoc-core-5.26.19.jar"]
    for jar in server_jars:
        jar.write_bytes(b"stand-in")
    assert local.server_jars_present() and not local.jars_present()
    local.ensure_jars(attempts=2)
    assert local.jars_present() and local.browser_jar.name == f"neo4j-browser-{BROWSER_VERSION}.jar"
    assert local.browser_jar.stat().st_size > 1_000_000
    assert sorted(p.name for p in local.jars.rglob("*") if p.is_file()) == sorted(
        [local.browser_jar.name, *(j.name for j in server_jars)])


# -- the running server ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser_neo4j(neo4j_instance, tmp_path_factory):
    """Settings (as a NEO4J_URI setup with MASTGRAPH_NEO4J_BROWSER_URL) of a local server serving the Browser."""
    if neo4j_instance.error:
        pytest.fail(neo4j_instance.error, pytrace=False)
    if neo4j_instance.local is not None:
        yield neo4j_instance.settings, neo4j_instance.local
        return
    state = tmp_path_factory.mktemp("browser-server")
    own = Settings(home=state, bolt_port=free_port(), http_port=free_port(), heap="512m", pagecache="128m")
    local = LocalNeo4j(own)
    try:
        local.start()
    except ServerError as exc:
        pytest.fail(f"the Neo4j Browser tests need mastgraph's local server, which did not start: {exc}", pytrace=False)
    try:
        settings = Settings(neo4j_uri=own.uri, home=state, bolt_port=own.bolt_port,
                            neo4j_browser_url=local_browser_base(own))
        with db.connect(settings) as drv:
            db.bootstrap(drv, settings.neo4j_database)
        yield settings, local
    finally:
        local.stop()


@pytest.fixture(scope="module")
def demo(browser_neo4j, tmp_path_factory):
    """The bundled demo loaded as `mastgraph demo` loads it; a driver on it."""
    settings, _ = browser_neo4j
    drv = db.driver(settings)
    load_demo(drv, settings, tmp_path_factory.mktemp("browser-demo"))
    yield drv
    drv.close()


@pytest.fixture
def cli_env(browser_neo4j, tmp_path):
    settings, _ = browser_neo4j
    env = {**os.environ, "NEO4J_URI": settings.uri, "MASTGRAPH_NEO4J_BROWSER_URL": settings.neo4j_browser_url,
           "MASTGRAPH_HOME": str(tmp_path)}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "NEO4J_PASSWORD"):
        env.pop(name, None)
    return env


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                ip = ipaddress.ip_address(words)
                found.add(str(ip.ipv4_mapped) if getattr(ip, "ipv4_mapped", None) else str(ip))
    return found


def test_browser_page_is_served_on_loopback_only(browser_neo4j):
    settings, local = browser_neo4j
    port = local.settings.http_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/browser/", timeout=30) as response:
        assert response.status == 200
        assert "<title>Neo4j Browser</title>" in response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    assert "segment" not in csp and "canny" not in csp and "googleapis" not in csp
    # Only the Browser: Cypher over HTTP (the transactional endpoint) is not served.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/db/neo4j/tx/commit", data=b'{"statements":[]}',
            headers={"Content-Type": "application/json"}), timeout=30)
    assert refused.value.code == 404
    addresses = _listening_addresses(port)
    assert addresses and all(a.startswith("127.") or a == "::1" for a in addresses), addresses


def _wait(browser, condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - the page is still rendering; retried
            last = exc
        time.sleep(0.3)
    shot = browser.screenshot(f"neo4j-browser-timeout-{re.sub(r'[^a-z]+', '-', what.lower())}")
    raise AssertionError(f"timed out waiting for {what} (last error: {last}); screenshot {shot}")


def _body(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.driver.find_element(By.TAG_NAME, "body").text


def _sent_foreign_requests(browser, origin: str) -> tuple[list[str], list[str]]:
    """(requests to other addresses that left Chromium, those the page's CSP blocked) since the last read."""
    events = browser.network_events()
    sent = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events
            if e["method"] == "Network.requestWillBeSent"}
    blocked = {e["params"]["requestId"] for e in events
               if e["method"] == "Network.loadingFailed" and e["params"].get("blockedReason") == "csp"}
    bolt = re.search(r"connectURL=bolt://([^&]+)", origin)
    own = [origin.split("/browser/")[0]] + ([f"http://{bolt.group(1)}"] if bolt else [])
    foreign = browser.foreign_requests(own[0], list(sent.values()))
    foreign = [u for u in foreign if not any(u.startswith(o) for o in own)]
    went_out = [u for rid, u in sent.items() if u in foreign and rid not in blocked]
    return went_out, [u for rid, u in sent.items() if rid in blocked]


def _run_editor(browser, expect: str = "MATCH") -> None:
    """Wait for `expect` in the editor (its first lines), then press the editor's Run button."""
    from selenium.webdriver.common.by import By

    _wait(browser, lambda: expect in browser.driver.find_element(By.CSS_SELECTOR, ".monaco-editor").text, 30,
          "the text in the editor")
    browser.driver.find_element(By.CSS_SELECTOR, '[data-testid="editor-Run"]').click()


def _type_in_editor(browser, text: str) -> None:
    """Put `text` in the Browser's (Monaco) editor as one insertion (typing would auto-close brackets)."""
    from selenium.webdriver.common.by import By

    area = browser.driver.find_element(By.CSS_SELECTOR, ".monaco-editor textarea")
    browser.driver.execute_script("arguments[0].focus(); document.execCommand('insertText', false, arguments[1]);",
                                  area, text)


def _l3_with_lineage(drv) -> str:
    records, _, _ = drv.execute_query(
        "MATCH (p:Product:L3) WHERE EXISTS { (p)-[:COMPOSITION]->() } RETURN p.uri AS uri ORDER BY uri LIMIT 1",
        routing_="r")
    assert records, "the demo has an L3 product with members"
    return records[0]["uri"]


def _expected_rows(drv, settings, query: str, **given) -> int:
    named = queries.query(query)
    rows = runner.read(drv, named.text, runner.query_params(named, given), database=settings.neo4j_database,
                       timeout=30, limit=100_000)
    return len(rows.rows)


def test_mastgraph_browser_opens_connected_and_runs_a_library_query(browser, browser_neo4j, demo, cli_env):
    from selenium.webdriver.common.by import By

    settings, _ = browser_neo4j
    printed = _cli("browser", env=cli_env)
    assert printed.returncode == 0, printed.stderr
    url = printed.stdout.strip().splitlines()[-1]
    assert url == browser_url(settings) and "preselectAuthMethod=NO_AUTH" in url
    browser.open(url)
    _wait(browser, lambda: CONNECTED in _body(browser), 60, "the Browser to connect")
    went_out, blocked = _sent_foreign_requests(browser, url)
    assert went_out == [], f"the page reached addresses outside the server: {went_out}"

    uri = _l3_with_lineage(demo)
    expected = _expected_rows(demo, settings, "lineage_down", uri=uri)
    assert expected > 1
    from typer.testing import CliRunner

    from mastgraph.cli.main import app

    link = CliRunner().invoke(app, ["cypher", "lineage_down", "--param", f"uri={uri}", "--browser"], env=cli_env)
    assert link.exit_code == 0, link.output
    link_url = link.stdout.strip().splitlines()[-1]
    assert link_url.startswith(url + "&cmd=edit&arg=")
    browser.open(link_url)
    _wait(browser, lambda: CONNECTED in _body(browser), 60, "the Browser to connect")
    _run_editor(browser)
    titles = _wait(browser, lambda: (lambda t: t if len(t) == 4 and all(x.text.strip() for x in t) else None)(
        browser.driver.find_elements(By.CSS_SELECTOR, '[data-testid="multi-statement-list-title"]')), 30,
        "the script's four statements, each with its text")  # (a title's element comes before its text)
    icons = browser.driver.find_elements(By.CSS_SELECTOR, '[data-testid="multi-statement-list-icon"]')
    _wait(browser, lambda: all(i.get_attribute("title") == "Status: success" for i in icons), 30,
          "every statement to succeed")
    assert [t.text.split(" => ")[0].split("$")[-1].strip() for t in titles[:3]] == [
        ":param uri", ":param depth", ":param limit"]
    # A script's frame shows "SUCCESS" per statement, not the rows; the parameters stay set for the
    # session, so the query run alone now shows its result frame.
    _type_in_editor(browser, queries.query("lineage_down").text)
    browser.driver.find_element(By.CSS_SELECTOR, '[data-testid="editor-Run"]').click()
    summary = _wait(browser, lambda: re.search(r"Started streaming (\d+) records?", _body(browser)), 30,
                    "the query's result frame")
    assert int(summary.group(1)) == expected
    went_out, blocked = _sent_foreign_requests(browser, url)
    assert went_out == [], f"the page reached addresses outside the server: {went_out}"
    print(f"blocked by the page's CSP (never sent): {sorted(set(blocked))}")


def test_guide_opens_the_library_and_the_graph_uses_the_style(browser, browser_neo4j, demo, cli_env):
    from selenium.webdriver.common.by import By

    settings, _ = browser_neo4j
    guide = subprocess.Popen([sys.executable, "-m", "mastgraph.cli", "browser", "--guide"], env=cli_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = guide.stdout.readline().strip()
        assert url.startswith(browser_url(settings) + "&cmd=play&arg=http://localhost:"), url
        browser.open(url)
        _wait(browser, lambda: "mastgraph: the query library" in _body(browser), 60, "the library's guide")
        body = _body(browser)
        for named in queries.all_queries():
            assert named.name == "schema" or named.name in body
        _wait(browser, lambda: CONNECTED in _body(browser), 60, "the Browser to connect")
        for frame in browser.driver.find_elements(By.CSS_SELECTOR, '[data-testid="frame"]'):
            if "mastgraph: the query library" not in frame.text:  # the connection and style frames
                frame.find_element(By.CSS_SELECTOR, 'button[title="Close"]').click()
        uri = _l3_with_lineage(demo)
        field = browser.driver.find_element(By.CSS_SELECTOR, 'input[value-for="composition_tree.uri"]')
        field.send_keys(uri)
        browser.screenshot("neo4j-browser-guide")  # docs/images/ holds a copy of it
        params = browser.driver.find_element(By.CSS_SELECTOR, 'pre[data-params="composition_tree"]')
        assert params.text.splitlines() == [f':param uri => "{uri}";', ":param limit => null;"]
        params.click()
        _run_editor(browser, "param")
        _wait(browser, lambda: [i.get_attribute("title") for i in browser.driver.find_elements(
            By.CSS_SELECTOR, '[data-testid="multi-statement-list-icon"]')] == ["Status: success"] * 2, 30,
            "the parameters to be set")
        browser.driver.find_element(By.CSS_SELECTOR, 'pre[data-query="composition_tree"]').click()
        _run_editor(browser)
        expected = _expected_rows(demo, settings, "composition_tree", uri=uri)
        summary = _wait(browser, lambda: re.search(r"Started streaming (\d+) records?", _body(browser)), 60,
                        "the table of composition_tree")
        assert int(summary.group(1)) == expected > 0

        # the block of examples under a query sets its parameters from the graph: no typing
        name = guide_examples(demo, settings.neo4j_database)["reference_file"]
        expected = _expected_rows(demo, settings, "impact_of_reference_file", name=name)
        block = browser.driver.find_element(By.CSS_SELECTOR, 'pre[data-example-params="impact_of_reference_file"]')
        assert block.text.splitlines() == [f':param name => "{name}";', ":param depth => null;",
                                           ":param limit => null;"]
        block.click()
        _run_editor(browser, name)
        _wait(browser, lambda: (lambda titles: len(titles) == 5 and set(titles) == {"Status: success"})(
            [i.get_attribute("title") for i in browser.driver.find_elements(
                By.CSS_SELECTOR, '[data-testid="multi-statement-list-icon"]')]), 30, "the examples to be set")
        browser.driver.find_element(By.CSS_SELECTOR, 'pre[data-query="impact_of_reference_file"]').click()
        _run_editor(browser)
        _wait(browser, lambda: re.findall(r"Started streaming (\d+) records?", _body(browser))[:1] == [str(expected)],
              60, f"the table of impact_of_reference_file ({expected} rows)")
        assert expected > 0
    finally:
        guide.terminate()
        guide.wait(timeout=30)

    # The graph view, with mastgraph's style (applied after connecting). The paths start at Level-3
    # products with no other kind (a catalog's colour, given after the level's, is what a Level-3
    # catalog shows): which 40 paths come first follows the store's order, and varies.
    lineage = ("MATCH path = (l3:Product:L3)-[:COMPOSITION|ANTECEDENT*1..2]->(:Product)\n"
               "WHERE size(labels(l3)) = 2\nRETURN path LIMIT 40")
    browser.open(edit_link(browser_url(settings), lineage))
    _wait(browser, lambda: CONNECTED in _body(browser), 60, "the Browser to connect")
    _run_editor(browser)
    fills = _wait(browser, lambda: {c.get_attribute("fill").upper() for c in browser.driver.find_elements(
        By.CSS_SELECTOR, "svg g.node circle.b-outline")} or None, 60, "the graph to be drawn")
    rules = grass()
    assert {rules["node.L3"]["color"], rules["node.L2b"]["color"]} <= fills, fills
    captions = {t.text for t in browser.driver.find_elements(By.CSS_SELECTOR, "svg g.node text")}
    assert any(c.endswith("...") or c.startswith("jw") for c in captions), captions
    time.sleep(1)  # the layout settles
    browser.screenshot("neo4j-browser-lineage")  # docs/images/ holds a copy of it
