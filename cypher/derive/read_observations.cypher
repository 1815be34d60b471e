// The observations an online batch's derivation joins with (pipeline/derive_batch.py): by obsid, and the exposures whose t_min lies in a window
// (or, of a window class, from `from` up to `to`); with their products and MRP.
// params: obsids (list of string), windows (list of [from, to]), long_windows (list of [window_class, from, to])
CALL () {
  UNWIND $obsids AS k
  MATCH (o:Observation {obsid: k}) USING INDEX SEEK o:Observation(obsid)
  RETURN o
  UNION
  UNWIND $windows AS w
  MATCH (o:Exposure) USING INDEX SEEK o:Exposure(t_min)
  WHERE o.t_min >= w[0] AND o.t_min <= w[1] AND o:Observation
  RETURN o
  UNION
  UNWIND $long_windows AS w
  MATCH (o:Exposure) USING INDEX SEEK o:Exposure(window_class, t_min)
  WHERE o.window_class = w[0] AND o.t_min >= w[1] AND o.t_min < w[2] AND o:Observation
  RETURN o
}
RETURN o.obsid AS obsid, o:Exposure AS exposure, o.t_min AS t_min, o.t_max AS t_max,
       [(o)-[:HAS_PRODUCT]->(p:Product) | p.uri] AS products,
       [(o)-[:MRP]->(p:Product) | p.uri] AS mrp
