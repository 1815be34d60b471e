"""Live MAST: fetch one JWST program's observation rows, product list and small ASN/POOL files.

Needs the optional extra ``mastgraph[mast]`` (astroquery), imported only when called. The fetched
tables are written as ECSV beside the downloaded files, so the ingest loads them like any other
files (`loaders/registry.py` recognises each) and a fetch can be kept and re-loaded offline.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mastgraph.loaders import names

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
) -> list[Path]:
    """Fetch a program from MAST into `out_dir`; return the files to load, tables first.

    Writes ``jw<ppppp>_observations.ecsv`` (`Observations.query_criteria(obs_collection="JWST",
    proposal_id=...)`) and ``jw<ppppp>_products.ecsv`` (`Observations.get_product_list`), then
    downloads the products whose `productSubGroupDescription` is one of `subgroups` (ASN and POOL
    by default) flat into `out_dir`. Raises `MastError` when the program has no observations, a
    request or download fails, a download is not the size the product list gives (astroquery takes
    an empty or cut file for a complete one), or `out_dir` cannot be written (a full disk).
    """
    observations = observations_service()
    try:
        key = names.program_key(program)
    except ValueError as exc:
        raise MastError(str(exc)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    obs_table = _ask(
        "query_criteria", observations.query_criteria, obs_collection="JWST", proposal_id=str(int(key))
    )
    if obs_table is None or len(obs_table) == 0:
        raise MastError(f"MAST has no JWST observations for program {key}")
    obs_path = out / f"jw{key}_observations.ecsv"
    _write(obs_table, obs_path)

    products = _product_list(observations, obs_table)
    products_path = out / f"jw{key}_products.ecsv"
    _write(products, products_path)

    downloaded = _download_small(observations, products, out, list(subgroups), cache) if subgroups else []
    return [obs_path, products_path, *downloaded]


def _product_list(observations: Any, obs_table: Any) -> Any:
    from astropy.table import vstack

    parts = [
        _ask("get_product_list", observations.get_product_list, obs_table[start : start + PRODUCT_BATCH])
        for start in range(0, len(obs_table), PRODUCT_BATCH)
    ]
    parts = [part for part in parts if part is not None and len(part)]
    if not parts:
        raise MastError("MAST returned no products for the program's observations")
    return parts[0] if len(parts) == 1 else vstack(parts, metadata_conflicts="silent")


def _download_small(observations: Any, products: Any, out: Path, subgroups: list[str], cache: bool) -> list[Path]:
    if "productSubGroupDescription" not in products.colnames:
        raise MastError("the product list has no productSubGroupDescription column")
    small = observations.filter_products(products, productSubGroupDescription=subgroups)
    if len(small) == 0:
        return []
    manifest = _ask(
        "download_products", observations.download_products, small,
        download_dir=str(out), flat=True, cache=cache, verbose=False,
    )
    if manifest is None:
        return []
    sizes = _listed_sizes(small)
    files, failures = [], []
    for entry in manifest:
        local = Path(str(entry["Local Path"]))
        if str(entry["Status"]) != "COMPLETE":
            failures.append(f"{local}: {entry['Status']} {entry['Message']}")
        elif (wrong := _wrong_size(local, sizes.get(local.name))) is not None:
            failures.append(f"{local}: {wrong}")
        else:
            files.append(local)
    if failures:
        raise MastError(f"{len(failures)} of {len(manifest)} downloads failed, first: {failures[0]}")
    return sorted(dict.fromkeys(files))


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
    try:
        table.write(path, format="ascii.ecsv", overwrite=True)
    except OSError as exc:
        raise MastError(f"cannot write {path} ({exc.strerror or exc})") from exc


def _ask(what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except MastError:
        raise
    except Exception as exc:  # noqa: BLE001 - network and service errors of many kinds, reported in one line
        if (disk := _disk_error(exc)) is not None:
            where = f" {disk.filename}" if disk.filename else ""
            raise MastError(f"MAST {what}: cannot write{where} ({disk.strerror or disk})") from exc
        lines = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {lines[0] if lines else ''}"
        if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
            reason = f"its answer is not JSON (an error page or a cut answer; {reason})"
        raise MastError(f"MAST {what} failed: {reason}") from exc
