// HAS_ENGINEERING from exposures (exposure observations, and products with EXPSTART/EXPEND times) to engineering series whose time window overlaps theirs.
// params: keys (list of string), max_exposure_days (float: the longest exposure, bounds the index seek)
UNWIND $keys AS key
MATCH (s:EngineeringSeries {key: key}) USING INDEX SEEK s:EngineeringSeries(key)
CALL (s) {
  MATCH (e:Exposure) USING INDEX SEEK e:Exposure(t_min)
  WHERE e.t_min >= s.t_min - $max_exposure_days AND e.t_min <= s.t_max AND e.t_max >= s.t_min
  MERGE (e)-[:HAS_ENGINEERING]->(s)
}
CALL (s) {
  MATCH (e:Product) USING INDEX SEEK e:Product(t_min)
  WHERE e.t_min >= s.t_min - $max_exposure_days AND e.t_min <= s.t_max AND e.t_max >= s.t_min
  MERGE (e)-[:HAS_ENGINEERING]->(s)
}
