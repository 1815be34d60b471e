// The products of a program's download view: the products of its observations (HAS_PRODUCT, AGGREGATION).
// params: key (string: the five-digit program id)
// graph/downloads.py adds the linked products and previews of the view and projects the files.
MATCH (:Program {program: $key})-[:HAS_OBSERVATION]->(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
RETURN DISTINCT p
