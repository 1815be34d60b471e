// HAS_ENGINEERING from these exposures (observations or products with t_min/t_max) to the engineering series overlapping their time.
// params: obsids (list of string), uris (list of string), max_series_days (float: how far back the seek by t_min reaches),
//         window_classes (integer), unbounded (float: infinity), max_exposure_days (float: unused here)
// A series that began more than max_series_days before an exposure has a window_class (window_classes.cypher, run before): one seek
// per class finds those that began in the reach of that class (a class-k series lasts at most max_series_days * 2^(k + 1)) before the first
// exposure's start and more than max_series_days before the last's; each exposure keeps those overlapping it.
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
WITH collect(e) AS exposures, min(e.t_min) AS first, max(e.t_min) AS last
CALL (first, last) {
  UNWIND range(0, $window_classes) AS k
  WITH k, first - CASE WHEN k < $window_classes THEN $max_series_days * 2.0 ^ (k + 1) ELSE $unbounded END AS earliest
  MATCH (s:EngineeringSeries) USING INDEX SEEK s:EngineeringSeries(window_class, t_min)
  WHERE s.window_class = k AND s.t_min >= earliest AND s.t_min < last - $max_series_days
  RETURN collect(s) AS long_series
}
UNWIND exposures AS e
CALL (e) {
  MATCH (s:EngineeringSeries) USING INDEX SEEK s:EngineeringSeries(t_min)
  WHERE s.t_min >= e.t_min - $max_series_days AND s.t_min <= e.t_max AND s.t_max >= e.t_min
  MERGE (e)-[:HAS_ENGINEERING]->(s)
}
UNWIND long_series AS s
WITH e, s WHERE s.t_min < e.t_min - $max_series_days AND s.t_min <= e.t_max AND s.t_max >= e.t_min
MERGE (e)-[:HAS_ENGINEERING]->(s)
