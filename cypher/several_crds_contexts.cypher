// Products under several CRDS contexts: products with CALIBRATED_UNDER to more than one CRDS context (their headers disagree between loads).
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (p:Product)
  RETURN p
}
WITH p, COLLECT { MATCH (p)-[:CALIBRATED_UNDER]->(c:CrdsContext) RETURN DISTINCT c.name AS name ORDER BY name } AS contexts
WHERE size(contexts) > 1
RETURN p.uri AS product, p.filename AS filename, p.level AS level, contexts
ORDER BY product
LIMIT coalesce($limit, 100)
