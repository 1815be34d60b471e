"""The pipelines: files -> loader records -> checks and derivations -> Neo4j.

Online ingest (`ingest`, `derive`) and the bulk build (`bulk`, `bulk_files`, `bulk_spill`,
`bulk_merge`). Data flows loaders -> pipeline -> graph: `graph` talks to Neo4j only.
"""
