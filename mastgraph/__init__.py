"""mastgraph: the lineage of JWST/MAST data products in Neo4j, served over GraphQL."""

__version__ = "0.1.0"
