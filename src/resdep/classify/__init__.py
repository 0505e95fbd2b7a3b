"""Relationship classification: calibration, memberships, labels and typologies."""

from __future__ import annotations

from resdep.classify.calibrate import (
    BUDDY_RULES,
    GKS_ORDER,
    LABEL_ORDER,
    NAJAM_ORDER,
    ClassifyParams,
    calibrate,
    gks,
    label_codes,
    memberships,
    najam,
)
from resdep.classify.dyads import DyadIndicators, classify_dyads

__all__ = [
    "BUDDY_RULES",
    "GKS_ORDER",
    "LABEL_ORDER",
    "NAJAM_ORDER",
    "ClassifyParams",
    "DyadIndicators",
    "calibrate",
    "classify_dyads",
    "gks",
    "label_codes",
    "memberships",
    "najam",
]
