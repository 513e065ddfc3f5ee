"""Benchmarks, each run as a script against its own database (bench/README.md)."""
