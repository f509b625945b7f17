"""Symbolic engines (BMC, k-induction, Spacer) over the same compiled tables as the search."""
