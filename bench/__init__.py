"""Lentera's benchmark harness: data generator, load, export, content and query-plan checks.

`python bench/run_all.py` runs everything and writes docs/benchmarks.md (see bench/README.md).
"""
