// PRODUCED_BY from products to the associations that name them as a product (by stem, or by source_stem for per-source products).
// params: uris (list of string)
// Level-3 products are found through the association's program and asn id (a MIRI MRS cube is named
// by its band after the association's product name: `<name>_ch3-long_s3d.fits`); Level-2b products through a
// sibling of the same stem already produced by the association (its primary output).
// Each level's products are picked out before its seek, so a Level-2b product never seeks associations by program.
UNWIND $uris AS uri
MATCH (p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
WHERE p.level IN ['2b', '3'] AND p.stem IS NOT NULL AND NOT p:Preview
WITH collect(p) AS products
CALL (products) {
  UNWIND [p IN products WHERE p.level = '3'] AS p
  MATCH (a:Association {program: p.program, asn_id: p.asn_id}) USING INDEX SEEK a:Association(program, asn_id)
  WHERE a.asn_type ENDS WITH '3' AND (p.stem IN a.products OR p.source_stem IN a.products
       OR any(n IN a.products WHERE p.stem STARTS WITH n + '_'))
  MERGE (p)-[:PRODUCED_BY]->(a)
}
CALL (products) {
  UNWIND [p IN products WHERE p.level = '2b'] AS p
  MATCH (s:Product {stem: p.stem})-[:PRODUCED_BY]->(a:Association) USING INDEX SEEK s:Product(stem)
  WHERE NOT a.asn_type ENDS WITH '3' AND p.stem IN a.products
  WITH DISTINCT p, a
  MERGE (p)-[:PRODUCED_BY]->(a)
}
