// Products with no path to raw exposures: science products (L2a, L2b, L3) from which no outgoing COMPOSITION/ANTECEDENT path reaches a Level-1b product.
// params: level (string, optional: "2a", "2b" or "3"), program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
// `members` and `antecedents` count the product's own outgoing COMPOSITION and ANTECEDENT relationships (0 and 0: nothing was linked at all).
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5) AND (p:L2a OR p:L2b OR p:L3)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  CALL () {
    MATCH (p:L3) RETURN p
    UNION
    MATCH (p:L2b) RETURN p
    UNION
    MATCH (p:L2a) RETURN p
  }
  RETURN p
}
WITH p WHERE ($level IS NULL OR p.level = $level)
  AND NOT EXISTS { (p)-[:COMPOSITION|ANTECEDENT*1..12]->(:L1b) }
RETURN p.uri AS product, p.filename AS filename, p.level AS level, p.program AS program,
       COUNT { (p)-[:COMPOSITION]->() } AS members, COUNT { (p)-[:ANTECEDENT]->() } AS antecedents
ORDER BY level DESC, product
LIMIT coalesce($limit, 100)
