// The self-hosted GraphiQL: React and GraphiQL from npm, bundled by esbuild; no CDN.
// A query (and variables) may be handed over in the URL's fragment: /graphql#query=...&variables=...
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import "./token.css";
import { authFetch } from "./token.js";

async function fetcher(params) {
  const response = await authFetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(params),
  });
  return response.json();
}

const handed = new URLSearchParams(window.location.hash.slice(1));
const props = { fetcher, defaultEditorToolsVisibility: true, isHeadersEditorEnabled: false };
if (handed.get("query")) props.query = handed.get("query");
if (handed.get("variables")) props.variables = handed.get("variables");
props.defaultQuery = `# mastgraph: JWST/MAST data product lineage. Examples: docs/api.md; the explorer: /
query L3ToRaw($uri: String! = "mast:JWST/product/jw02733-o003_t001_miri_f1130w_i2d.fits") {
  product(uri: $uri) {
    filename level
    composedOf { filename level antecedents(first: 5) { filename level antecedents(first: 5) { filename level } } }
  }
}
`;
createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
