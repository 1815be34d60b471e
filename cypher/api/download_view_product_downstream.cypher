// The products of a product's downstream download view: itself and every product its lineage relationships reach toward what was made from it, up to 10 steps (the API's default lineage depth), each once.
// params: key (string: the product URI)
// graph/downloads.py adds the linked products and previews of the view and projects the files.
MATCH (s:Product {uri: $key}) USING INDEX SEEK s:Product(uri)
MATCH (s)<-[:COMPOSITION|ANTECEDENT|CONTEMPORANEOUS_CALIBRATION|PREREQUISITE|LINKED*0..10]-(p:Product)
RETURN DISTINCT p
