// HAS_ENGINEERING from these exposures (observations or products with t_min/t_max) to the engineering series overlapping their time.
// params: obsids (list of string), uris (list of string), max_series_days (float: the longest series window, bounds the index seek)
CALL () {
  UNWIND $obsids AS obsid
  MATCH (e:Exposure {obsid: obsid})
  WHERE e.t_min IS NOT NULL AND e.t_max IS NOT NULL
  RETURN e
  UNION
  UNWIND $uris AS uri
  MATCH (e:Product {uri: uri})
  WHERE e.t_min IS NOT NULL AND e.t_max IS NOT NULL
  RETURN e
}
MATCH (s:EngineeringSeries)
WHERE s.t_min >= e.t_min - $max_series_days AND s.t_min <= e.t_max AND s.t_max >= e.t_min
MERGE (e)-[:HAS_ENGINEERING]->(s)
