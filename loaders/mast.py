"""Live MAST: fetch one JWST program's observation rows, product list and small ASN/POOL files.

Needs the optional extra ``mastgraph[mast]`` (astroquery), imported only when called. The fetched
tables are written as ECSV beside the downloaded files, so the ingest loads them like any other
files (`loaders/registry.py` recognises each) and a fetch can be kept and re-loaded offline.
"""

from __future__ import annotations

import errno
import inspect
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mastgraph.loaders import names
from mastgraph.loaders.mast_retry import RetriesExhausted, RetryPolicy, transient

#: Product subgroups downloaded by default: small files that carry the associations.
SMALL_SUBGROUPS = ("ASN", "POOL")
#: Observations per `get_product_list` request.
PRODUCT_BATCH = 500


class MastError(RuntimeError):
    """Live MAST is unavailable (astroquery missing, service error) or returned nothing usable."""


def observations_service() -> Any:
    """astroquery's `Observations`, or `MastError` saying how to install it."""
    try:
        from astroquery.mast import Observations
    except ImportError as exc:
        raise MastError(
            "live MAST needs astroquery, the optional extra: pip install 'mastgraph[mast]'"
        ) from exc
    return Observations


def fetch_program(
    program: str | int,
    out_dir: Path | str,
    *,
    subgroups: Sequence[str] = SMALL_SUBGROUPS,
    cache: bool = True,
    retry: RetryPolicy | None = None,
    status: Callable[[str], None] | None = None,
    on_removed: Callable[[list[Path]], None] | None = None,
) -> list[Path]:
    """Fetch a program from MAST into `out_dir`; return the files to load, tables first.

    Writes ``jw<ppppp>_observations.ecsv`` (`Observations.query_criteria(obs_collection="JWST",
    proposal_id=...)`) and ``jw<ppppp>_products.ecsv`` (`Observations.get_product_list`), then
    downloads the products whose `productSubGroupDescription` is one of `subgroups` (ASN and POOL
    by default) flat into `out_dir`. Every file is written under a hidden temporary name
    (``.NAME.part``) and renamed to its own only when whole, so a file under its own name is whole;
    with `cache` a download already there at the size the product list gives is kept, not fetched
    again (a rerun of a fetch that failed fetches only the rest). Transient faults (429, 502, 503,
    504, a reset, a timeout) are asked again as `retry` says (`mast_retry.py`; its `on_retry` is told
    each retry); `status` is told what is being fetched. Files of the program an earlier fetch left in
    `out_dir` that the product list no longer gives (MAST reprocessed the program: a pool of the old
    processing, an association file it dropped) are removed once the list is in, so that loading the
    folder loads what MAST holds now; `on_removed` is told which.

    Raises `MastError` when the program has no observations, a request or download fails, a download
    is not the size the product list gives (astroquery takes an empty or cut file for a complete one)
    or is an HTML page, or `out_dir` cannot be written (a full disk). What is whole stays.
    """
    observations = observations_service()
    try:
        key = names.program_key(program)
    except ValueError as exc:
        raise MastError(str(exc)) from None
    retry = retry or RetryPolicy()
    status = status or (lambda text: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _remove_parts(out)  # (of a fetch killed before it could remove its own)

    status("asking MAST for the observations")
    obs_table = _ask(retry, "query_criteria", observations.query_criteria,
                     obs_collection="JWST", proposal_id=str(int(key)))
    if obs_table is None or len(obs_table) == 0:
        raise MastError(f"MAST has no JWST observations for program {key}")
    obs_path = out / f"jw{key}_observations.ecsv"
    _write(obs_table, obs_path)

    status(f"asking MAST for the products of {len(obs_table)} observations")
    products = _product_list(observations, obs_table, retry)
    products_path = out / f"jw{key}_products.ecsv"
    _write(products, products_path)
    removed = _remove_unlisted(out, key, products, keep={obs_path.name, products_path.name})
    if removed and on_removed is not None:
        on_removed(removed)

    downloaded = _download_small(observations, products, out, list(subgroups), cache, retry, status) if subgroups \
        else []
    return [obs_path, products_path, *downloaded]


def _product_list(observations: Any, obs_table: Any, retry: RetryPolicy) -> Any:
    from astropy.table import vstack

    parts = [
        _ask(retry, "get_product_list", observations.get_product_list, obs_table[start : start + PRODUCT_BATCH])
        for start in range(0, len(obs_table), PRODUCT_BATCH)
    ]
    parts = [part for part in parts if part is not None and len(part)]
    if not parts:
        raise MastError("MAST returned no products for the program's observations")
    return parts[0] if len(parts) == 1 else vstack(parts, metadata_conflicts="silent")


def _download_small(observations: Any, products: Any, out: Path, subgroups: list[str], cache: bool,
                    retry: RetryPolicy, status: Callable[[str], None]) -> list[Path]:
    if "productSubGroupDescription" not in products.colnames:
        raise MastError("the product list has no productSubGroupDescription column")
    small = observations.filter_products(products, productSubGroupDescription=subgroups)
    # (flat: one file a name, as astroquery's own download_products, which drops a dataURI listed twice)
    wanted = {Path(str(row["productFilename"])).name: str(row["dataURI"]) for row in small}
    if not wanted:
        return []
    sizes = _listed_sizes(small)
    download = _downloader(observations)
    files, failures = [], []
    for number, (name, uri) in enumerate(sorted(wanted.items()), 1):
        local, listed = out / name, sizes.get(name)
        if cache and _whole(local, listed):
            files.append(local)
            continue
        status(f"downloading {name} ({number} of {len(wanted)})")
        part = _part(local)
        try:
            try:
                _ask(retry, f"download of {name}", download, uri, part)
            except _NotFetched as exc:  # (this file alone: the others are still fetched)
                failures.append(f"{local}: {exc}")
                continue
            if (wrong := _wrong_size(part, listed) or _error_page(part, listed)) is not None:
                failures.append(f"{local}: {wrong}")
                continue
            _rename(part, local)
        finally:
            _unlink(part)
        files.append(local)
    if failures:
        raise MastError(f"{len(failures)} of {len(wanted)} downloads failed, first: {failures[0]}")
    return files


class _NotFetched(Exception):
    """One download MAST refused for good (a 404, a 403, a 500: not retried): the others are still
    fetched. (A transient fault still there after the last retry stops the fetch: MAST is away.)"""


def _downloader(observations: Any) -> Callable[[str, Path], None]:
    """Download one product (its dataURI) to a path of mastgraph's choosing (the temporary name),
    with astroquery's own session: its `_download_file` (`astroquery.query.BaseQuery`, with
    `head_safe`, `continuation` and `verbose` from 0.4.8) at its `_portal_api_connection.MAST_DOWNLOAD_URL`,
    as `Observations.download_file` does; it raises requests' HTTPError with the response (which
    `download_file` turns into a message without them), whose status and Retry-After the retries
    read. Both are checked here, so that another astroquery is one
    line (pyproject.toml bounds it)."""
    from urllib.parse import quote

    try:
        base = observations._portal_api_connection.MAST_DOWNLOAD_URL
        signature = inspect.signature(observations._download_file).parameters
    except (AttributeError, TypeError, ValueError):
        signature = {}
    if not {"head_safe", "continuation", "verbose", "cache", "timeout"} <= set(signature):
        import astroquery

        raise MastError(f"astroquery {getattr(astroquery, '__version__', '?')} does not download as mastgraph "
                        "expects: install the version of requirements.lock (pip install -c requirements.lock "
                        "'mastgraph[mast]')")
    import requests
    from astroquery.mast import conf

    def download(uri: str, path: Path) -> None:
        try:
            observations._download_file(f"{base}?uri={quote(uri, safe=':/')}", str(path), timeout=conf.timeout,
                                        continuation=False, cache=False, head_safe=True, verbose=False)
        except requests.HTTPError as exc:
            if transient(exc) is not None:
                raise
            raise _NotFetched(_reason(exc)) from exc

    return download


def _remove_unlisted(out: Path, key: str, products: Any, keep: set[str]) -> list[Path]:
    """Remove the program's files (`jw<ppppp>...`, not hidden) in `out` that the product list does not
    name, but for the tables (`keep`): what a fetch made, no longer MAST's. Returns them."""
    listed = {Path(str(name)).name for name in products["productFilename"]} if "productFilename" in products.colnames \
        else set()
    if not listed:  # (a list without file names says nothing of what is gone)
        return []
    gone = sorted(path for path in out.glob(f"jw{key}*")
                  if path.name not in listed and path.name not in keep and path.is_file())
    for path in gone:
        try:
            path.unlink()
        except OSError as exc:
            raise MastError(f"cannot remove {path}, which MAST no longer lists ({exc.strerror or exc})") from exc
    return gone


def _whole(local: Path, listed: int | None) -> bool:
    """A download already there, whole: under its own name (renamed only when whole) and, where the
    product list gives a size, of that size (else MAST's file changed since)."""
    return local.is_file() and _wrong_size(local, listed) is None


def _part(local: Path) -> Path:
    """Where `local` is written until whole: hidden, so `mastgraph ingest FOLDER` never loads it."""
    return local.with_name(f".{local.name}.part")


def _remove_parts(out: Path) -> None:
    for part in out.glob(".*.part"):
        _unlink(part)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _rename(part: Path, local: Path) -> None:
    try:
        os.replace(part, local)
    except OSError as exc:
        raise MastError(f"cannot write {local} ({exc.strerror or exc})") from exc


def _error_page(local: Path, listed: int | None) -> str | None:
    """Why a download is not the product: an HTML page where the product list gives no size to
    compare (with a size, `_wrong_size` tells)."""
    if listed is not None:
        return None
    try:
        with open(local, "rb") as fh:
            head = fh.read(512).lstrip().lower()
    except OSError as exc:
        return f"not on disk after its download ({exc.strerror or exc})"
    if head.startswith((b"<!doctype html", b"<html")):
        return "MAST answered with an HTML page (an error page), not the file"
    return None


def _listed_sizes(products: Any) -> dict[str, int]:
    """Each product file's size in bytes as the product list gives it (none where it gives none)."""
    if "size" not in products.colnames:
        return {}
    sizes = {}
    for row in products:
        try:
            size = int(row["size"])
        except (TypeError, ValueError):  # (a masked or blank size)
            continue
        if size > 0:
            sizes[Path(str(row["productFilename"])).name] = size
    return sizes


def _wrong_size(local: Path, listed: int | None) -> str | None:
    """Why a download astroquery calls COMPLETE is not: missing, empty, or not the listed size (a
    cut answer without Content-Length); None when it is whole."""
    try:
        got = local.stat().st_size
    except OSError as exc:
        return f"not on disk after its download ({exc.strerror or exc})"
    if got == 0:
        return "downloaded empty (0 bytes)"
    if listed is not None and got != listed:
        return (f"downloaded {got:,} bytes where the product list gives {listed:,} (a cut download; should MAST "
                "list a wrong size, files fetched another way load with `mastgraph ingest FOLDER`)")
    return None


#: A write's failure that is the local disk's, not the network's (astroquery writes the downloads).
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO})


