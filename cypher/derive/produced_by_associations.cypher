// PRODUCED_BY from every loaded product an association names (Level-3 associations make L3 products, Level-2 ones L2b).
// params: names (list of string)
UNWIND $names AS name
MATCH (a:Association {name: name}) USING INDEX SEEK a:Association(name)
WITH a, CASE WHEN a.asn_type ENDS WITH '3' THEN '3' ELSE '2b' END AS level
UNWIND coalesce(a.products, []) AS product_name
CALL (a, level, product_name) {
  MATCH (p:Product {stem: product_name}) USING INDEX SEEK p:Product(stem)
  WHERE p.level = level AND NOT p:Preview
  RETURN p
  UNION
  MATCH (p:Product {source_stem: product_name}) USING INDEX SEEK p:Product(source_stem)
  WHERE p.level = level AND NOT p:Preview
  RETURN p
  UNION
  // Level-3 products named after the product name plus a band (MIRI MRS cubes: <name>_ch3-long_s3d)
  MATCH (p:Product) USING INDEX SEEK p:Product(stem)
  WHERE level = '3' AND p.stem STARTS WITH product_name + '_' AND p.level = '3' AND NOT p:Preview
  RETURN p
}
MERGE (p)-[:PRODUCED_BY]->(a)
