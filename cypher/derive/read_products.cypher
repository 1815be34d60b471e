// The products an online batch's derivation joins with (pipeline/derive_batch.py), each found by an index seek, with what the rules read of them.
// params: uris (list of string), exposure_keys (list of string), filenames (list of string), previews (list of string), msametfls (list of string), guide_visits (list of string), l1b_visits (list of string), stems (list of string), source_stems (list of string), stem_prefixes (list of string), association_files (list of string), windows (list of [from, to]), long_windows (list of [window_class, from, to])
// stem_prefixes: products whose stem starts with one of them + '_'; association_files: association names, their
// AssociationFile products; windows: products whose t_min lies between; long_windows: products of that window_class whose t_min lies
// from `from` up to (not including) `to`.
// With each product: the associations it is PRODUCED_BY and a member of, and the observations that list it.
CALL () {
  UNWIND $uris AS k
  MATCH (p:Product {uri: k}) USING INDEX SEEK p:Product(uri)
  RETURN p
  UNION
  UNWIND $exposure_keys AS k
  MATCH (p:Product {exposure_key: k}) USING INDEX SEEK p:Product(exposure_key)
  RETURN p
  UNION
  UNWIND $filenames AS k
  MATCH (p:Product {filename: k}) USING INDEX SEEK p:Product(filename)
  RETURN p
  UNION
  UNWIND $previews AS k
  MATCH (p:Product {previews: k}) USING INDEX SEEK p:Product(previews)
  RETURN p
  UNION
  UNWIND $msametfls AS k
  MATCH (p:Product {msametfl: k}) USING INDEX SEEK p:Product(msametfl)
  RETURN p
  UNION
  UNWIND $guide_visits AS k
  MATCH (p:GuideStar {visit_id: k}) USING INDEX SEEK p:GuideStar(visit_id)
  WHERE p:Product
  RETURN p
  UNION
  UNWIND $l1b_visits AS k
  MATCH (p:L1b {visit_id: k}) USING INDEX SEEK p:L1b(visit_id)
  WHERE p:Product
  RETURN p
  UNION
  UNWIND $stems AS k
  MATCH (p:Product {stem: k}) USING INDEX SEEK p:Product(stem)
  RETURN p
  UNION
  UNWIND $source_stems AS k
  MATCH (p:Product {source_stem: k}) USING INDEX SEEK p:Product(source_stem)
  RETURN p
  UNION
  UNWIND $stem_prefixes AS k
  MATCH (p:Product) USING INDEX SEEK p:Product(stem)
  WHERE p.stem STARTS WITH k + '_'
  RETURN p
  UNION
  UNWIND $association_files AS k
  MATCH (p:Product {association: k}) USING INDEX SEEK p:Product(association)
  WHERE p:AssociationFile
  RETURN p
  UNION
  UNWIND $windows AS w
  MATCH (p:Product) USING INDEX SEEK p:Product(t_min)
  WHERE p.t_min >= w[0] AND p.t_min <= w[1]
  RETURN p
  UNION
  UNWIND $long_windows AS w
  MATCH (p:Product) USING INDEX SEEK p:Product(window_class, t_min)
  WHERE p.window_class = w[0] AND p.t_min >= w[1] AND p.t_min < w[2]
  RETURN p
}
RETURN p {.uri, .exposure_key, .suffix, .level, .stem, .source_stem, .source_id, .program, .asn_id, .filename,
          .previews, .visit_id, .msametfl, .association, .exp_type, .product_type, .t_min, .t_max} AS p,
       labels(p) AS labels,
       [(p)-[:PRODUCED_BY]->(a:Association) | a.name] AS produced_by,
       [(a:Association)-[:HAS_MEMBER]->(p) | a.name] AS member_of,
       [(o:Observation)-[:HAS_PRODUCT]->(p) | o.obsid] AS observations
