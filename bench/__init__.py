"""Benchmarks that print figures and ratios side by side (`make bench`); never run as tests."""
