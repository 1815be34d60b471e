// HAS_ENGINEERING from these exposures (observations or products with t_min/t_max) to the engineering series overlapping their time.
// params: obsids (list of string), uris (list of string), max_series_days (float: the longest series window, bounds the index seek)
CALL () {
  UNWIND $obsids AS obsid
  MATCH (e:Observation {obsid: obsid}) USING INDEX SEEK e:Observation(obsid)
  WHERE e:Exposure AND e.t_min IS NOT NULL AND e.t_max IS NOT NULL
  RETURN e
  UNION
  UNWIND $uris AS uri
  MATCH (e:Product {uri: uri}) USING INDEX SEEK e:Product(uri)
  WHERE e.t_min IS NOT NULL AND e.t_max IS NOT NULL
  RETURN e
}
MATCH (s:EngineeringSeries) USING INDEX SEEK s:EngineeringSeries(t_min)
WHERE s.t_min >= e.t_min - $max_series_days AND s.t_min <= e.t_max AND s.t_max >= e.t_min
MERGE (e)-[:HAS_ENGINEERING]->(s)
