"""One module per network element; each is a python-statemachine machine plus its rules."""

from prosecheck.model.elements.amf import AmfRelay
from prosecheck.model.elements.ausf import AusfRemote
from prosecheck.model.elements.panf import PanfRemote
from prosecheck.model.elements.relay_ue import RelayUe
from prosecheck.model.elements.remote_ue import RemoteUe
from prosecheck.model.elements.udm import UdmRemote

ELEMENTS = (RemoteUe, RelayUe, AmfRelay, AusfRemote, PanfRemote, UdmRemote)
"""In lifeline order: the order of the patent's figures, left to right."""

__all__ = ["ELEMENTS", "AmfRelay", "AusfRemote", "PanfRemote", "RelayUe", "RemoteUe", "UdmRemote"]
