"""One settings object, read from the environment (and an optional `.env` file).

Everything else receives a `Settings`; nothing else reads `os.environ` for configuration.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The Neo4j release the local server runs (must match pom.xml).
NEO4J_VERSION = "5.26.31"
#: The APOC release copied into the local server's plugins folder (must match pom.xml).
APOC_VERSION = "5.26.19"
#: The Neo4j Browser the local server serves at /browser/ (must match pom.xml).
BROWSER_VERSION = "5.24.0"


#: A JVM heap size as -Xmx takes it (`1g`, `512m`, `1048576`); anything else stops the JVM at start.
JVM_SIZE = re.compile(r"[1-9]\d*[kKmMgGtT]?")
#: A byte size as Neo4j's settings take it (`512m`, `1.5g`, `2GiB`, `100MB`).
NEO4J_SIZE = re.compile(r"\d+(\.\d+)?\s*([kKmMgGtT]([iI]?[bB])?|[bB])?")


#: The most processes a command parses with (`MASTGRAPH_PARSE_WORKERS`, `build --workers`): each is a
#: Python process of its own (a few hundred MB at the large scales), so a larger number is a typo, not a machine.
MAX_WORKERS = 256

#: Per size setting: its form, and what a refusal calls it.
_SIZES = {"heap": (JVM_SIZE, "a JVM heap size (e.g. 1g, 512m)"), "pagecache": (NEO4J_SIZE, "a memory size (e.g. 512m, 2g)")}


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """mastgraph's configuration. Every field is one environment variable."""

    # case_sensitive: only the upper-case names below are read from the environment, so a field such
    # as `home` never picks up an unrelated variable such as HOME.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True, case_sensitive=True)

    neo4j_uri: str | None = Field(
        None,
        validation_alias=_env("NEO4J_URI"),
        description="bolt:// or neo4j:// (routing, for a cluster) URI. Unset: mastgraph runs its own local server.",
    )
    # (None: not given; the driver's user is then `neo4j`, with NEO4J_PASSWORD)
    neo4j_user: str | None = Field(
        None, validation_alias=_env("NEO4J_USER"),
        description="Neo4j user name (default neo4j); with NEO4J_URI it needs NEO4J_PASSWORD; without it, refused "
                    "(the local server has no auth).",
    )
    neo4j_password: str | None = Field(
        None, validation_alias=_env("NEO4J_PASSWORD"), description="Neo4j password (the local server needs none)."
    )
    neo4j_database: str = Field("neo4j", validation_alias=_env("NEO4J_DATABASE"), description="Database name.")
    home: Path = Field(
        Path(".mastgraph"),
        validation_alias=_env("MASTGRAPH_HOME"),
        description="State folder: the local server's conf, data and logs live under HOME/neo4j.",
    )
    jar_cache: Path = Field(
        Path.home() / ".cache" / "mastgraph",
        validation_alias=_env("MASTGRAPH_JAR_CACHE"),
        description="Where Maven copies the Neo4j and APOC jars (shared by every state folder).",
    )
    bolt_port: int = Field(7687, ge=1, le=65535, validation_alias=_env("MASTGRAPH_BOLT_PORT"), description="Local server's Bolt port.")
    http_port: int = Field(
        7474, ge=0, le=65535, validation_alias=_env("MASTGRAPH_HTTP_PORT"),
        description="Local server's HTTP port, where Neo4j Browser is served (0: HTTP off, no Browser).",
    )
    http_address: str = Field(
        "127.0.0.1", validation_alias=_env("MASTGRAPH_HTTP_ADDRESS"),
        description="Local server's HTTP listen address; only loopback is allowed (the local server has no auth).",
    )
    neo4j_browser_url: str | None = Field(
        None, validation_alias=_env("MASTGRAPH_NEO4J_BROWSER_URL"),
        description="With NEO4J_URI: the address of a Neo4j Browser for that database (unset: no Browser links).",
    )
    heap: str = Field("1g", validation_alias=_env("MASTGRAPH_NEO4J_HEAP"), description="Local server's JVM heap (-Xmx).")
    pagecache: str = Field(
        "512m", validation_alias=_env("MASTGRAPH_NEO4J_PAGECACHE"), description="Local server's page cache."
    )
    start_timeout: float = Field(
        120.0, gt=0, validation_alias=_env("MASTGRAPH_START_TIMEOUT"), description="Seconds to wait for the local server."
    )
    api_token: str | None = Field(
        None, validation_alias=_env("MASTGRAPH_API_TOKEN"), description="Bearer token required by the API when set."
    )
    tx_timeout: float = Field(
        10.0, gt=0, validation_alias=_env("MASTGRAPH_TX_TIMEOUT"), description="Per-request Neo4j transaction timeout (s)."
    )
    max_query_depth: int = Field(12, ge=1, validation_alias=_env("MASTGRAPH_MAX_QUERY_DEPTH"))
    max_aliases: int = Field(30, ge=1, validation_alias=_env("MASTGRAPH_MAX_ALIASES"))
    max_tokens: int = Field(2000, ge=1, validation_alias=_env("MASTGRAPH_MAX_TOKENS"))
    max_page_size: int = Field(1000, ge=1, validation_alias=_env("MASTGRAPH_MAX_PAGE_SIZE"))
    #: (at most 12: the PROV export and the library's impact queries walk at most 12 steps, and a JWST
    #: lineage, L3 to L1b through its associations, is about four deep)
    max_lineage_depth: int = Field(10, ge=1, le=12, validation_alias=_env("MASTGRAPH_MAX_LINEAGE_DEPTH"))
    max_lineage_nodes: int = Field(20000, ge=1, validation_alias=_env("MASTGRAPH_MAX_LINEAGE_NODES"))
    max_result_objects: int = Field(
        500_000, ge=1, validation_alias=_env("MASTGRAPH_MAX_RESULT_OBJECTS"),
        description="Most objects one GraphQL answer may hold, as estimated before it runs from its page sizes and "
                    "limits (api/estimate.py); more: refused, LIMIT_EXCEEDED.",
    )
    max_request_bytes: int = Field(1_000_000, ge=1, validation_alias=_env("MASTGRAPH_MAX_REQUEST_BYTES"),
                                   description="Largest API request body (bytes); larger: 413.")
    max_query_string: int = Field(8192, ge=1, validation_alias=_env("MASTGRAPH_MAX_QUERY_STRING"),
                                  description="Longest query string of an API GET (bytes); longer: 414.")
    fast_executor: bool = Field(
        True, validation_alias=_env("MASTGRAPH_FAST_EXECUTOR"),
        description="Answer dict fields directly (api/execution.py); false: Strawberry's standard execution.",
    )
    # ge=1: 0 stopped the derived relationships' CREATE with range()'s ValueError after the nodes were
    # written, and a negative size CREATEd none of them, silently (pipeline/derive_command.py).
    batch_size: int = Field(5000, ge=1, validation_alias=_env("MASTGRAPH_BATCH_SIZE"),
                            description="Rows per UNWIND batch.")
    conflict_spill_mb: float = Field(
        64, ge=0, validation_alias=_env("MASTGRAPH_CONFLICT_SPILL_MB"),
        description="Input (MB) above which `ingest` compares the files of a command on disk (bounded memory) "
                    "instead of in memory (about 5 bytes of RSS per byte read).",
    )
    parse_workers: int = Field(
        0, ge=0, le=MAX_WORKERS, validation_alias=_env("MASTGRAPH_PARSE_WORKERS"),
        description="Processes that parse the files of a large `ingest` (0: one per core; 1: the ingest's own "
                    "process only, which then also makes each batch's statements, not a helper process; at most "
                    f"{MAX_WORKERS}).",
    )
    derive: Literal["auto", "tables", "cypher"] = Field(
        "auto", validation_alias=_env("MASTGRAPH_DERIVE"),
        description="How the online ingest derives relationships: auto (a command of several files into an empty "
                    "database: once, by the bulk build's rules in DuckDB over the whole command; else as cypher), "
                    "tables (the batch and the neighbours it reads, joined in DuckDB by the bulk build's rules) or "
                    "cypher (the cypher/derive queries in Neo4j, each batch).",
    )

    mast_retries: int = Field(
        4, ge=0, le=20, validation_alias=_env("MASTGRAPH_MAST_RETRIES"),
        description="`ingest mast`: how often a request or download MAST answers with 429, 502, 503 or 504, or "
                    "that is reset or times out, is asked again (0: never).",
    )
    mast_retry_wait: float = Field(
        2.0, ge=0, le=3600, validation_alias=_env("MASTGRAPH_MAST_RETRY_WAIT"),
        description="`ingest mast`: seconds before the first retry, doubled at each next one (when MAST's "
                    "Retry-After gives none).",
    )
    mast_retry_max_wait: float = Field(
        60.0, ge=0, le=3600, validation_alias=_env("MASTGRAPH_MAST_RETRY_MAX_WAIT"),
        description="`ingest mast`: the longest wait before a retry, MAST's Retry-After included.",
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _check_uri(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not value.startswith(schemes):
            raise ValueError(f"NEO4J_URI must start with one of {', '.join(schemes)}: {value!r}")
        # What the driver would refuse when connecting ("failed unexpectedly (ConfigurationError ...)"),
        # or take another way (port 99999 is 34463 to it), said here in the settings' one line.
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - (raises for a port that is not a number in 0-65535)
        except ValueError as exc:
            raise ValueError(f"NEO4J_URI is not a valid URI ({exc}): {value!r}") from None
        if "@" in parts.netloc:  # (its password is not repeated here)
            raise ValueError("NEO4J_URI must not hold a user name or password: set NEO4J_USER and NEO4J_PASSWORD")
        if parts.query and not value.startswith("neo4j"):
            raise ValueError(f"NEO4J_URI: a routing context (?{parts.query}) goes with neo4j:// URIs only: {value!r}")
        return value

    @field_validator("neo4j_user")
    @classmethod
    def _check_user(cls, value: str | None) -> str | None:
        return value or None  # (an empty NEO4J_USER is not given, as an empty NEO4J_URI)

    @model_validator(mode="after")
    def _check_credentials(self) -> "Settings":
        """A user name without a password: `auth` would be None, and the Neo4j at NEO4J_URI reached
        without authentication. A user name without NEO4J_URI: mastgraph would run its own local
        server, which has no auth (no users), and the data meant for that user's Neo4j would go there."""
        if self.neo4j_user is not None and self.neo4j_uri is None:
            raise ValueError("NEO4J_USER is set but NEO4J_URI is unset: without NEO4J_URI mastgraph runs its own local "
                             "server, which has no auth; set NEO4J_URI to the Neo4j of that user, or unset NEO4J_USER")
        if self.neo4j_uri is not None and self.neo4j_user is not None and not self.neo4j_password:
            raise ValueError("NEO4J_USER is set but NEO4J_PASSWORD is unset or empty: set both for a Neo4j with auth, "
                             "or neither for one without")
        return self

    @field_validator("heap", "pagecache")
    @classmethod
    def _check_size(cls, value: str, info: ValidationInfo) -> str:
        """A size the local server's JVM (-Xmx) or its settings take; anything else would stop it at start."""
        pattern, what = _SIZES[info.field_name]
        if not pattern.fullmatch(value.strip()):
            raise ValueError(f"not {what}: {value!r}")
        return value.strip()

    @property
    def embedded(self) -> bool:
        """True when mastgraph runs its own local Neo4j (no NEO4J_URI given)."""
        return self.neo4j_uri is None

    @cached_property
    def uri(self) -> str:
        """The Bolt URI mastgraph connects to."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.neo4j_password is None:
            return None
        return (self.neo4j_user or "neo4j", self.neo4j_password)


def get_settings(**overrides: object) -> Settings:
    """The settings from the environment, with explicit overrides (used by the CLI and tests)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def errors_log() -> str | None:
    """Where tracebacks of faults mastgraph did not expect go: the state folder's logs/errors.log
    (None when the settings cannot be read)."""
    try:
        return str(Path(get_settings().home).resolve() / "logs" / "errors.log")
    except Exception:  # noqa: BLE001 - bad settings: no log, the caller's line alone
        return None
