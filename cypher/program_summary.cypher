// What a program holds: its products by level (or ancillary kind), with how many a MAST listing named and how many carry mastgraph's MRP.
// params: program (string: the program, "2733" or "02733")
MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
WITH p, CASE WHEN p.level IS NOT NULL THEN 'L' + p.level
             ELSE coalesce([label IN labels(p) WHERE label <> 'Product'][0], 'other') END AS kind
RETURN kind, count(p) AS products, count(CASE WHEN p.listed = true THEN 1 END) AS listed,
       count(CASE WHEN EXISTS { (:Observation)-[:MRP]->(p) } THEN 1 END) AS mrp
ORDER BY kind
