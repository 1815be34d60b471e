// window_classes.cypher over every exposure (Exposure observation, product) and engineering series, for a graph loaded before the derivations set it: `mastgraph init` runs it; a node whose class is right is left as it is.
// params: max_exposure_days, max_series_days (float: the bound of each kind's first class), window_classes (integer: the classes below the open-ended last),
//         unbounded (float: unused here)
// A pass over every timed node, in transactions of 10,000 (run it alone: CALL ... IN TRANSACTIONS needs an implicit transaction).
CALL () {
  MATCH (n:Product) WHERE n.t_min IS NOT NULL
  RETURN n, $max_exposure_days AS bound
  UNION
  MATCH (n:Exposure) WHERE n.t_min IS NOT NULL AND n:Observation
  RETURN n, $max_exposure_days AS bound
  UNION
  MATCH (n:EngineeringSeries) WHERE n.t_min IS NOT NULL
  RETURN n, $max_series_days AS bound
}
CALL (n, bound) {
  WITH n, bound, CASE WHEN n.t_min IS :: INTEGER | FLOAT AND n.t_max IS :: INTEGER | FLOAT
                      THEN toFloat(n.t_max) - toFloat(n.t_min) END AS span
  WITH n, CASE WHEN span > bound THEN size([i IN range(0, $window_classes - 1) WHERE span > bound * 2.0 ^ (i + 1)]) END AS class
  WHERE NOT (n.window_class = class) OR (n.window_class IS NULL) <> (class IS NULL)
  SET n.window_class = class
} IN TRANSACTIONS OF 10000 ROWS
