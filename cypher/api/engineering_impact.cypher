// Engineering impact: the series of one mnemonic overlapping a time window, the exposures and products taken during it and linked to those series (HAS_ENGINEERING), and the Level-3 products they feed.
// params: mnemonic (string: EDB mnemonic name), t_from (float: window start, MJD), t_to (float: window end, MJD)
// A hit is an exposure (or product) whose own [t_min, t_max] overlaps the window and that is linked to a series of the mnemonic
// overlapping it. Level-3 products are reached from the hits' products through ANTECEDENT (up to 3 steps) and COMPOSITION.
// `known` is false when no Mnemonic node and no series carry that name.
OPTIONAL MATCH (s:EngineeringSeries {mnemonic: $mnemonic})
WHERE s.t_min <= $t_to AND s.t_max >= $t_from
OPTIONAL MATCH (hit)-[:HAS_ENGINEERING]->(s)
WHERE hit.t_min <= $t_to AND hit.t_max >= $t_from
WITH collect(DISTINCT s) AS series, collect(DISTINCT hit) AS hits
WITH series, [h IN hits WHERE h:Observation] AS exposures, [h IN hits WHERE h:Product] AS products
RETURN EXISTS { (:Mnemonic {name: $mnemonic}) } OR EXISTS { (:EngineeringSeries {mnemonic: $mnemonic}) } AS known,
       series, exposures, products,
       COLLECT {
         UNWIND exposures + products AS hit
         MATCH (hit)-[:HAS_PRODUCT*0..1]->(:Product)<-[:ANTECEDENT*0..3]-(:Product)<-[:COMPOSITION]-(l3:Product:L3)
         RETURN DISTINCT l3
       } AS level3
