// MRP disagreements with MAST: for every observation whose listing was loaded (`mast_listed`), the products that mastgraph's rule (MRP) and MAST's flag (MAST_MRP) do not agree on.
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
// `flagged_by` says which side names the product: "mastgraph only" or "MAST only".
CALL () {
  MATCH (o:Observation) WHERE o.program = right('0000' + toString($program), 5)
  RETURN o
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (o:Observation)
  RETURN o
}
WITH o WHERE o.mast_listed = true
MATCH (o)-[r:MRP|MAST_MRP]->(p:Product)
WITH o, p, collect(DISTINCT type(r)) AS flags
WHERE size(flags) = 1
RETURN o.obs_id AS observation, o.obsid AS obsid, p.uri AS product, p.filename AS filename,
       CASE flags[0] WHEN 'MRP' THEN 'mastgraph only' ELSE 'MAST only' END AS flagged_by
ORDER BY observation, product
LIMIT coalesce($limit, 100)
