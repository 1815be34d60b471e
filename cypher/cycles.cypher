// Lineage cycles: products that reach themselves along COMPOSITION/ANTECEDENT (lineage must be acyclic), one row per cycle, listed from its smallest URI.
// params: program (string, optional: the program, "2733" or "02733"), limit (int, default 100)
// Cycles up to 12 steps long are found. CONTEMPORANEOUS_CALIBRATION is left out: two nods may be each other's background.
CALL () {
  MATCH (p:Product) WHERE p.program = right('0000' + toString($program), 5)
  RETURN p
  UNION
  WITH $program AS program WHERE program IS NULL
  MATCH (p:Product)
  RETURN p
}
WITH p WHERE EXISTS { (p)<-[:COMPOSITION|ANTECEDENT]-() } AND EXISTS { (p)-[:COMPOSITION|ANTECEDENT]->() }
MATCH path = (p)-[:COMPOSITION|ANTECEDENT*1..12]->(p)
WITH [n IN nodes(path)[..-1] | n.uri] AS loop
WITH loop, [i IN range(0, size(loop) - 1) WHERE all(u IN loop WHERE loop[i] <= u)][0] AS first
WITH DISTINCT loop[first..] + loop[..first] AS cycle
RETURN cycle[0] AS product, size(cycle) AS length, cycle
ORDER BY product, length
LIMIT coalesce($limit, 100)
