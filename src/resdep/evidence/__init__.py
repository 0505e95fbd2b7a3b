"""Evidence records with provenance, weighted Beta estimates and triangulation."""

from __future__ import annotations

from resdep.evidence.estimate import BetaEstimate, beta_estimate, triangulation
from resdep.evidence.records import EvidenceRecord, build_records

__all__ = ["BetaEstimate", "EvidenceRecord", "beta_estimate", "build_records", "triangulation"]
