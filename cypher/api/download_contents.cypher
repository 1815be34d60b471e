// The products a download list of an observation, a program or an association starts from: an observation's products and its members' (DOWNSTREAM adds those of the combined observations it is a member of); a program's observations' products; an association's products, members and association file.
// params: kind (string: OBSERVATION, PROGRAM or ASSOCIATION), key (string: obsid, five-digit program id or association name), upstream (boolean)
// HAS_PRODUCT and AGGREGATION both count: an observation's listing and its aggregated ancillary products.
CALL () {
  MATCH (o:Observation {obsid: $key}) WHERE $kind = 'OBSERVATION'
  MATCH (o)-[:HAS_MEMBER*0..1]->(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
  RETURN p
  UNION
  MATCH (o:Observation {obsid: $key}) WHERE $kind = 'OBSERVATION' AND NOT $upstream
  MATCH (o)<-[:HAS_MEMBER]-(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
  RETURN p
  UNION
  MATCH (:Program {program: $key})-[:HAS_OBSERVATION]->(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
  WHERE $kind = 'PROGRAM'
  RETURN p
  UNION
  MATCH (a:Association {name: $key}) WHERE $kind = 'ASSOCIATION'
  MATCH (a)<-[:PRODUCED_BY]-(p:Product)
  RETURN p
  UNION
  MATCH (a:Association {name: $key}) WHERE $kind = 'ASSOCIATION'
  MATCH (a)-[:HAS_MEMBER]->(p:Product)
  RETURN p
  UNION
  MATCH (p:Product:AssociationFile {association: $key}) WHERE $kind = 'ASSOCIATION'
  RETURN p
}
RETURN collect(p.uri) AS uris
