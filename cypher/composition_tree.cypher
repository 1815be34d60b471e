// Composition tree of a Level-3 product: each member it is composed of (COMPOSITION, with `by`), and the Level-2a and Level-1b products beneath that member (ANTECEDENT).
// params: uri (string: a Level-3 product's URI), limit (int, default 1000)
// One row per member; members whose `l1b` list is empty cannot be traced to a raw exposure.
MATCH (l3:Product {uri: $uri})-[c:COMPOSITION]->(member:Product)
RETURN member.uri AS member, c.by AS by, member.level AS level,
       COLLECT { MATCH (member)-[:ANTECEDENT*1..4]->(a:L2a) RETURN DISTINCT a.uri AS uri ORDER BY uri } AS l2a,
       COLLECT { MATCH (member)-[:ANTECEDENT*1..4]->(r:L1b) RETURN DISTINCT r.uri AS uri ORDER BY uri } AS l1b
ORDER BY member
LIMIT coalesce($limit, 1000)
