// The seed's relationships between an association's outputs and its members: COMPOSITION, ANTECEDENT, CONTEMPORANEOUS_CALIBRATION, PREREQUISITE, MULTIPLICITY.
// params: names (list of string)
// For each output p (PRODUCED_BY) and each member m of the asn product p belongs to (HAS_MEMBER.product is
// p's stem or source_stem, or the prefix of a band-named Level-3 cube): science members compose a Level-3 output or are the antecedent of a Level-2
// one; background/psf/imprint/selfcal members are contemporaneous calibrations (lamp/flat by the member's
// exp_type); target_acquisition members are prerequisites (confirmation for TACONFIRM exposures); the
// WFSS inputs direct_image/sourcecat/segmap are antecedents. Every output also depends on its
// association file, and a per-source output is one of the association's multiple products.
UNWIND $names AS name
MATCH (a:Association {name: name}) USING INDEX SEEK a:Association(name)
MATCH (p:Product)-[:PRODUCED_BY]->(a)
CALL (p, a) {
  MATCH (af:Product {association: a.name}) USING INDEX SEEK af:Product(association)
  WHERE af:AssociationFile AND af <> p
  MERGE (p)-[:ANTECEDENT]->(af)
}
CALL (p, a) {
  WITH p, a WHERE p.source_stem IS NOT NULL AND p.source_stem IN a.products
  MERGE (p)-[x:MULTIPLICITY]->(a)
  SET x.source_id = p.source_id
}
CALL (p, a) {
  MATCH (a)-[r:HAS_MEMBER]->(m:Product)
  WHERE (r.product = p.stem OR r.product = p.source_stem OR (p.level = '3' AND p.stem STARTS WITH r.product + '_'))
    AND m <> p
  CALL (p, a, r, m) {
    WITH p, a, r, m WHERE r.exptype = 'science' AND p.level = '3'
    MERGE (p)-[c:COMPOSITION]->(m)
    SET c.by = a.composition_by
  }
  CALL (p, r, m) {
    WITH p, r, m WHERE r.exptype = 'science' AND p.level <> '3'
    MERGE (p)-[:ANTECEDENT]->(m)
  }
  CALL (p, r, m) {
    WITH p, r, m WHERE r.exptype IN ['direct_image', 'sourcecat', 'segmap']
    MERGE (p)-[x:ANTECEDENT]->(m)
    SET x.exptype = r.exptype
  }
  CALL (p, r, m) {
    WITH p, r, m WHERE r.exptype IN ['background', 'psf', 'imprint', 'selfcal']
    MERGE (p)-[x:CONTEMPORANEOUS_CALIBRATION]->(m)
    SET x.kind = CASE
      WHEN toUpper(coalesce(m.exp_type, '')) CONTAINS 'LAMP' THEN 'lamp'
      WHEN toUpper(coalesce(m.exp_type, '')) CONTAINS 'FLAT' THEN 'flat'
      ELSE r.exptype END
  }
  CALL (p, r, m) {
    WITH p, r, m WHERE r.exptype = 'target_acquisition'
    MERGE (p)-[x:PREREQUISITE]->(m)
    SET x.kind = CASE WHEN toUpper(coalesce(m.exp_type, '')) CONTAINS 'CONFIRM' THEN 'confirmation' ELSE 'target_acquisition' END
  }
}
