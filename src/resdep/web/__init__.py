"""The local web workbench: ``resdep init`` starts a case folder, ``resdep serve`` codes it.

The app is an adapter at the edge (STYLE.md): it reads and writes the case folder
(``case.toml``, ``sources/``, ``codings.csv``) and calls :func:`resdep.load_case` and
:func:`resdep.analyze`; it holds no analysis of its own. Modules:

- :mod:`resdep.web.scaffold`: the files ``resdep init`` writes.
- :mod:`resdep.web.store`: the case folder as the app edits it (revisions, history,
  atomic writes).
- :mod:`resdep.web.app`: the Starlette application (token, CSRF, routes).
- :mod:`resdep.web.commands`: the ``init`` and ``serve`` sub-commands.
"""

from __future__ import annotations

__all__: list[str] = []
