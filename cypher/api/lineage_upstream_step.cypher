// One step of an upstream lineage walk: the lineage relationships leaving a frontier of products, toward what they were made from.
// params: frontier (list of string: product URIs), types (list of string: lineage relationship types from model/vocabulary.py)
// Lineage points downstream -> upstream, so upstream is outgoing. Only product-to-product relationships are walked.
UNWIND $frontier AS uri
MATCH (:Product {uri: uri})-[r]->(next:Product)
WHERE type(r) IN $types
RETURN collect({from: uri, to: next.uri, type: type(r), properties: properties(r)}) AS steps
