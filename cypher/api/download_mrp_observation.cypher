// The candidates of an observation's Minimum Recommended Products list, reached by its flags instead of its whole view: the products an observation of the view (itself, its members; DOWNSTREAM also the combined observations it is a member of) names by MRP or MAST_MRP, each a product of one of those observations.
// params: key (string: the obsid), upstream (boolean)
// graph/downloads.py keeps those at the highest level (MRP_FILES). The same list as the view's files filtered (download_view_observation.cypher), as an observation's MRP (derived) names its own products and MAST_MRP the products listed under it; tests/api/test_download_list.py compares the two.
MATCH (o:Observation {obsid: $key}) USING INDEX SEEK o:Observation(obsid)
CALL (o) {
  MATCH (o)-[:HAS_MEMBER*0..1]->(x:Observation)
  RETURN x
  UNION
  MATCH (o)<-[:HAS_MEMBER]-(x:Observation) WHERE NOT $upstream
  RETURN x
}
MATCH (x)-[r:MRP|MAST_MRP]->(p:Product)
// (MRP is derived from the observation's own products; a MAST_MRP of a combined observation may name a
// product of a member outside the view, e.g. a sibling exposure's, so it must be one of the view's)
WHERE r:MRP OR EXISTS {
  (p)<-[:HAS_PRODUCT|AGGREGATION]-(y:Observation)
  WHERE y = x OR y = o OR (o)-[:HAS_MEMBER]->(y) OR (NOT $upstream AND (y)-[:HAS_MEMBER]->(o))
}
RETURN DISTINCT p
