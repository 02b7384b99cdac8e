"""Demo data: a realistic, synthetic Indian clinic, the same for the same seed."""
