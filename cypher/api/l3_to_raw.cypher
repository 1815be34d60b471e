// A Level-3 product down to its raw exposures in one query: the Level-2b products it is composed of (COMPOSITION), their antecedents and those antecedents' antecedents (ANTECEDENT), each with uri, filename, level, suffix and calibLevel, in URI order.
// params: uri (string: the Level-3 product's URI)
// The same answer, key for key, as the GraphQL "L3 to raw" query of docs/api.md; the benchmark compares the two.
MATCH (l3:Product {uri: $uri})
RETURN l3 {.uri, .filename, .level, .suffix, calibLevel: l3.calib_level,
  composedOf: COLLECT { MATCH (l3)-[:COMPOSITION]->(l2b:Product) WITH l2b ORDER BY l2b.uri
    RETURN l2b {.uri, .filename, .level, .suffix, calibLevel: l2b.calib_level,
      antecedents: COLLECT { MATCH (l2b)-[:ANTECEDENT]->(l2a:Product) WITH l2a ORDER BY l2a.uri
        RETURN l2a {.uri, .filename, .level, .suffix, calibLevel: l2a.calib_level,
          antecedents: COLLECT { MATCH (l2a)-[:ANTECEDENT]->(raw:Product) WITH raw ORDER BY raw.uri
            RETURN raw {.uri, .filename, .level, .suffix, calibLevel: raw.calib_level} } } } } } } AS product
