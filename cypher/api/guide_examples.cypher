// Examples of the loaded data for the Browser guide's parameters: the Level-3 product with the most members (an image or spectrum before a catalog) and its first member, the combined observation with the most members, the program with the most observations, the reference file and CRDS context used by the most products, and an engineering series with its window; null where the graph has none.
// params: none
OPTIONAL CALL () {
  MATCH (p:Product:L3)
  WITH p, COUNT { (p)-[:COMPOSITION]->() } AS members WHERE members > 0
  WITH p ORDER BY members DESC, p.suffix IN ['cat', 'segm'], p.uri LIMIT 1
  MATCH (p)-[:COMPOSITION]->(m:Product)
  WITH p, m ORDER BY m.uri LIMIT 1
  RETURN p.uri AS l3, m.uri AS member
}
OPTIONAL CALL () {
  MATCH (o:Observation:Combined) WHERE o.obs_id IS NOT NULL
  WITH o, COUNT { (o)-[:HAS_MEMBER]->() } AS members
  WITH o ORDER BY members DESC, o.obsid LIMIT 1
  RETURN o.obs_id AS observation
}
OPTIONAL CALL () {
  MATCH (g:Program)
  WITH g, COUNT { (g)-[:HAS_OBSERVATION]->() } AS observations
  WITH g ORDER BY observations DESC, g.program LIMIT 1
  RETURN g.program AS program
}
OPTIONAL CALL () {
  MATCH (r:ReferenceFile)
  WITH r, COUNT { (r)<-[:USED_REFERENCE]-() } AS users WHERE users > 0
  WITH r ORDER BY users DESC, r.name LIMIT 1
  RETURN r.name AS reference_file
}
OPTIONAL CALL () {
  MATCH (c:CrdsContext)
  WITH c, COUNT { (c)<-[:CALIBRATED_UNDER]-() } AS users WHERE users > 0
  WITH c ORDER BY users DESC, c.name LIMIT 1
  RETURN c.name AS crds_context
}
OPTIONAL CALL () {
  MATCH (s:EngineeringSeries)
  WHERE s.t_min IS NOT NULL AND s.t_max IS NOT NULL AND EXISTS { (s)<-[:HAS_ENGINEERING]-() }
  WITH s ORDER BY s.mnemonic, s.t_min LIMIT 1
  RETURN s.mnemonic AS mnemonic, s.t_min AS t_min, s.t_max AS t_max
}
RETURN l3, member, observation, program, reference_file, crds_context, mnemonic, t_min, t_max
