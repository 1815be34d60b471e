// The products of a program's download view: the products of its observations (HAS_PRODUCT, AGGREGATION); for a program known only from association files (no Program node: no listing of it loaded, so no observations), the products carrying its program id.
// params: key (string: the five-digit program id)
// graph/downloads.py adds the linked products and previews of the view and projects the files.
MATCH (g:Program {program: $key})-[:HAS_OBSERVATION]->(:Observation)-[:HAS_PRODUCT|AGGREGATION]->(p:Product)
USING INDEX SEEK g:Program(program)
RETURN p
UNION
OPTIONAL MATCH (g:Program {program: $key}) USING INDEX SEEK g:Program(program)
WITH g WHERE g IS NULL
MATCH (p:Product {program: $key}) USING INDEX SEEK p:Product(program)
RETURN p
