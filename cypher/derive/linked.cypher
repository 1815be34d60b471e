// LINKED data: products -> their previews (a preview's `previews` names the product it shows), Level-1b exposures -> guide-star products of their visit, products -> the MSA metadata file named by MSAMETFL.
// params: uris (list of string), both (boolean: also the second direction of each kind)
// Both directions, so loading the products in any order gives the same edges. Over every product
// (the bulk build's `derive_all`) each second direction finds no pair the first does not, so it is off there.
// Each kind takes only the products it can link: the list is filtered before any seek (a row-wise
// `WITH p WHERE ...` let the planner seek every product's partners first and filter after). The second
// direction leaves out partners in $uris: the first direction of each of them MERGEs that pair.
UNWIND $uris AS uri
MATCH (p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
WITH collect(p) AS products
CALL (products) {
  UNWIND [p IN products WHERE p:Preview AND p.previews IS NOT NULL] AS p
  MATCH (t:Product {filename: p.previews}) USING INDEX SEEK t:Product(filename)
  MERGE (t)-[:LINKED {kind: 'preview'}]->(p)
}
CALL (products) {
  UNWIND [p IN products WHERE $both AND NOT p:Preview AND p.filename IS NOT NULL] AS p
  MATCH (v:Product {previews: p.filename}) USING INDEX SEEK v:Product(previews)
  WHERE v:Preview AND NOT v.uri IN $uris
  MERGE (p)-[:LINKED {kind: 'preview'}]->(v)
}
CALL (products) {
  UNWIND [p IN products WHERE p:L1b AND NOT p:GuideStar AND p.visit_id IS NOT NULL] AS p
  MATCH (g:GuideStar {visit_id: p.visit_id}) USING INDEX SEEK g:GuideStar(visit_id)
  WHERE g:Product
  MERGE (p)-[:LINKED {kind: 'guide_star'}]->(g)
}
CALL (products) {
  UNWIND [p IN products WHERE $both AND p:GuideStar AND p.visit_id IS NOT NULL] AS p
  MATCH (e:L1b {visit_id: p.visit_id}) USING INDEX SEEK e:L1b(visit_id)
  WHERE e:Product AND NOT e:GuideStar AND NOT e.uri IN $uris
  MERGE (e)-[:LINKED {kind: 'guide_star'}]->(p)
}
CALL (products) {
  UNWIND [p IN products WHERE p.msametfl IS NOT NULL] AS p
  MATCH (m:Product {filename: p.msametfl}) USING INDEX SEEK m:Product(filename)
  WHERE m:MsaFile
  MERGE (p)-[:LINKED {kind: 'msa_catalog'}]->(m)
}
CALL (products) {
  UNWIND [p IN products WHERE $both AND p:MsaFile AND p.filename IS NOT NULL] AS p
  MATCH (e:Product {msametfl: p.filename}) USING INDEX SEEK e:Product(msametfl)
  WHERE NOT e.uri IN $uris
  MERGE (e)-[:LINKED {kind: 'msa_catalog'}]->(p)
}
