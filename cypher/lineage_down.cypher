// Lineage down: everything a product was made from, following COMPOSITION, ANTECEDENT and CONTEMPORANEOUS_CALIBRATION down to the raw (Level-1b) exposures, nearest first.
// params: uri (string: the product's URI), depth (int, default 10, at most 12), limit (int, default 1000)
// `distance` is the number of steps on the shortest path. Lineage points downstream -> upstream, so this walks outgoing relationships.
MATCH (start:Product {uri: $uri})
MATCH path = (start)-[:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION*1..12]->(p:Product)
WITH p, min(length(path)) AS distance
WHERE distance <= coalesce($depth, 10)
RETURN p.uri AS product, p.filename AS filename, p.level AS level,
       [label IN labels(p) WHERE label <> 'Product'] AS kinds, distance
ORDER BY distance, product
LIMIT coalesce($limit, 1000)
