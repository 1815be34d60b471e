// Prefix search over the look-up keys: product file names, observation obs_id and obsid, program ids, association names; each kind in key order from an index seek.
// params: filename (string: file-name prefix, or null), obs_id (string: obs_id prefix, or null), obsid (string: obsid prefix, or null), program (string: prefix of the five-digit key, or null), proposal (string: prefix of the unpadded proposal id, or null), association (string: name prefix, or null), after (map: kind -> the last name seen of that kind), limit (int: how many of each kind)
// graph/search.py builds the parameters from the typed text: a kind that cannot match, or that the cursor is past, gets null.
CALL () {
  MATCH (p:Product) WHERE p.filename STARTS WITH $filename AND p.filename > $after.PRODUCT
  WITH p ORDER BY p.filename LIMIT $limit
  RETURN {kind: 'PRODUCT', key: p.uri, label: p.filename, name: p.filename, level: p.level,
          product_type: p.product_type, suffix: p.suffix, instrument: p.instrument} AS hit
  UNION ALL
  MATCH (o:Observation) WHERE o.obs_id STARTS WITH $obs_id AND o.obs_id > $after.OBSERVATION
  WITH o ORDER BY o.obs_id LIMIT $limit
  RETURN {kind: 'OBSERVATION', key: o.obsid, label: o.obs_id, name: o.obs_id, combined: o:Combined,
          instrument: o.instrument, filters: o.filters, target: o.target_name} AS hit
  UNION ALL
  MATCH (o:Observation) WHERE o.obsid STARTS WITH $obsid AND o.obsid > $after.OBSERVATION
  WITH o ORDER BY o.obsid LIMIT $limit
  RETURN {kind: 'OBSERVATION', key: o.obsid, label: coalesce(o.obs_id, o.obsid), name: o.obsid, combined: o:Combined,
          instrument: o.instrument, filters: o.filters, target: o.target_name} AS hit
  UNION ALL
  MATCH (g:Program) WHERE g.program STARTS WITH $program AND g.program > $after.PROGRAM
  WITH g ORDER BY g.program LIMIT $limit
  RETURN {kind: 'PROGRAM', key: g.program, label: 'jw' + g.program, name: g.program, pi: g.pi,
          observations: COUNT { (g)-[:HAS_OBSERVATION]->() }} AS hit
  UNION ALL
  MATCH (g:Program) WHERE g.proposal_id STARTS WITH $proposal AND g.program > $after.PROGRAM
  WITH g ORDER BY g.program LIMIT $limit
  RETURN {kind: 'PROGRAM', key: g.program, label: 'jw' + g.program, name: g.program, pi: g.pi,
          observations: COUNT { (g)-[:HAS_OBSERVATION]->() }} AS hit
  UNION ALL
  MATCH (a:Association) WHERE a.name STARTS WITH $association AND a.name > $after.ASSOCIATION
  WITH a ORDER BY a.name LIMIT $limit
  RETURN {kind: 'ASSOCIATION', key: a.name, label: a.name, name: a.name, asn_type: a.asn_type,
          asn_rule: a.asn_rule, members: COUNT { (a)-[:HAS_MEMBER]->() }} AS hit
}
RETURN collect(hit) AS hits
