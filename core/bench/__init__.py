"""Benchmarks: commands that print figures, measured side by side with a bare baseline."""
