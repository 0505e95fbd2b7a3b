"""``resdep init``: a new, empty case folder with a commented ``case.toml``.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp()) / "my-case"
>>> init_case(root, lang="en")
PosixPath('...my-case')
>>> sorted(p.name for p in root.iterdir())
['case.toml', 'codings.csv', 'sources']
>>> (root / "codings.csv").read_text(encoding="utf-8").startswith("source,start,end,quote,kind")
True
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from resdep.case.load import CODING_COLUMNS
from resdep.errors import CaseFormatError, OutputExistsError

__all__ = ["LANGUAGES", "case_toml_template", "init_case"]

#: Languages of the comments in ``case.toml`` (and the workbench's default interface).
LANGUAGES: tuple[str, ...] = ("zh", "en")

_EN = """\
# A resdep case folder (docs/case-format.md explains every key).
# Next steps:
#   1. name the organisations below ([[actor]]) and the people you interviewed ([[informant]]);
#   2. add transcripts: `resdep sources add {folder} FILE.txt --informant I01`,
#      or from the workbench: `resdep serve {folder}`;
#   3. code segments in the workbench (or write codings.csv by hand);
#   4. `resdep analyze {folder}`.

[case]
id = "{case_id}"                    # a-z, 0-9, _ and - only
title = "{title}"
# title_zh = "…"                    # optional Chinese title
# description = "…"
synthetic = false                   # true marks illustrative, non-field data

# One [[actor]] table per organisation. kind is one of: civil_affairs_bureau,
# street_office, neighborhood_committee (the government side), social_work_agency,
# residents, evaluator, other. Rename these two and add your own.
[[actor]]
id = "agency"
kind = "social_work_agency"
name = "The social work agency"
# name_zh = "…社工服务中心"

[[actor]]
id = "street"
kind = "street_office"
name = "The street office"
# name_zh = "…街道自治办"
# parent = "…"                      # the id of an enclosing actor, if any

# One [[informant]] per person interviewed; organisation is an actor id.
# [[informant]]
# id = "I01"
# organisation = "agency"
# role = "project director"

# Sources are added by `resdep sources add` or the workbench; by hand:
# [[source]]
# id = "S01"
# path = "sources/S01.txt"          # relative to this folder
# informant = "I01"
# kind = "interview"                # interview | fieldnote | document
# language = "en"

# [parameters]                      # optional overrides (docs/case-format.md, Parameters)
# theta_d = 0.5
"""

_ZH = """\
# resdep 案例文件夹（各字段的含义见 docs/case-format.md）。
# 接下来：
#   1. 在下面写明涉及的组织（[[actor]]）和受访者（[[informant]]）；
#   2. 加入访谈稿：`resdep sources add {folder} 访谈.txt --informant I01`，
#      或在工作台中加入：`resdep serve {folder}`；
#   3. 在工作台中编码片段（或手写 codings.csv）；
#   4. `resdep analyze {folder}`。

[case]
id = "{case_id}"                    # 只能用 a-z、0-9、_ 和 -
title = "{title}"
title_zh = "{title}"                # 中文标题
# description = "…"
synthetic = false                   # true 表示示意性的非田野数据

# 每个组织一个 [[actor]]。kind 取值：civil_affairs_bureau（区民政局）、
# street_office（街道/乡镇自治办）、neighborhood_committee（居委会）（以上为政府一方）、
# social_work_agency（社工机构）、residents（居民）、evaluator（第三方评估机构）、other（其他）。
# 请修改下面两个并加入你自己的。
[[actor]]
id = "agency"
kind = "social_work_agency"
name_zh = "社工机构"

[[actor]]
id = "street"
kind = "street_office"
name_zh = "街道自治办"
# parent = "…"                      # 上级行动者的 id（如有）

# 每位受访者一个 [[informant]]；organisation 为行动者 id。
# [[informant]]
# id = "I01"
# organisation = "agency"
# role = "项目主管"

# 来源由 `resdep sources add` 或工作台加入；手写时：
# [[source]]
# id = "S01"
# path = "sources/S01.txt"          # 相对于本文件夹
# informant = "I01"
# kind = "interview"                # interview（访谈）| fieldnote（田野笔记）| document（文件）
# language = "zh"

# [parameters]                      # 可选的参数覆盖（见 docs/case-format.md 参数表）
# theta_d = 0.5
"""


def _case_id(folder: Path) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "_", folder.resolve().name.lower()).strip("_")
    return slug or "my_case"


def case_toml_template(case_id: str, *, lang: str = "zh", folder: str = "CASE") -> str:
    """The commented ``case.toml`` of a new case, comments in ``lang`` (``zh`` or ``en``).

    Examples
    --------
    >>> import tomllib
    >>> t = tomllib.loads(case_toml_template("jiayuan", lang="zh"))
    >>> t["case"]["id"], [a["kind"] for a in t["actor"]]
    ('jiayuan', ['social_work_agency', 'street_office'])
    """
    if lang not in LANGUAGES:
        raise CaseFormatError(f"unknown language {lang!r}", place="--lang", fix="give zh or en")
    title = "新案例" if lang == "zh" else case_id.replace("_", " ").capitalize()
    template = _ZH if lang == "zh" else _EN
    return (
        template.replace("{case_id}", case_id).replace("{title}", title).replace("{folder}", folder)
    )


def init_case(folder: str | Path, *, lang: str = "zh") -> Path:
    """Create a new case folder: ``case.toml`` (commented), ``sources/``, ``codings.csv``.

    An existing non-empty folder is refused (nothing in it is touched). The folder is
    built beside its final place and renamed into it, so a failure leaves nothing
    half-written.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target} exists and is not a folder; choose another name")
    if target.is_dir() and any(target.iterdir()):
        raise OutputExistsError(
            f"{target} already holds files; resdep init only creates a new case "
            "(choose a new folder name, or open this one with resdep serve)"
        )
    import shlex

    toml = case_toml_template(_case_id(target), lang=lang, folder=shlex.quote(str(folder)))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    try:
        tmp.chmod(0o755)
        (tmp / "sources").mkdir()
        (tmp / "case.toml").write_text(toml, encoding="utf-8", newline="")
        (tmp / "codings.csv").write_text(
            ",".join(CODING_COLUMNS) + "\n", encoding="utf-8", newline=""
        )
        if target.is_dir():
            target.rmdir()  # empty (checked above); fails if something appeared meanwhile
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
