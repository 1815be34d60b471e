// The window_class of these exposures (Exposure observations, products) and engineering series: set from their numeric t_min and t_max (pipeline/derive.py `window_class`), or removed.
// params: obsids, uris, keys (list of string: observations, products, series), max_exposure_days, max_series_days (float: the bound of each
//         kind's first class), window_classes (integer: the classes below the open-ended last), unbounded (float: unused here)
// Run by both online derivations before the engineering join, which seeks the long windows of the other kind by class
// (all_window_classes.cypher does the same over the whole graph).
CALL () {
  UNWIND $obsids AS obsid
  MATCH (n:Observation {obsid: obsid}) USING INDEX SEEK n:Observation(obsid)
  WHERE n:Exposure
  RETURN n, $max_exposure_days AS bound
  UNION
  UNWIND $uris AS uri
  MATCH (n:Product {uri: uri}) USING INDEX SEEK n:Product(uri)
  RETURN n, $max_exposure_days AS bound
  UNION
  UNWIND $keys AS key
  MATCH (n:EngineeringSeries {key: key}) USING INDEX SEEK n:EngineeringSeries(key)
  RETURN n, $max_series_days AS bound
}
WITH n, bound, CASE WHEN n.t_min IS :: INTEGER | FLOAT AND n.t_max IS :: INTEGER | FLOAT
                    THEN toFloat(n.t_max) - toFloat(n.t_min) END AS span
WITH n, CASE WHEN span > bound THEN size([i IN range(0, $window_classes - 1) WHERE span > bound * 2.0 ^ (i + 1)]) END AS class
WHERE NOT (n.window_class = class) OR (n.window_class IS NULL) <> (class IS NULL)
SET n.window_class = class
