"""resdep: resource dependence between governments and social work agencies.

The names a user needs are re-exported here; see the README for a tour.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