def _disk_error(exc: BaseException) -> OSError | None:
    """`exc` when it is a local write's failure (requests' errors are OSErrors too, without errno)."""
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return exc
    return None


def _write(table: Any, path: Path) -> None:
    """Write a table as ECSV under a temporary name, renamed when whole."""
    part = _part(path)
    try:
        try:
            table.write(part, format="ascii.ecsv", overwrite=True)
        except OSError as exc:
            raise MastError(f"cannot write {path} ({exc.strerror or exc})") from exc
        _rename(part, path)
    finally:
        _unlink(part)


def _ask(retry: RetryPolicy, what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`call`, asked again on transient faults; any fault of the network, of MAST or of the disk that
    stays a `MastError` in one line."""
    try:
        return retry.call(what, call, *args, **kwargs)
    except (MastError, _NotFetched):
        raise
    except RetriesExhausted as exc:
        last = exc.__cause__ if exc.__cause__ is not None else exc
        raise MastError(f"MAST {what} failed: {_reason(last)} (still after {retry.retries} "
                        f"{'retry' if retry.retries == 1 else 'retries'})") from exc
    except Exception as exc:  # noqa: BLE001 - network and service errors of many kinds, reported in one line
        if (disk := _disk_error(exc)) is not None:
            if disk.filename:  # (as a table's write says it)
                raise MastError(f"cannot write {_own_name(disk.filename)} ({disk.strerror or disk})") from exc
            raise MastError(f"MAST {what}: cannot write ({disk.strerror or disk})") from exc
        raise MastError(f"MAST {what} failed: {_reason(exc)}") from exc


def _own_name(filename: Any) -> str:
    """A file's name in a message: a download's own, not the temporary one it is written under."""
    path = Path(os.fsdecode(filename)) if isinstance(filename, (str, bytes, os.PathLike)) else None
    if path is None or not (path.name.startswith(".") and path.name.endswith(".part")):
        return str(filename)
    return str(path.with_name(path.name[1:-len(".part")]))


def _reason(exc: BaseException) -> str:
    """An exception of the network or of MAST in a few words: its kind and first line."""
    lines = str(exc).strip().splitlines()
    reason = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
        reason = f"its answer is not JSON (an error page or a cut answer; {reason})"
    return reason
