// The engineering series an online batch's derivation joins with (pipeline/derive_batch.py): by key, and those whose t_min lies in a window
// (or, of a window class, from `from` up to `to`).
// params: keys (list of string), windows (list of [from, to]), long_windows (list of [window_class, from, to])
CALL () {
  UNWIND $keys AS k
  MATCH (s:EngineeringSeries {key: k}) USING INDEX SEEK s:EngineeringSeries(key)
  RETURN s
  UNION
  UNWIND $windows AS w
  MATCH (s:EngineeringSeries) USING INDEX SEEK s:EngineeringSeries(t_min)
  WHERE s.t_min >= w[0] AND s.t_min <= w[1]
  RETURN s
  UNION
  UNWIND $long_windows AS w
  MATCH (s:EngineeringSeries) USING INDEX SEEK s:EngineeringSeries(window_class, t_min)
  WHERE s.window_class = w[0] AND s.t_min >= w[1] AND s.t_min < w[2]
  RETURN s
}
RETURN s.key AS key, s.t_min AS t_min, s.t_max AS t_max
