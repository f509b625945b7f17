"""Spec editors' analyses: guard ambiguities and gaps, traceability between the patent text and
the model, contradictions between the text's normative statements, and the interpretation
matrix of the readings. ``prosecheck analyze`` runs them all (see :mod:`.report`)."""
