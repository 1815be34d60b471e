// Minimum Recommended Products of these observations by mastgraph's rule: the observation's own science products at the highest level present, no ancillary kinds, no intermediate products.
// params: obsids (list of string), intermediate (list of string: the intermediate suffixes, loaders.names.INTERMEDIATE_SUFFIXES)
// For a Level-3 observation these are its combined products, so its members' L2b products are left out.
UNWIND $obsids AS obsid
MATCH (o:Observation {obsid: obsid}) USING INDEX SEEK o:Observation(obsid)
// (the products by a pattern without labels or predicates: expanded from o whatever the statistics
// say, never found by a scan of the products; the conditions filter the list)
WITH o, [p IN [(o)-[:HAS_PRODUCT]->(x) | x]
         WHERE p:Product AND p.product_type = 'SCIENCE' AND p.level IS NOT NULL AND NOT p.suffix IN $intermediate
           AND NOT (p:GuideStar OR p:Preview OR p:AssociationFile OR p:PoolFile OR p:MsaFile)] AS science
WITH o, science, reduce(top = '', p IN science | CASE WHEN p.level > top THEN p.level ELSE top END) AS top
WITH o, [p IN science WHERE p.level = top] AS mrp
CALL (o, mrp) {
  MATCH (o)-[r:MRP]->(x)
  WHERE NOT x IN mrp
  DELETE r
}
CALL (o, mrp) {
  UNWIND mrp AS p
  MERGE (o)-[:MRP]->(p)
}
