// The products of an association's download view: the products it produced (PRODUCED_BY), its members (HAS_MEMBER) and its association file.
// params: key (string: the association name)
// graph/downloads.py adds the linked products and previews of the view and projects the files.
MATCH (a:Association {name: $key})<-[:PRODUCED_BY]-(p:Product) USING INDEX SEEK a:Association(name)
RETURN p
UNION
MATCH (a:Association {name: $key})-[:HAS_MEMBER]->(p:Product) USING INDEX SEEK a:Association(name)
RETURN p
UNION
MATCH (p:Product:AssociationFile {association: $key}) USING INDEX SEEK p:Product(association)
RETURN p
