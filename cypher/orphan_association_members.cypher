// Orphan association members: products an association names (HAS_MEMBER) that no loaded MAST listing named (`listed` is not true).
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (p:Product)
  RETURN p
}
WITH p WHERE p.listed IS NULL OR p.listed <> true
MATCH (a:Association)-[m:HAS_MEMBER]->(p)
WITH p, collect(DISTINCT a.name) AS associations, collect(DISTINCT m.exptype) AS exptypes
RETURN p.uri AS product, p.filename AS filename, p.program AS program, associations, exptypes
ORDER BY product
LIMIT coalesce($limit, 100)
