// Provenance subgraph of a product, read by the W3C PROV export: the product and what it was made from (COMPOSITION, ANTECEDENT, CONTEMPORANEOUS_CALIBRATION) up to $depth steps, each with its inputs, prerequisites, reference files, CRDS contexts and producing associations (with their members).
// params: uri (string: the product's URI), depth (int, default 3, at most 12), limit (int, default 20000: at most this many products)
// One row, or none when no product has that URI. Products at the last step are listed without their inputs; `truncated` is true when more than $limit products were in reach.
MATCH (root:Product {uri: $uri})
CALL (root) {
  MATCH path = (root)-[:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION*0..12]->(p:Product)
  WITH p, min(length(path)) AS depth
  WHERE depth <= coalesce($depth, 3)
  RETURN p, depth
  ORDER BY depth, p.uri
  LIMIT coalesce($limit, 20000) + 1
}
WITH collect({p: p, depth: depth}) AS reached
WITH reached[..coalesce($limit, 20000)] AS kept, size(reached) > coalesce($limit, 20000) AS truncated
UNWIND kept AS row
WITH row.p AS p, row.depth AS depth, truncated
WITH truncated, collect(p) AS nodes, collect({
  uri: p.uri, labels: labels(p), properties: properties(p), depth: depth,
  inputs: COLLECT {
    MATCH (p)-[r:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION]->(q:Product)
    WHERE depth < coalesce($depth, 3)
    RETURN {relation: type(r), uri: q.uri, filename: q.filename, properties: properties(r)} AS input
  },
  prerequisites: COLLECT {
    MATCH (p)-[r:PREREQUISITE]->(q:Product)
    RETURN {uri: q.uri, filename: q.filename, kind: r.kind} AS prerequisite
  },
  references: COLLECT {
    MATCH (p)-[r:USED_REFERENCE]->(f:ReferenceFile)
    RETURN {name: f.name, reftype: coalesce(r.reftype, f.reftype), instrument: f.instrument} AS reference
  },
  contexts: COLLECT { MATCH (p)-[:CALIBRATED_UNDER]->(c:CrdsContext) RETURN c.name AS context },
  associations: COLLECT { MATCH (p)-[:PRODUCED_BY]->(a:Association) RETURN a.name AS association }
}) AS products
CALL (nodes) {
  UNWIND nodes AS p
  MATCH (p)-[:PRODUCED_BY]->(a:Association)
  WITH DISTINCT a
  RETURN collect({
    name: a.name, properties: properties(a),
    files: COLLECT { MATCH (f:Product {association: a.name}) RETURN f.uri AS file },
    members: COLLECT {
      MATCH (a)-[m:HAS_MEMBER]->(x:Product)
      RETURN {uri: x.uri, filename: x.filename, exptype: m.exptype, product: m.product} AS member
    }
  }) AS associations
}
RETURN products, associations, truncated
