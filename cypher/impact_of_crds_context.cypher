// Impact of a CRDS context: the products calibrated under it (CALIBRATED_UNDER, distance 0) and every product made from them, with the observations that list them.
// params: name (string: the context, "jwst_1100.pmap" or "crds://jwst_1100.pmap"), depth (int, default 10, at most 12), limit (int, default 1000)
MATCH (:CrdsContext {name: replace($name, 'crds://', '')})<-[:CALIBRATED_UNDER]-(direct:Product)
MATCH path = (p:Product)-[:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION*0..12]->(direct)
WITH p, min(length(path)) AS distance
WHERE distance <= coalesce($depth, 10)
RETURN p.uri AS product, p.filename AS filename, p.level AS level, p.program AS program, distance,
       COLLECT { MATCH (o:Observation)-[:HAS_PRODUCT]->(p) RETURN DISTINCT o.obs_id AS obs_id ORDER BY obs_id } AS observations
ORDER BY distance, product
LIMIT coalesce($limit, 1000)
