"""Evaluation helpers: tools that check the analysis, not part of the compiler pipeline."""
