"""Benchmarks users can rerun: `mastgraph bench` (or `make bench`).

Ingest rate and loader memory, L3-to-raw latency through GraphQL and through one raw Cypher
query, the round trips a nested request costs against a naive baseline, and throughput under
concurrent clients. `run.run_bench` runs everything; `report` turns the results into a markdown
table, `bench/results.json` and `bench/RESULTS.md`.
"""
