// One step of a downstream lineage walk: the lineage relationships reaching a frontier of products, from what was made from them.
// params: frontier (list of string: product URIs), types (list of string: lineage relationship types from model/vocabulary.py)
// Lineage points downstream -> upstream, so downstream is incoming. Only product-to-product relationships are walked.
UNWIND $frontier AS uri
MATCH (:Product {uri: uri})<-[r]-(next:Product)
WHERE type(r) IN $types
RETURN collect({from: next.uri, to: uri, type: type(r), properties: properties(r)}) AS steps
