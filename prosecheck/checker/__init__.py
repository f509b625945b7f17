"""The generic engine: expressions, compiled element tables, the product system, the search
and the Z3 judge. Nothing in this package knows any protocol."""
