// The files of a download list: the products given, the products they link to (guide star, MSA catalog) and their previews, each once, with what a download list shows of each.
// params: uris (list of string: product URIs)
// mrp: some observation names the file a minimum recommended product by mastgraph's rule (MRP); mast_mrp: MAST's flag (MAST_MRP, or the listing's own flag).
UNWIND $uris AS uri
MATCH (p:Product {uri: uri})
CALL (p) {
  RETURN p AS f
  UNION
  MATCH (p)-[:LINKED]->(f:Product)
  RETURN f
  UNION
  MATCH (p)<-[:LINKED {kind: 'preview'}]-(f:Product)
  RETURN f
}
WITH DISTINCT f
RETURN collect(f {.uri, .filename, .level, .product_type, .suffix, .size, labels: labels(f),
                  mrp: EXISTS { (:Observation)-[:MRP]->(f) },
                  mast_mrp: coalesce(f.mast_mrp, false) OR EXISTS { (:Observation)-[:MAST_MRP]->(f) }}) AS files
