// HAS_ENGINEERING from exposures (exposure observations, and products with EXPSTART/EXPEND times) to engineering series whose time window overlaps theirs.
// params: keys (list of string), max_exposure_days (float: how far back the seek by t_min reaches for exposures),
//         window_classes (integer), unbounded (float: infinity), max_series_days (float: unused here)
// An exposure that began more than max_exposure_days before the series has a window_class (window_classes.cypher, run before), and
// one seek per class finds those holding the series' start (a class-k exposure lasts at most max_exposure_days * 2^(k + 1)).
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
CALL (s) {
  UNWIND range(0, $window_classes) AS k
  WITH s, k, s.t_min - CASE WHEN k < $window_classes THEN $max_exposure_days * 2.0 ^ (k + 1) ELSE $unbounded END AS earliest
  CALL (s, k, earliest) {
    MATCH (e:Exposure) USING INDEX SEEK e:Exposure(window_class, t_min)
    WHERE e.window_class = k AND e.t_min >= earliest AND e.t_min < s.t_min - $max_exposure_days AND e.t_max >= s.t_min
    RETURN e
    UNION
    MATCH (e:Product) USING INDEX SEEK e:Product(window_class, t_min)
    WHERE e.window_class = k AND e.t_min >= earliest AND e.t_min < s.t_min - $max_exposure_days AND e.t_max >= s.t_min
    RETURN e
  }
  MERGE (e)-[:HAS_ENGINEERING]->(s)
}
