"""How Neo4j Browser draws mastgraph's graph: a colour per label, a caption per node kind (GraSS).

Products show their file name (`filename`), observations their MAST `obs_id`, associations their
`name`; raw-to-combined levels (L1b, L2a, L2b, L3) get colours from green to red so that a lineage
reads at a glance. Relationships show their type.

Browser 5.24 takes a style as `:style <GraSS or JSON>` (offline, no URL needed). The local server
hands it over as its `browser.post_connect_cmd`, which the Browser runs after each connection, so
the style is in place the first time a lineage is drawn (and is put back on each new connection).
"""

from __future__ import annotations

import json

from mastgraph.model.vocabulary import KEYS, Label

DARK_TEXT = "#2A2C34"
LIGHT_TEXT = "#FFFFFF"

#: label -> (fill colour, caption property, text colour)
NODE_STYLES: dict[Label, tuple[str, str, str]] = {
    Label.PROGRAM: ("#C990C0", "program", DARK_TEXT),
    Label.OBSERVATION: ("#F79767", "obs_id", DARK_TEXT),
    Label.EXPOSURE: ("#F79767", "obs_id", DARK_TEXT),
    Label.COMBINED: ("#E3663A", "obs_id", LIGHT_TEXT),
    Label.PRODUCT: ("#A5ABB6", "filename", DARK_TEXT),
    Label.L1B: ("#8DCC93", "filename", DARK_TEXT),
    Label.L2A: ("#57C7E3", "filename", DARK_TEXT),
    Label.L2B: ("#4C8EDA", "filename", LIGHT_TEXT),
    Label.L3: ("#DA7194", "filename", LIGHT_TEXT),
    Label.GUIDE_STAR: ("#D9C8AE", "filename", DARK_TEXT),
    Label.PREVIEW: ("#D9C8AE", "filename", DARK_TEXT),
    Label.ASSOCIATION_FILE: ("#ECB5C9", "filename", DARK_TEXT),
    Label.POOL_FILE: ("#ECB5C9", "filename", DARK_TEXT),
    Label.MSA_FILE: ("#ECB5C9", "filename", DARK_TEXT),
    Label.CATALOG: ("#ECB5C9", "filename", DARK_TEXT),
    Label.ASSOCIATION: ("#F16667", "name", LIGHT_TEXT),
    Label.REFERENCE_FILE: ("#FFC454", "name", DARK_TEXT),
    Label.CRDS_CONTEXT: ("#FFE081", "name", DARK_TEXT),
    Label.MNEMONIC: ("#6DCE9E", "name", DARK_TEXT),
    Label.ENGINEERING_SERIES: ("#6DCE9E", KEYS[Label.ENGINEERING_SERIES], DARK_TEXT),
    Label.EXTERNAL_PRODUCT: ("#C6CBD3", KEYS[Label.EXTERNAL_PRODUCT], DARK_TEXT),
}


def grass() -> dict[str, dict[str, str]]:
    """The style as the Browser's JSON form of GraSS: selector -> properties."""
    rules: dict[str, dict[str, str]] = {
        "node": {"diameter": "50px", "color": "#A5ABB6", "border-color": "#9AA1AC", "border-width": "2px",
                 "text-color-internal": DARK_TEXT, "font-size": "10px"},
        "relationship": {"color": "#A5ABB6", "shaft-width": "1px", "font-size": "8px", "padding": "3px",
                         "text-color-external": "#000000", "text-color-internal": LIGHT_TEXT, "caption": "<type>"},
    }
    for label, (color, key, text) in NODE_STYLES.items():
        rules[f"node.{label}"] = {"color": color, "border-color": color, "text-color-internal": text,
                                  "caption": f"{{{key}}}", "diameter": "55px" if label is Label.L3 else "50px"}
    return rules


def style_command() -> str:
    """`:style {...}` with the style as one line of JSON (no `;`, which would split a post-connect command)."""
    return ":style " + json.dumps(grass(), separators=(",", ":"))
