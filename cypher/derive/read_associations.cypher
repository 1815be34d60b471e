// The associations an online batch's derivation joins with (pipeline/derive_batch.py), by name and by program and asn id, with their outputs and members.
// params: names (list of string), program_asn (list of [program, asn_id])
CALL () {
  UNWIND $names AS k
  MATCH (a:Association {name: k}) USING INDEX SEEK a:Association(name)
  RETURN a
  UNION
  UNWIND $program_asn AS k
  MATCH (a:Association {program: k[0], asn_id: k[1]}) USING INDEX SEEK a:Association(program, asn_id)
  RETURN a
}
RETURN a {.name, .asn_type, .composition_by, .program, .asn_id, .products} AS a,
       [(p:Product)-[:PRODUCED_BY]->(a) | p.uri] AS outputs,
       [(a)-[r:HAS_MEMBER]->(m:Product) | [m.uri, r.product, r.exptype]] AS members
