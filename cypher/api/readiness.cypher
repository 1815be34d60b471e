// Readiness of the API's database: how many of the schema's constraints exist (all of them once the schema is bootstrapped).
// params: names (list of string: the constraint names of cypher/schema.cypher)
SHOW CONSTRAINTS YIELD name WHERE name IN $names
RETURN count(*) AS present
