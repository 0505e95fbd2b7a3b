"""Mapping files: how a user's own codes, actors and informants map onto resdep's.

A mapping is a TOML file (never executed code). Every table is optional::

    [case]
    id = "jiayuan"                      # [a-z0-9_-]+; default: from the project name
    title = "Jiayuan autonomy grant"

    [import]
    coder = "Gergo"                     # use only this user's codings

    [codes]                             # your code path (levels joined by /) = canonical path(s)
    "Phases/Bidding" = "Stage/Contracting"
    "Street needs our social workers" = ["Dependent/street", "Provider/agency", "Resource/Professional"]
    "Memos/To check" = ""               # empty: ignore this code

    [actors]                            # actor id = kind and names
    street = { kind = "street_office", name_zh = "L街道自治办" }
    agency = { kind = "social_work_agency" }

    [informants]                        # REFI-QDA case (or source) name = informant
    "Ms Wang" = { id = "I05", organisation = "street", role = "director" }

    [sources]                           # source name = id, kind, informant, language
    "Interview Wang.docx" = { id = "S05", kind = "interview", informant = "I05", language = "zh" }

A file named like the project with ``.toml`` (``jiayuan.toml`` beside ``jiayuan.qdpx``)
is used automatically.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
>>> _ = p.write_text('[codes]\\n"Phase/Bid" = "Stage/Contracting"\\n[actors]\\nstreet = { kind = "street_office" }\\n', encoding="utf-8")
>>> m = load_mapping(p)
>>> m.codes["Phase/Bid"]
(CanonicalCode(group='Stage', value='contracting'),)
>>> m.actors["street"]["kind"]
'street_office'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resdep.errors import QdaFormatError, closest
from resdep.qda.codebook import GROUPS, CanonicalCode, canonical_codes, code_path, recognise
from resdep.textio import load_toml

__all__ = ["QdaMapping", "load_mapping"]

_TABLES = {"case", "import", "codes", "actors", "informants", "sources"}
_ACTOR_KEYS = {"kind", "name", "name_zh", "parent"}
_INFORMANT_KEYS = {"id", "organisation", "role"}
_SOURCE_KEYS = {"id", "kind", "informant", "language"}
_CASE_KEYS = {"id", "title", "title_zh", "description", "synthetic"}


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaMapping:
    """A parsed mapping file (see the module docstring for its format)."""

    file: str = ""
    case: Mapping[str, Any] = field(default_factory=dict)
    coder: str | None = None
    codes: Mapping[str, tuple[CanonicalCode, ...]] = field(default_factory=dict)
    actors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    informants: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def load_mapping(path: str | Path) -> QdaMapping:
    """Read and check a mapping TOML file."""
    p = Path(path)
    if not p.exists():
        raise QdaFormatError(
            "mapping file not found",
            file=p,
            fix=f"check the path; a relative path is taken from the current folder ({Path.cwd()}), "
            "not from the case or project folder",
        )
    if p.is_dir():
        raise QdaFormatError("is a folder, not a mapping file", file=p, fix="name the .toml file")
    raw = load_toml(p, kind="spec", error=QdaFormatError)  # regular file, capped, bounded depth
    for key in raw:
        if key not in _TABLES:
            raise QdaFormatError(f"unknown table [{key}]", file=p, fix=closest(key, _TABLES))
    for key in _TABLES:
        if key in raw and not isinstance(raw[key], dict):
            raise QdaFormatError(
                f"{key} must be a table", file=p, place=key, fix=f"write it as [{key}]"
            )
    case = dict(raw.get("case", {}))
    _known(case, _CASE_KEYS, p, "[case]")
    imp = dict(raw.get("import", {}))
    _known(imp, {"coder"}, p, "[import]")
    codes: dict[str, tuple[CanonicalCode, ...]] = {}
    for user_path, target in raw.get("codes", {}).items():
        targets = target if isinstance(target, list) else [target]
        out: list[CanonicalCode] = []
        for t in targets:
            if not isinstance(t, str):
                raise QdaFormatError(
                    f"the target of {user_path!r} must be a code path or a list of them",
                    file=p,
                    place=f"[codes] {user_path!r}",
                    fix='write e.g. "Stage/Contracting"',
                )
            if not t.strip():
                continue
            c = recognise((t,))
            if c is None:
                raise QdaFormatError(
                    f"{t!r} is not a path of the resdep codebook",
                    file=p,
                    place=f"[codes] {user_path!r}",
                    fix=_target_fix(t),
                )
            out.append(c)
        codes[_norm_path(user_path)] = tuple(out)
    actors = _entries(raw.get("actors", {}), _ACTOR_KEYS, p, "[actors]", required=("kind",))
    informants = _entries(
        raw.get("informants", {}), _INFORMANT_KEYS, p, "[informants]", required=()
    )
    sources = _entries(raw.get("sources", {}), _SOURCE_KEYS, p, "[sources]", required=())
    coder = imp.get("coder")
    return QdaMapping(
        file=str(p),
        case=case,
        coder=str(coder) if coder else None,
        codes=codes,
        actors=actors,
        informants=informants,
        sources=sources,
    )


_TARGET_HELP = (
    "use Group/Leaf, e.g. Stage/Contracting, Resource/Economic, Dependent/<actor id>, "
    "Intensity/3 (or the Chinese names)"
)


def _target_fix(target: str) -> str:
    """A "did you mean" for an unknown mapping target, against the codebook's paths.

    Examples
    --------
    >>> _target_fix("Resourse/Economic")
    "did you mean 'Resource/Economic'? (targets are Group/Leaf paths of the resdep codebook)"
    >>> _target_fix("Dependant/street")
    "did you mean 'Dependent/street'? (targets are Group/Leaf paths of the resdep codebook)"
    >>> _target_fix("nothing like it").startswith("use Group/Leaf")
    True
    """
    parts = [x for x in re.split(r"\s*[/\\:：>]\s*", target.strip()) if x]
    paths = ["/".join(code_path(c, lang)) for c in canonical_codes() for lang in ("en", "zh")]
    hint = closest(target.strip(), paths)
    if not hint.startswith("did you mean") and len(parts) == 2:
        group_names = [*GROUPS, *GROUPS.values()]
        group_hint = closest(parts[0], group_names)
        if group_hint.startswith("did you mean"):
            group = group_hint.split("'")[1]
            hint = f"did you mean {group + '/' + parts[1]!r}?"
    if hint.startswith("did you mean"):
        return f"{hint} (targets are Group/Leaf paths of the resdep codebook)"
    return _TARGET_HELP


def _norm_path(path: str) -> str:
    return "/".join(part.strip() for part in path.replace("\\", "/").split("/") if part.strip())


def _known(t: Mapping[str, Any], keys: set[str], p: Path, place: str) -> None:
    for k in t:
        if k not in keys:
            raise QdaFormatError(f"unknown key {k!r}", file=p, place=place, fix=closest(k, keys))


def _entries(
    t: Mapping[str, Any], keys: set[str], p: Path, place: str, *, required: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in t.items():
        if not isinstance(value, dict):
            raise QdaFormatError(
                f"{name!r} must be an inline table",
                file=p,
                place=place,
                fix=f"write {name} = {{ {', '.join(f'{k} = ...' for k in sorted(keys))} }}",
            )
        _known(value, keys, p, f"{place} {name!r}")
        for k in required:
            if k not in value:
                raise QdaFormatError(
                    f"{k} is missing", file=p, place=f"{place} {name!r}", fix=f'add {k} = "..."'
                )
        out[str(name)] = {k: str(v) for k, v in value.items()}
    return out
