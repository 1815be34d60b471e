// Impact of an engineering window: exposures and products whose time overlaps a window of one mnemonic's engineering data (HAS_ENGINEERING), their products (distance 0), and every product made from them.
// params: mnemonic (string, e.g. "SA_ZATTEST2"), t_min (float: window start, MJD), t_max (float: window end, MJD), depth (int, default 10, at most 12), limit (int, default 1000)
// An exposure is hit when its own [t_min, t_max] overlaps the window and it is linked to a series of that mnemonic covering it.
MATCH (series:EngineeringSeries {mnemonic: $mnemonic})
WHERE series.t_min <= $t_max AND series.t_max >= $t_min
MATCH (hit)-[:HAS_ENGINEERING]->(series)
WHERE hit.t_min <= $t_max AND hit.t_max >= $t_min
CALL (hit) {
  MATCH (hit:Product)
  RETURN hit AS direct
  UNION
  MATCH (hit:Observation)-[:HAS_PRODUCT]->(direct:Product)
  RETURN direct
}
WITH DISTINCT direct
MATCH path = (p:Product)-[:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION*0..12]->(direct)
WITH p, min(length(path)) AS distance
WHERE distance <= coalesce($depth, 10)
RETURN p.uri AS product, p.filename AS filename, p.level AS level, p.program AS program, distance
ORDER BY distance, product
LIMIT coalesce($limit, 1000)
