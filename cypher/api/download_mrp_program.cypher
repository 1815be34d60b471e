// The candidates of a program's Minimum Recommended Products list, reached by its flags instead of its whole view: the products its observations name by MRP or MAST_MRP, each a product of one of its observations; for a program known only from association files (no Program node), its products that carry either flag.
// params: key (string: the five-digit program id)
// graph/downloads.py keeps those at the highest level (MRP_FILES). The same list as the view's files filtered (download_view_program.cypher); tests/api/test_download_list.py compares the two.
MATCH (g:Program {program: $key})-[:HAS_OBSERVATION]->(:Observation)-[r:MRP|MAST_MRP]->(p:Product)
USING INDEX SEEK g:Program(program)
WHERE r:MRP OR EXISTS { (p)<-[:HAS_PRODUCT|AGGREGATION]-(:Observation)<-[:HAS_OBSERVATION]-(g) }
RETURN p
UNION
OPTIONAL MATCH (g:Program {program: $key}) USING INDEX SEEK g:Program(program)
WITH g WHERE g IS NULL
MATCH (p:Product {program: $key}) USING INDEX SEEK p:Product(program)
WHERE coalesce(p.mast_mrp, false) OR EXISTS { (:Observation)-[:MRP|MAST_MRP]->(p) }
RETURN p
