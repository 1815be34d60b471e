// Orphan products: products that no observation lists or aggregates (HAS_PRODUCT, AGGREGATION) and no association names or produces (HAS_MEMBER, PRODUCED_BY); an association file is claimed by its own association.
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (p:Product)
  RETURN p
}
WITH p WHERE NOT EXISTS { (p)<-[:HAS_PRODUCT|AGGREGATION|HAS_MEMBER]-() }
  AND NOT EXISTS { (p)-[:PRODUCED_BY]->() }
  AND NOT (p:AssociationFile AND EXISTS { MATCH (:Association {name: p.association}) })
RETURN p.uri AS product, p.filename AS filename, p.level AS level, p.program AS program,
       [label IN labels(p) WHERE label <> 'Product'] AS kinds
ORDER BY product
LIMIT coalesce($limit, 100)
