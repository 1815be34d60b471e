// Duplicate products: one file name under several product URIs (the same file reached through different dataURIs).
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (p:Product)
  RETURN p
}
WITH p WHERE p.filename IS NOT NULL AND EXISTS { MATCH (q:Product {filename: p.filename}) WHERE q <> p }
WITH p.filename AS filename, collect(p.uri) AS uris
RETURN filename, size(uris) AS copies, uris
ORDER BY filename
LIMIT coalesce($limit, 100)
