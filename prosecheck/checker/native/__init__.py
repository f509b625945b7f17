"""The compiled successor engine (issue 19): SPIN's pan.c idea for prosecheck's systems.

:mod:`.cgen` writes C from a :class:`~prosecheck.checker.system.System`'s compiled tables (the
successor function, the breadth-first search and a collapsed store), :mod:`.build` compiles it
with gcc into a shared library cached by the SHA-256 of its source, and :mod:`.engine` runs it
through cffi's ABI mode and turns the result into an
:class:`~prosecheck.checker.exploration.Exploration` identical to the Python search's.
"""
