// What a download list is for: the product, observation, program or association an id names (product URI or file name, obsid or obs_id, program id, association name), the first kind in that order that has it.
// params: ids (list of string: the id as given and in lower case), program (string: the id as a five-digit program key, or null)
CALL () {
  UNWIND $ids AS id MATCH (p:Product {uri: id}) RETURN 0 AS rank, 'PRODUCT' AS kind, p.uri AS key, p.filename AS label
  UNION
  UNWIND $ids AS id MATCH (p:Product {filename: id}) RETURN 1 AS rank, 'PRODUCT' AS kind, p.uri AS key, p.filename AS label
  UNION
  UNWIND $ids AS id MATCH (o:Observation {obsid: id}) RETURN 2 AS rank, 'OBSERVATION' AS kind, o.obsid AS key, coalesce(o.obs_id, o.obsid) AS label
  UNION
  UNWIND $ids AS id MATCH (o:Observation {obs_id: id}) RETURN 3 AS rank, 'OBSERVATION' AS kind, o.obsid AS key, coalesce(o.obs_id, o.obsid) AS label
  UNION
  MATCH (g:Program {program: $program}) RETURN 4 AS rank, 'PROGRAM' AS kind, g.program AS key, 'jw' + g.program AS label
  UNION
  UNWIND $ids AS id MATCH (a:Association {name: id}) RETURN 5 AS rank, 'ASSOCIATION' AS kind, a.name AS key, a.name AS label
}
WITH rank, kind, key, label ORDER BY rank, key LIMIT 1
RETURN {kind: kind, key: key, label: coalesce(label, key)} AS anchor
