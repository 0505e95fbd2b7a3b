"""resdep.experiments.

TEAM NOTE (remove when this package is written): several engineers work in this repo at
once. Before writing code here, read /tmp/common_brief.md (shared conventions: the ready
.venv, files you must not edit, git discipline, error and CLI conventions, deadlines).
"""
