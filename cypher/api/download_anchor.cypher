// What a download list is for: the product, observation, program or association an id names (product URI or file name, obsid or obs_id, program id, association name), the first kind in that order that has it. A program is its Program node or, for one known only from association files (no listing loaded, so no Program node), its products' `program`.
// params: ids (list of string: the id as given and in lower case), program (string: the id as a five-digit program key, or null)
CALL () {
  UNWIND $ids AS id MATCH (p:Product {uri: id}) USING INDEX SEEK p:Product(uri) RETURN 0 AS rank, 'PRODUCT' AS kind, p.uri AS key, p.filename AS label
  UNION
  UNWIND $ids AS id MATCH (p:Product {filename: id}) USING INDEX SEEK p:Product(filename) RETURN 1 AS rank, 'PRODUCT' AS kind, p.uri AS key, p.filename AS label
  UNION
  UNWIND $ids AS id MATCH (o:Observation {obsid: id}) USING INDEX SEEK o:Observation(obsid) RETURN 2 AS rank, 'OBSERVATION' AS kind, o.obsid AS key, coalesce(o.obs_id, o.obsid) AS label
  UNION
  UNWIND $ids AS id MATCH (o:Observation {obs_id: id}) USING INDEX SEEK o:Observation(obs_id) RETURN 3 AS rank, 'OBSERVATION' AS kind, o.obsid AS key, coalesce(o.obs_id, o.obsid) AS label
  UNION
  MATCH (g:Program {program: $program}) USING INDEX SEEK g:Program(program) RETURN 4 AS rank, 'PROGRAM' AS kind, g.program AS key, 'jw' + g.program AS label
  UNION
  MATCH (p:Product {program: $program}) USING INDEX SEEK p:Product(program) WITH p.program AS program LIMIT 1
  RETURN 4 AS rank, 'PROGRAM' AS kind, program AS key, 'jw' + program AS label
  UNION
  UNWIND $ids AS id MATCH (a:Association {name: id}) USING INDEX SEEK a:Association(name) RETURN 5 AS rank, 'ASSOCIATION' AS kind, a.name AS key, a.name AS label
}
WITH rank, kind, key, label ORDER BY rank, key LIMIT 1
RETURN {kind: kind, key: key, label: coalesce(label, key)} AS anchor
