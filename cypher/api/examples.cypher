// Notable things of the loaded data for an empty search page: the Level-3 products with the most members, the combined observations with the most members, the programs with the most observations.
// params: limit (int: how many of each kind)
CALL () {
  MATCH (p:Product:L3)
  WITH p, COUNT { (p)-[:COMPOSITION]->() } AS members WHERE members > 0
  WITH p, members ORDER BY members DESC, p.uri LIMIT $limit
  RETURN {kind: 'PRODUCT', key: p.uri, label: p.filename, name: p.filename, level: p.level,
          product_type: p.product_type, suffix: p.suffix, instrument: p.instrument, members: members} AS hit
  UNION ALL
  MATCH (o:Observation:Combined)
  WITH o, COUNT { (o)-[:HAS_MEMBER]->() } AS members
  WITH o, members ORDER BY members DESC, o.obsid LIMIT $limit
  RETURN {kind: 'OBSERVATION', key: o.obsid, label: coalesce(o.obs_id, o.obsid), name: o.obsid, combined: true,
          instrument: o.instrument, filters: o.filters, target: o.target_name, members: members} AS hit
  UNION ALL
  MATCH (g:Program)
  WITH g, COUNT { (g)-[:HAS_OBSERVATION]->() } AS observations
  WITH g, observations ORDER BY observations DESC, g.program LIMIT $limit
  RETURN {kind: 'PROGRAM', key: g.program, label: 'jw' + g.program, name: g.program, pi: g.pi,
          observations: observations} AS hit
}
RETURN collect(hit) AS hits
