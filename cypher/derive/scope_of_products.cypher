// What a change to these products can affect beyond them: the associations that produce them or list them as members
// (their outputs' relationships to the members), and the observations that list them (their minimum recommended products).
// params: uris (list of string)
// One seek per product for both: each row names an association or an observation, the other column null.
UNWIND $uris AS uri
MATCH (p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
CALL (p) {
  MATCH (p)-[:PRODUCED_BY]->(a:Association) RETURN a.name AS name, null AS obsid
  UNION
  MATCH (a:Association)-[:HAS_MEMBER]->(p) RETURN a.name AS name, null AS obsid
  UNION
  MATCH (o:Observation)-[:HAS_PRODUCT]->(p) RETURN null AS name, o.obsid AS obsid
}
RETURN DISTINCT name, obsid
