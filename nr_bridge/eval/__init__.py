"""Evaluation: metrics and the comparison against peer denoisers."""
