"""Public funders and buyers told apart from others by their org-id prefix.

360Giving files mix grants from government bodies with grants from foundations, and OCDS
buyers are nearly always public; resdep tells which by the organisation's key (its org-id
scheme, :mod:`resdep.contracts.orgs`), never by its name:

=========================  =============  ==================================================
prefix                     sector         what it is
=========================  =============  ==================================================
``GB-GOR``                 public         UK central government (departments, agencies)
``GB-LAE``, ``GB-LAS``,    public         UK local authorities (England, Scotland,
``GB-LANI``, ``GB-PLA``                   Northern Ireland; Welsh principal local authorities)
``GB-NHS``                 public         NHS organisations
``CN-USCC-1…``             public         a unified social credit code whose first character
                                          (registration authority) is 1, 机构编制: 机关
                                          (government organs), 事业单位 and other bodies
                                          registered by the establishment authorities
``GB-COH``, ``GB-CHC``,    other          companies and charities (foundations, trusts)
``GB-SC``, ``GB-NIC``,
``CN-USCC-`` other first
character
anything else              undetermined   a name without identifier, a 360Giving-made id
                                          (``360G-…``), a scheme resdep does not classify
=========================  =============  ==================================================

*Undetermined* is not *other*: absence of an identifier is not evidence that a funder is
private. Indicators give a supplier's revenue from public, other and undetermined funders
separately (``value_public``, ``value_other``, ``value_undetermined``); D_sb = V_bs / V_s
keeps every recorded funder in V_s (see ``docs/records.md``).

Examples
--------
>>> sector("GB-GOR-PB189"), sector("GB-LAE-RCC"), sector("CN-USCC-11310112MB2F000037")
('public', 'public', 'public')
>>> sector("GB-CHC-1126147"), sector("CN-USCC-52310112MJ00000116")
('other', 'other')
>>> sector("name:somefoundation"), sector("360G-ABCT-0065I000005BoDG")
('undetermined', 'undetermined')
"""

from __future__ import annotations

from typing import Literal

__all__ = ["OTHER_SCHEMES", "PUBLIC_SCHEMES", "Sector", "sector"]

Sector = Literal["public", "other", "undetermined"]

#: Org-id schemes whose organisations are public bodies.
PUBLIC_SCHEMES = ("GB-GOR", "GB-LAE", "GB-LAS", "GB-LANI", "GB-PLA", "GB-NHS")
#: Org-id schemes whose organisations are companies or charities.
OTHER_SCHEMES = ("GB-COH", "GB-CHC", "GB-SC", "GB-NIC")


def sector(key: str) -> Sector:
    """``public``, ``other`` or ``undetermined`` for an organisation key (see the module)."""
    if key.startswith("CN-USCC-") and len(key) > len("CN-USCC-"):
        return "public" if key[len("CN-USCC-")] == "1" else "other"
    for prefix in PUBLIC_SCHEMES:
        if key.startswith(prefix + "-"):
            return "public"
    for prefix in OTHER_SCHEMES:
        if key.startswith(prefix + "-"):
            return "other"
    return "undetermined"
