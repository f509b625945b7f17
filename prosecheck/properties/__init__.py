"""Named properties with spec citations, written as expressions that Z3 judges."""

from prosecheck.properties.catalog import PROPERTIES, Property

__all__ = ["PROPERTIES", "Property"]
