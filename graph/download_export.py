"""The exports of a download list (`graph.downloads`): a MAST URI list, a curl script, CSV.

The API's `DownloadList.uris/curl/csv` and `mastgraph download-list --format` print these, so a
script gets from either exactly what the explorer page offers.
"""

from __future__ import annotations

import csv as csv_module
import io
import shlex
from collections.abc import Sequence
from urllib.parse import quote

#: MAST's download service (as in the curl scripts of MAST's download bundles and astroquery.mast).
DOWNLOAD_URL = "https://mast.stsci.edu/api/v0.1/Download/file?uri="
#: Columns of the CSV export, in order.
CSV_COLUMNS = ("uri", "filename", "level", "product_type", "suffix", "size", "mrp", "mast_mrp", "category")


def uris(files: Sequence[dict]) -> str:
    """One MAST URI per line (the format of MAST's download manifests), ending with a newline."""
    return "".join(f"{f['uri']}\n" for f in files)


def _printable(text: str) -> str:
    """Text safe inside the script's here-documents: no control characters (so no line of its own)."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _filename(file: dict) -> str:
    name = file.get("filename") or file["uri"].rsplit("/", 1)[-1]
    return name.replace("/", "_") or "unnamed"


def curl(files: Sequence[dict], folder: str = "MAST_mastgraph") -> str:
    """A POSIX sh script that downloads each file with curl into `folder`/JWST/, shaped like MAST's bundle script."""
    lines = [
        "#!/bin/sh",
        "#",
        "# Downloads the files of a mastgraph download list from the MAST Download service with curl,",
        "# like the curl script of a MAST download bundle. Protected data need a MAST token:",
        "#   MAST_API_TOKEN=... sh this-script",
        "#",
        "command -v curl >/dev/null 2>&1 || { echo 'This script requires curl. Exiting.' >&2; exit 1; }",
        'AUTH=""',
        'if [ -n "${MAST_API_TOKEN:-}" ]; then AUTH="Authorization: token ${MAST_API_TOKEN}"; fi',
        f"FOLDER={shlex.quote(folder)}",
        "",
        f"# {len(files)} file{'s' if len(files) != 1 else ''}",
    ]
    for file in files:
        name = _filename(file)
        target = f"JWST/{name}"
        url = DOWNLOAD_URL + quote(file["uri"], safe=":/")
        lines += [
            "",
            "cat <<'EOT'",
            f"<<< Downloading File: {_printable(file['uri'])}",
            f"                  To: {_printable(target)}",
            "EOT",
            (f'curl --globoff --location-trusted -f --progress-bar --create-dirs ${{AUTH:+-H "$AUTH"}} '
             f'--output "$FOLDER"/{shlex.quote(target)} {shlex.quote(url)}'),
        ]
    lines.append("")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv(files: Sequence[dict]) -> str:
    """A header and one row per file (RFC 4180 quoting, `\\n` line ends)."""
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for file in files:
        writer.writerow([_cell(file.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


FORMATS = {"uris": uris, "curl": curl, "csv": csv}
