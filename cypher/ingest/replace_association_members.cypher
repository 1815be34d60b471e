// An association loaded again with another member list: the member relationships its file no longer gives, and the relationships derived from them, are removed.
// params: associations (list of map: {name: the Association's name, members: its members as 'uri|product|exptype'})
// Derived from a member m: COMPOSITION, ANTECEDENT, CONTEMPORANEOUS_CALIBRATION and PREREQUISITE from an output p of the
// association (PRODUCED_BY) to m, unless another association producing p has m as a member too. The derivation that
// runs next in the same transaction makes again what other facts imply (an ANTECEDENT by file names, for one).
UNWIND $associations AS asn
MATCH (a:Association {name: asn.name})-[r:HAS_MEMBER]->(m:Product) USING INDEX SEEK a:Association(name)
WHERE NOT (m.uri + '|' + coalesce(r.product, '') + '|' + coalesce(r.exptype, '')) IN asn.members
CALL (a, m) {
  MATCH (p:Product)-[:PRODUCED_BY]->(a)
  WHERE NOT EXISTS { MATCH (p)-[:PRODUCED_BY]->(o:Association)-[:HAS_MEMBER]->(m) WHERE o <> a }
  MATCH (p)-[d:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION|PREREQUISITE]->(m)
  DELETE d
  RETURN count(d) AS derived
}
DELETE r
RETURN count(r) AS members, sum(derived) AS derived
