"""Models outside 5G written against the checker library (prosecheck.checker.api); see docs/tutorial.md."""
