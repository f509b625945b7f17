"""prosecheck: a formal model of 5G ProSe UE-to-Network relay security (control plane) and a
model checker that proves or refutes its security properties."""

__version__ = "0.1.0"
