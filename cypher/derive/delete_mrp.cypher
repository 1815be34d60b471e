// The MRP relationships an online batch's derivation no longer implies (pipeline/derive_batch.py; as mrp.cypher's DELETE).
// params: rows (list of map: {obsid, uri})
UNWIND $rows AS row
MATCH (o:Observation {obsid: row.obsid}) USING INDEX SEEK o:Observation(obsid)
MATCH (o)-[r:MRP]->(p:Product)
WHERE p.uri = row.uri
DELETE r
RETURN count(r) AS deleted
