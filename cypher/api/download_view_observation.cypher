// The products of an observation's download view: its own and its members' products (HAS_PRODUCT, AGGREGATION); DOWNSTREAM also those of the combined observations it is a member of.
// params: key (string: the obsid), upstream (boolean)
// graph/downloads.py adds the linked products and previews of the view and projects the files.
MATCH (o:Observation {obsid: $key}) USING INDEX SEEK o:Observation(obsid)
MATCH (o)-[:HAS_MEMBER*0..1]->(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
RETURN p
UNION
MATCH (o:Observation {obsid: $key}) USING INDEX SEEK o:Observation(obsid) WHERE NOT $upstream
MATCH (o)<-[:HAS_MEMBER]-(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
RETURN p
