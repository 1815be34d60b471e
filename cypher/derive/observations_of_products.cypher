// The observations that list these products (their minimum recommended products may change with them).
// params: uris (list of string)
UNWIND $uris AS uri
MATCH (o:Observation)-[:HAS_PRODUCT]->(p:Product {uri: uri}) USING INDEX SEEK p:Product(uri)
RETURN DISTINCT o.obsid AS obsid
