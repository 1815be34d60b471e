// The associations whose derived relationships a change to these products can affect (as outputs or as members).
// params: uris (list of string)
UNWIND $uris AS uri
MATCH (p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
CALL (p) {
  MATCH (p)-[:PRODUCED_BY]->(a:Association) RETURN a
  UNION
  MATCH (a:Association)-[:HAS_MEMBER]->(p) RETURN a
}
RETURN DISTINCT a.name AS name
