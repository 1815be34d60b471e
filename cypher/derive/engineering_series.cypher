// HAS_ENGINEERING from exposures (exposure observations, and products with EXPSTART/EXPEND times) to engineering series whose time window overlaps theirs.
// params: keys (list of string), max_exposure_days (float: how far back the seek by t_min reaches for exposures),
//         max_series_days (float: the bound of a series' first window class), window_classes (integer), unbounded (float: infinity)
// Each series' window_class is set first (pipeline/derive.py `window_class`; removed when it has none): engineering_exposures seeks
// the long series by it. An exposure that began more than max_exposure_days before the series has a window_class too, and one
// seek per class finds those holding the series' start (a class-k exposure lasts at most max_exposure_days * 2^(k + 1)).
UNWIND $keys AS key
MATCH (s:EngineeringSeries {key: key}) USING INDEX SEEK s:EngineeringSeries(key)
CALL (s) {
  WITH s, CASE WHEN s.t_min IS :: INTEGER | FLOAT AND s.t_max IS :: INTEGER | FLOAT
               THEN toFloat(s.t_max) - toFloat(s.t_min) END AS span
  WITH s, CASE WHEN span > $max_series_days
               THEN size([i IN range(0, $window_classes - 1) WHERE span > $max_series_days * 2.0 ^ (i + 1)]) END AS class
  WHERE NOT (s.window_class = class) OR (s.window_class IS NULL) <> (class IS NULL)
  SET s.window_class = class
}
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
