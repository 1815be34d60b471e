// ANTECEDENT between exposure-level products of one exposure and detector: each product -> the inputs of the pipeline stage that made it.
// params: uris (list of string), inputs (map: suffix -> list of input suffixes, model.vocabulary.EXPOSURE_INPUTS),
//         both (boolean: also from each product's outputs back to it)
// Both directions, so loading the products in any order gives the same edges. Over every product
// (the bulk build's `derive_all`) the second direction finds no pair the first does not, so it is off there;
// it leaves out products in $uris, whose own first direction MERGEs that pair.
UNWIND $uris AS uri
MATCH (p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
WHERE p.exposure_key IS NOT NULL AND NOT p:Preview AND NOT p:GuideStar
CALL (p) {
  MATCH (q:Product {exposure_key: p.exposure_key}) USING INDEX SEEK q:Product(exposure_key)
  WHERE q.suffix IN coalesce($inputs[p.suffix], []) AND NOT q:Preview AND NOT q:GuideStar
  MERGE (p)-[:ANTECEDENT]->(q)
}
CALL (p) {
  WITH p WHERE $both
  MATCH (d:Product {exposure_key: p.exposure_key}) USING INDEX SEEK d:Product(exposure_key)
  WHERE p.suffix IN coalesce($inputs[d.suffix], []) AND NOT d:Preview AND NOT d:GuideStar AND NOT d.uri IN $uris
  MERGE (d)-[:ANTECEDENT]->(p)
}
