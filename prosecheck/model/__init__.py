"""The ProSe protocol model: elements, messages, procedures, environment and scenarios.
It knows 5G and the patent; it knows nothing of the search."""
