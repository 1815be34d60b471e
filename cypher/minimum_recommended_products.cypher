// Minimum recommended products of an observation: mastgraph's rule (MRP) next to MAST's own flag (MAST_MRP), one row per product either of them names.
// params: observation (string: obs_id such as "jw02733-o002_t001_miri_f1130w", or the numeric obsid), limit (int, default 1000)
// MRP depends on the listing context: a cal file is recommended in its exposure's listing, not in the Level-3 one.
MATCH (o:Observation)
WHERE o.obs_id = toString($observation) OR o.obsid = toString($observation)
MATCH (o)-[r:MRP|MAST_MRP]->(p:Product)
WITH o, p, collect(DISTINCT type(r)) AS flags
RETURN o.obs_id AS observation, p.uri AS product, p.filename AS filename, p.level AS level,
       'MRP' IN flags AS mrp, 'MAST_MRP' IN flags AS mast_mrp
ORDER BY observation, product
LIMIT coalesce($limit, 1000)
