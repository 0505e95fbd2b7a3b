"""Evidence records: one judgement found in a source, with its provenance and weight.

A record is a coding read against the case: who said it (informant and organisation),
the weight of section 3 (direct 1.0, document 1.0, observation 1.0, second-hand 0.5;
a self-serving claim ×0.7), and the triangulation group it counts in.

A dependence claim is *self-serving* when the informant's organisation is the provider
and the claim raises dependence on it: intensity ≥ 2 for importance or discretion, ≤ 1
for alternatives (few alternatives to us). A claim against that interest (a bureau chief
conceding the agency "离开我们区也能接到项目", alternatives high) is not discounted. The
``self_serving`` column of ``codings.csv`` (yes / no, 是 / 否) overrides the rule per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from resdep.case.model import Case, Coding
from resdep.vocab import CaseSourceKind, Dimension, RecordKind

__all__ = ["EvidenceRecord", "build_records", "self_serving_rule"]

#: The rule that decided a record's self-serving flag, as shown in the report's quote list.
RULE_OWN_RAISES = (
    "automatic: own organisation is the provider and the claim raises dependence on it"
)
RULE_OWN_AGAINST = (
    "automatic: own organisation is the provider but the claim is against its interest"
)
RULE_NOT_OWN = ""  # not a claim about the informant's own organisation: nothing to say
RULE_CODED_YES = "coded yes (self_serving column)"
RULE_CODED_NO = "coded no (self_serving column)"


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRecord:
    """A coded judgement with provenance.

    ``v`` is intensity / 3; ``weight`` is w_k after the self-serving discount; ``group``
    is the informant's organisation, or ``"document"`` / ``"observation"`` for sources
    without an informant (each counts as one group for triangulation).
    """

    coding: Coding
    v: float
    weight: float
    self_serving: bool
    self_serving_rule: str
    informant: str | None
    organisation: str | None
    group: str

    @property
    def kind(self) -> RecordKind:
        """The record kind."""
        return self.coding.kind


def build_records(case: Case) -> tuple[EvidenceRecord, ...]:
    """Turn every coding of a case into an evidence record.

    Examples
    --------
    >>> from resdep.data import founding_case_path
    >>> from resdep.case import load_case
    >>> recs = build_records(load_case(founding_case_path()))
    >>> all(0.0 <= r.v <= 1.0 and r.weight >= 0 for r in recs)
    True
    """
    params = case.parameters
    informants = {i.id: i for i in case.informants}
    sources = {s.id: s for s in case.sources}
    out = []
    for c in case.codings:
        source = sources[c.source]
        informant = informants.get(source.informant) if source.informant else None
        org = informant.organisation if informant else None
        if informant is None:
            # sources without an informant count as one group per kind: all documents one,
            # all field notes (observation) one, whatever evidence type a row states
            group = "observation" if source.kind is CaseSourceKind.FIELDNOTE else "document"
        else:
            group = informant.organisation
        self_serving, rule = self_serving_rule(c, org)
        weight = params.evidence_weight(c.evidence) * (params.self_serving if self_serving else 1.0)
        out.append(
            EvidenceRecord(
                coding=c,
                v=(c.intensity if c.intensity is not None else 3) / 3.0,
                weight=weight,
                self_serving=self_serving,
                self_serving_rule=rule,
                informant=informant.id if informant else None,
                organisation=org,
                group=group,
            )
        )
    return tuple(out)


def self_serving_rule(coding: Coding, organisation: str | None) -> tuple[bool, str]:
    """Whether a claim is discounted as self-serving, and the rule that decided it.

    Examples
    --------
    >>> from resdep.vocab import EvidenceType, Resource, Stage
    >>> def claim(dim, intensity, override=None):
    ...     return Coding(row=1, source="S1", start=0, end=1, quote="x",
    ...                   kind=RecordKind.DEPENDENCE, evidence=EvidenceType.DIRECT,
    ...                   stage=Stage.CONTRACTING, dependent="agency", provider="bureau",
    ...                   resource=Resource.ECONOMIC, dimension=Dimension(dim),
    ...                   intensity=intensity, self_serving=override)
    >>> self_serving_rule(claim("importance", 3), "bureau")[0]
    True
    >>> self_serving_rule(claim("alternatives", 3), "bureau")[0]   # a concession
    False
    >>> self_serving_rule(claim("alternatives", 3, override=True), "bureau")
    (True, 'coded yes (self_serving column)')
    """
    if coding.kind is not RecordKind.DEPENDENCE:
        return False, RULE_NOT_OWN
    if coding.self_serving is not None:
        return coding.self_serving, RULE_CODED_YES if coding.self_serving else RULE_CODED_NO
    if organisation is None or coding.provider != organisation or coding.dependent == organisation:
        return False, RULE_NOT_OWN
    intensity = coding.intensity if coding.intensity is not None else 3
    raises = intensity <= 1 if coding.dimension is Dimension.ALTERNATIVES else intensity >= 2
    return (True, RULE_OWN_RAISES) if raises else (False, RULE_OWN_AGAINST)
