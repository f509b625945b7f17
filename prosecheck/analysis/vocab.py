"""The variables the patent's normative statements talk about, named in the text's words.

Each is a Z3 constant (a decision, or whether a message is sent and what it carries) with
its meaning and, where the model has the matching thing, a *tie*: a message field, a scenario
option or an element transition (a test keeps every tie resolvable in the model). Methods
400-700 number their Manners differently; the names here say what is done instead:
``ausf.runs_key_query`` is the key query (S218, S3031, S410, S510, S609, S709),
``ausf.runs_authentication`` the authentication vector request and ProSe authentication that
creates a new key (S208-S217, S414-S424, S514-S524, S613-S623, S715-S725).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3


@dataclass(frozen=True)
class Tie:
    """Where the model holds the same thing: ``("field", message, field)``,
    ``("option", name, value)`` or ``("effect", role, effect name)``."""

    kind: str
    a: str
    b: str | int


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str
    ties: tuple[Tie, ...] = ()
    sort: str = "bool"  # "bool" | "generation"


VARIABLES: dict[str, Variable] = {}


def _bool(name: str, meaning: str, *ties: Tie) -> z3.BoolRef:
    VARIABLES[name] = Variable(name, meaning, ties)
    return z3.Bool(name)


def _gen(name: str, meaning: str, *ties: Tie) -> z3.ArithRef:
    VARIABLES[name] = Variable(name, meaning, ties, "generation")
    return z3.Int(name)


def _f(message: str, field: str) -> Tie:
    return Tie("field", message, field)


def _e(role: str, effect: str) -> Tie:
    return Tie("effect", role, effect)


# The remote UE and its request (S204 / S302 / S405 / S505 / S604 / S704).
UE_STORES = _bool("ue.stores_5gpruk", "the remote UE stores a 5GPRUK (#1) for the RSC",
                  _f("direct_communication_request", "pruk_id"))
UE_UPDATE = _bool("ue.decides_update", "the remote UE determines that the 5GPRUK #1 needs to be updated (S301/S404/S504)")
DCR_SUCI = _bool("dcr.carries_suci", "the direct communication request carries the SUCI",
                 _f("direct_communication_request", "suci"), _e("remote_ue", "request_with_suci"))
DCR_ID = _bool("dcr.carries_5gpruk_id", "the direct communication request carries the 5GPRUK ID (#1)",
               _f("direct_communication_request", "pruk_id"), _e("remote_ue", "request_with_pruk_id"))
DCR_IND = _bool("dcr.carries_key_update_indication", "the direct communication request carries a key update indication")
DCR_KEY = _bool("dcr.carries_5gpruk", "the direct communication request carries the 5GPRUK #1 itself (the key)")
REQ1_SUCI = _bool("req1.carries_suci", "the ProSe authentication request #1 carries the SUCI",
                  _f("prose_authentication_request_1", "suci"))
REQ1_ID = _bool("req1.carries_5gpruk_id", "the ProSe authentication request #1 carries the 5GPRUK ID (#1)",
                _f("prose_authentication_request_1", "pruk_id"))
REQ1_IND = _bool("req1.carries_key_update_indication", "the ProSe authentication request #1 carries the key "
    "update indication")

# The AUSF's and the PAnF's decisions.
KEY_QUERY = _bool("ausf.runs_key_query", "the AUSF sends a key query request to the PAnF", _e("ausf", "query_key"))
AUTHENTICATION = _bool("ausf.runs_authentication", "the AUSF requests an authentication vector from the UDM to (re)create "
                       "the key", _e("ausf", "request_av"))
EAP_RUNS = _bool("ausf.runs_eap", "the ProSe (EAP) authentication of the remote UE runs (S209-S214 and equivalents)",
                 _e("ausf", "start_eap"))
EAP_OK = _bool("eap.succeeds", "the ProSe (EAP) authentication succeeds", _e("ausf", "verify_eap_and_derive_pruk"))
NEW_KEY = _bool("ausf.generates_new_5gpruk", "the AUSF generates a new 5GPRUK and 5GPRUK ID (S215a/S421a/...)",
                _e("ausf", "verify_eap_and_derive_pruk"))
AUSF_UPDATE = _bool("ausf.decides_update", "the AUSF determines that the 5GPRUK #1 needs to be updated (S608)")
PANF_UPDATE = _bool("panf.decides_update", "the PAnF determines that the 5GPRUK #1 needs to be updated (S710)")
PANF_INFO = _bool("panf.stores_authz_info", "the PAnF stores 5G ProSe service authorization information",
                  _f("key_storage_request", "authz_info"))
PANF_LOCAL = _bool("panf.checks_locally", "the PAnF checks the UE's authorization against its stored information",
                   Tie("option", "check", 1))
PANF_ASKS = _bool("panf.asks_udm", "the PAnF asks the UDM to check the UE's authorization (S3041/S4110/S5110/S6110/S7110)",
                  Tie("option", "check", 2), _e("panf", "request_authorization_check"))
AUSF_ASKS = _bool("ausf.asks_udm", "the AUSF asks the UDM to check the UE's authorization (S3051/S412/S512/S611/S713)",
                  Tie("option", "check", 3), _e("ausf", "request_authorization_check"))
CHECK_OK = _bool("check.succeeds", "the authorization check on the remote UE succeeds",
                 _e("udm", "confirm_authorization"), _e("udm", "grant_av"))
UDM_RESP = _bool("udm_response.sent", "the UDM sends an authorization check response to the PAnF "
                 "(S3042/S4112/S5112/S6112/S7112)",
                 _e("udm", "confirm_authorization"), _e("udm", "deny_authorization"))
UDM_FAIL = _bool("udm_response.indicates_failure", "the authorization check response indicates failure",
                 _f("authorization_check_response", "result"))
UDM_RESP_AUSF = _bool("udm_response_to_ausf.sent", "the UDM sends an authorization check response to the AUSF "
                      "(S3052/S413/S513/S612/S714)", _e("udm", "confirm_authorization"), _e("udm", "deny_authorization"))
UDM_FAIL_AUSF = _bool("udm_response_to_ausf.indicates_failure", "the authorization check response to the AUSF "
                      "indicates failure", _f("authorization_check_response", "result"))
KQR_SENT = _bool("kqr.sent", "the PAnF sends a key query response (S219/S3032/S411/S511/S610/S711)",
                 _f("key_query_response", "result"))
KQR_KEY = _bool("kqr.carries_5gpruk_1", "the key query response carries the 5GPRUK #1", _f("key_query_response", "pruk"))
KQR_SUPI = _bool("kqr.carries_supi", "the key query response carries the SUPI", _f("key_query_response", "supi"))
KQR_403 = _bool("kqr.carries_cause_403", "the key query response carries a cause value 403 (authorization failure)",
                _f("key_query_response", "result"))
PERMISSION = _bool("ausf.determines_permission", "the AUSF determines that the remote UE has permission to use the "
                   "relay service")
KNR = _bool("ausf.generates_knr", "the AUSF generates KNR_ProSe (S220/S306/S425/S525/S624/S726)",
            _f("prose_authentication_response_2", "knr"))
REJECTED = _bool("request.rejected", "the service request of the remote UE is rejected",
                 _f("prose_authentication_failure", "cause"))

# Key generations (1: the 5GPRUK #1 in use before an update, 2: the new 5GPRUK #2; 0: none).
KNR_GEN = _gen("ausf.knr_from_generation", "which 5GPRUK the AUSF derives KNR_ProSe from",
               _e("ausf", "derive_knr_from_queried_pruk"))
NEW_GEN = _gen("ausf.new_key_generation", "which 5GPRUK the AUSF generates at S421a/S521a/S620a/S722a")
KSR_GEN = _gen("ksr.carries_generation", "which 5GPRUK the key storage request carries", _f("key_storage_request", "pruk"))
UE_GEN = _gen("ue.stores_generation_after", "which 5GPRUK the remote UE stores after the procedure")
PANF_GEN = _gen("panf.stores_generation_after", "which 5GPRUK the PAnF stores after the procedure")

PANF_CHECKS = z3.Or(PANF_LOCAL, PANF_ASKS)
"""The PAnF performs an authorization check (S304 and its equivalents), by either means."""

MANNER_SUCCEEDS = z3.And(z3.Or(NEW_KEY, KQR_KEY), z3.Implies(z3.Or(PANF_CHECKS, AUSF_ASKS, AUTHENTICATION), CHECK_OK))
"""The Manner the AUSF performed ended on its success path: it delivered a 5GPRUK to derive from (a new one,
or the 5GPRUK #1 from the key query) and no authorization check of the attempt failed. Sentences such as
"After the AUSF performs Manner 1 or Manner 2, subsequent steps S425 to S431 are performed" ([0321]) describe
the order of steps on that path; read as applying always, they would require KNR_ProSe after a failed check
that [0359] and [0363] say stops the procedure."""

SUCCESS_PATH_NOTE = ("on the success path: the sentence orders the steps after a Manner that delivered a 5GPRUK with no "
                     "failed check; after a failure the text stops the procedure")

AXIOMS: list[tuple[str, z3.BoolRef]] = [
    ("a key query response that is not sent carries nothing",
     z3.Implies(z3.Or(KQR_KEY, KQR_SUPI, KQR_403), KQR_SENT)),
    ("a key query response answers a key query request", z3.Implies(KQR_SENT, KEY_QUERY)),
    ("an authorization check response that is not sent indicates nothing",
     z3.And(z3.Implies(UDM_FAIL, UDM_RESP), z3.Implies(UDM_FAIL_AUSF, UDM_RESP_AUSF))),
    ("a new 5GPRUK comes from a successful ProSe authentication, which runs only when requested",
     z3.And(z3.Implies(EAP_OK, EAP_RUNS), z3.Implies(EAP_RUNS, AUTHENTICATION))),
    ("a key is derived from a generation that exists (0: none, 1: 5GPRUK #1, 2: 5GPRUK #2)",
     z3.And(*[z3.And(g >= 0, g <= 2) for g in (KNR_GEN, NEW_GEN, KSR_GEN, UE_GEN, PANF_GEN)])),
    ("KNR_ProSe is derived from some 5GPRUK exactly when it is generated", KNR == (KNR_GEN != 0)),
]
"""Background facts that give the variables their meaning (hard constraints, not statements)."""
