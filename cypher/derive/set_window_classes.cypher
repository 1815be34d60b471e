// The window_class of exposures and engineering series, as the online derivation by tables computes it (pipeline/derive.py `window_class`; null removes it).
// params: products, observations, series (list of [key, window_class or null])
CALL () {
  UNWIND $products AS r
  MATCH (n:Product {uri: r[0]}) USING INDEX SEEK n:Product(uri)
  SET n.window_class = r[1]
}
CALL () {
  UNWIND $observations AS r
  MATCH (n:Observation {obsid: r[0]}) USING INDEX SEEK n:Observation(obsid)
  SET n.window_class = r[1]
}
CALL () {
  UNWIND $series AS r
  MATCH (n:EngineeringSeries {key: r[0]}) USING INDEX SEEK n:EngineeringSeries(key)
  SET n.window_class = r[1]
}
