// The numbers of nodes and relationships of the graph, from Neo4j's count store (no scan): what the cached examples were read at.
// params: none
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN [nodes, relationships] AS counts
