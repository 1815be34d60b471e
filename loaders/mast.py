"""Live MAST: fetch one JWST program's observation rows, product list and small ASN/POOL files.

Needs the optional extra ``mastgraph[mast]`` (astroquery), imported only when called. The fetched
tables are written as ECSV beside the downloaded files, so the ingest loads them like any other
files (`loaders/registry.py` recognises each) and a fetch can be kept and re-loaded offline.
"""

from __future__ import annotations

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
    by default) flat into `out_dir`. Raises `MastError` when the program has no observations or a
    request or download fails.
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
    obs_table.write(obs_path, format="ascii.ecsv", overwrite=True)

    products = _product_list(observations, obs_table)
    products_path = out / f"jw{key}_products.ecsv"
    products.write(products_path, format="ascii.ecsv", overwrite=True)

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
    files, failures = [], []
    for entry in manifest:
        if str(entry["Status"]) == "COMPLETE":
            files.append(Path(str(entry["Local Path"])))
        else:
            failures.append(f"{entry['Local Path']}: {entry['Status']} {entry['Message']}")
    if failures:
        raise MastError(f"{len(failures)} of {len(manifest)} downloads failed, first: {failures[0]}")
    return sorted(dict.fromkeys(files))


def _ask(what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except MastError:
        raise
    except Exception as exc:  # noqa: BLE001 - network and service errors of many kinds, reported in one line
        lines = str(exc).strip().splitlines()
        raise MastError(f"MAST {what} failed: {type(exc).__name__}: {lines[0] if lines else ''}") from exc
