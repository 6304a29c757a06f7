"""Benchmarks and quality evaluations, run from the repository as ``python -m bench.NAME``."""
