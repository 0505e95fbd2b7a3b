"""Evidence records: one judgement found in a source, with its provenance and weight.

A record is a coding read against the case: who said it (informant and organisation),
the weight of section 3 (direct 1.0, document 1.0, observation 1.0, second-hand 0.5;
a self-serving claim ×0.7), and the triangulation group it counts in.
"""

from __future__ import annotations

from dataclasses import dataclass

from resdep.case.model import Case, Coding
from resdep.vocab import CaseSourceKind, RecordKind

__all__ = ["EvidenceRecord", "build_records"]


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
        self_serving = (
            c.kind is RecordKind.DEPENDENCE
            and org is not None
            and c.provider == org
            and c.dependent != org
        )
        weight = params.evidence_weight(c.evidence) * (params.self_serving if self_serving else 1.0)
        out.append(
            EvidenceRecord(
                coding=c,
                v=(c.intensity if c.intensity is not None else 3) / 3.0,
                weight=weight,
                self_serving=self_serving,
                informant=informant.id if informant else None,
                organisation=org,
                group=group,
            )
        )
    return tuple(out)
