"""Build ``codings.csv`` of the bundled founding case from quotes held as data.

The founding case (``src/resdep/data/founding_case/``) is an illustrative reconstruction,
in Chinese, of the Shanghai autonomy-grant (自治金) case study of DESIGN section 1. Its
coded segments live here as data: the source id, the exact quoted text and the codes.
This script finds each quote in its source text, computes the Unicode code-point offsets
(``start`` inclusive, ``end`` exclusive) and writes ``codings.csv`` in the column order
of DESIGN section 6b. A quote that is missing from its source, or that occurs more than
once without an ``occurrence`` index, stops the build with a message.

Usage::

    python tools/build_founding_case.py            # write codings.csv
    python tools/build_founding_case.py --check    # exit 1 if codings.csv is stale

Coding conventions used below (DESIGN sections 3 and 6b):

- ``evidence`` is left empty (the default by source kind: interview → direct, field note →
  observation) unless an informant reports what someone else said or thinks, which is
  written ``second_hand``. In the field note, what an informant told the observer about
  their own situation is also ``second_hand``; what the observer saw or heard said in a
  meeting is observation.
- ``alternatives`` codes S, the availability of alternatives: intensity 0 = no
  alternative, 3 = many; ``discretion`` codes the *provider's* control over allocating or
  withholding the resource.
- Self-serving claims (an informant saying another actor depends on the informant's own
  organisation) are coded like any other; the pipeline discounts them from case.toml.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from resdep.case import CODING_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = ROOT / "src" / "resdep" / "data" / "founding_case"
COLUMNS = CODING_COLUMNS  # the case format's own column list

# Stages
CON, IMP, CLO = "contracting", "implementation", "closing"
# Actors
AG, BU, ST, NA, NB, NC, RE = "agency", "bureau", "street", "nc_a", "nc_b", "nc_c", "residents"
# Resources
ECO, POL, SOC, PRO, PATH, INFO, PERF = (
    "economic",
    "political_legitimacy",
    "social_legitimacy",
    "professional",
    "path_dependence",
    "information",
    "performance",
)
# Dimensions
IMPT, ALT, DISC = "importance", "alternatives", "discretion"
SH = "second_hand"

_STAGES = {CON, IMP, CLO}
_RESOURCES = {ECO, POL, SOC, PRO, PATH, INFO, PERF}
_DIMENSIONS = {IMPT, ALT, DISC}
_VALUES = {
    "philosophy": {"cooperative", "official"},
    "goal": {
        "resident_benefit",
        "service_quality",
        "trouble_free_completion",
        "impression_achievement",
        "organisational_survival",
        "professional_development",
    },
    "problem": {"relational_purchase", "lack_of_autonomy", "formalization"},
    "strategy": {"survive_loss_making", "develop_profitable"},
}
_EVIDENCE = {"", "direct", "second_hand", "document", "observation"}


@dataclass(frozen=True, slots=True)
class Coding:
    """One coded segment, located in its source by its exact quote."""

    source: str
    quote: str
    kind: str
    stage: str = ""
    dependent: str = ""
    provider: str = ""
    resource: str = ""
    dimension: str = ""
    actor: str = ""
    value: str = ""
    intensity: int | None = None
    evidence: str = ""
    note: str = ""
    occurrence: int | None = None  # 0-based index when the quote occurs more than once


def dep(
    source: str,
    quote: str,
    stage: str,
    dependent: str,
    provider: str,
    resource: str,
    dimension: str,
    intensity: int,
    evidence: str = "",
    note: str = "",
) -> Coding:
    """A dependence record: ``dependent`` depends on ``provider`` for ``resource``."""
    return Coding(
        source,
        quote,
        "dependence",
        stage=stage,
        dependent=dependent,
        provider=provider,
        resource=resource,
        dimension=dimension,
        intensity=intensity,
        evidence=evidence,
        note=note,
    )


def phil(
    source: str,
    quote: str,
    actor: str,
    value: str,
    intensity: int,
    evidence: str = "",
    note: str = "",
) -> Coding:
    """A governance-philosophy record of a government actor."""
    return Coding(
        source,
        quote,
        "philosophy",
        actor=actor,
        value=value,
        intensity=intensity,
        evidence=evidence,
        note=note,
    )


def goal(
    source: str,
    quote: str,
    actor: str,
    value: str,
    intensity: int,
    evidence: str = "",
    note: str = "",
) -> Coding:
    """A goal record of an actor."""
    return Coding(
        source,
        quote,
        "goal",
        actor=actor,
        value=value,
        intensity=intensity,
        evidence=evidence,
        note=note,
    )


def prob(
    source: str,
    quote: str,
    value: str,
    intensity: int,
    actor: str = "",
    stage: str = "",
    evidence: str = "",
    note: str = "",
) -> Coding:
    """A problem record (optionally naming the government actor and the stage)."""
    return Coding(
        source,
        quote,
        "problem",
        stage=stage,
        actor=actor,
        value=value,
        intensity=intensity,
        evidence=evidence,
        note=note,
    )


def strat(
    source: str, quote: str, value: str, intensity: int, evidence: str = "", note: str = ""
) -> Coding:
    """A strategy record of the agency."""
    return Coding(
        source,
        quote,
        "strategy",
        actor=AG,
        value=value,
        intensity=intensity,
        evidence=evidence,
        note=note,
    )


# ---------------------------------------------------------------------------------------
# S01 — I01, agency director
# ---------------------------------------------------------------------------------------
S01 = [
    dep("S01", "没有民政局的认可，街道根本不会找你", CON, AG, BU, POL, IMPT, 3),
    dep(
        "S01",
        "我们是民政局登记的机构，等级评估也是民政局组织的",
        CON,
        AG,
        BU,
        POL,
        ALT,
        0,
        note="registration and rating only through the bureau",
    ),
    dep("S01", "没有这块牌子，居民和居委会也不认你", CON, AG, BU, SOC, IMPT, 3),
    dep(
        "S01",
        "民政局也需要我们这样的机构去落地",
        CON,
        BU,
        AG,
        PRO,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S01",
        "后来区里有新项目，一般也是先来找我们商量",
        CON,
        BU,
        AG,
        PATH,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S01",
        "区里的公益创投我们每年也会申请，但金额不大",
        CON,
        AG,
        BU,
        ECO,
        IMPT,
        1,
        note="weak: bureau funds are small",
    ),
    dep(
        "S01",
        "差不多七成是几个街道的购买项目，这个街道一家就占了将近一半",
        CON,
        AG,
        ST,
        ECO,
        IMPT,
        3,
    ),
    dep("S01", "街道的钱断了，我们机构就很难活下去", CON, AG, ST, ECO, ALT, 1),
    dep("S01", "给不给你做、给谁做，基本上是街道说了算", CON, AG, ST, ECO, DISC, 3),
    dep(
        "S01",
        "街道自己没有专业的人，自治办就两三个人，自治金这种项目他们自己做不起来，"
        "需要我们的社工和方法",
        CON,
        ST,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S01",
        "我们跟这个街道合作了好几年，大家都习惯了，换一家他们也要重新磨合",
        CON,
        ST,
        AG,
        PATH,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S01",
        "但是不接的话，跟街道的关系就断了",
        CON,
        ST,
        AG,
        PATH,
        DISC,
        1,
        note="the agency cannot afford to decline the project",
    ),
    dep(
        "S01",
        "项目做到一半，街道是不可能换机构的",
        IMP,
        ST,
        AG,
        PRO,
        ALT,
        0,
        note="self-serving claim",
    ),
    dep(
        "S01",
        "我们的社工跟居委会、跟居民都熟了，换人就是从头再来",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep("S01", "评估做得好不好，直接决定明年还续不续给我们", CLO, AG, ST, ECO, IMPT, 3),
    dep("S01", "街道打个分，我们就得看脸色", CLO, AG, ST, ECO, DISC, 3),
    dep("S01", "这个街道的续签要是没了，我们一下子找不到别的项目补上", CLO, AG, ST, ECO, ALT, 0),
    dep("S01", "年底民政局的评优、等级复核对我们也很关键", CLO, AG, BU, POL, IMPT, 3),
    dep("S01", "评上了，下一年到别的街道谈项目也有底气", CLO, AG, BU, SOC, IMPT, 2),
    phil(
        "S01",
        "跟民政局更像是伙伴，他们会听我们的意见，一起商量怎么把社区治理做好",
        BU,
        "cooperative",
        2,
    ),
    phil("S01", "说难听点我们就是伙计，是帮他们干活的", ST, "official", 2),
    strat("S01", "所以有些亏本的项目我们是为了生存、为了关系在做", "survive_loss_making", 3),
    strat("S01", "是有结余的，我们就用那部分钱多招几个社工，机构才能发展", "develop_profitable", 3),
    prob("S01", "后面别的项目也拿不到", "relational_purchase", 2, actor=ST, stage=CON),
    goal("S01", "第一是活下去", AG, "organisational_survival", 3),
    goal("S01", "第二是专业上要有发展，不能总是做行政事务", AG, "professional_development", 3),
    goal("S01", "最终还是希望居民能真正得到好处", AG, "resident_benefit", 2),
]

# ---------------------------------------------------------------------------------------
# S02 — I02, agency project lead
# ---------------------------------------------------------------------------------------
S02 = [
    dep(
        "S02",
        "我们社的收入，基金会和企业的钱加起来不到一成，主要还是靠街道",
        CON,
        AG,
        ST,
        ECO,
        ALT,
        0,
    ),
    dep(
        "S02",
        "全街道二十多个居民区、六七十个自治项目，都是我们社工在一线盯",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S02",
        "去年中途有个社工离职，街道主任第二天就打电话来问，怕项目断档",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S02", "这时候临时换一家机构是不现实的", IMP, ST, AG, PRO, ALT, 0, note="self-serving claim"
    ),
    dep(
        "S02",
        "专业上怎么做，基本是我们说了算",
        IMP,
        ST,
        AG,
        PRO,
        DISC,
        3,
        note="the agency controls delivery",
    ),
    dep(
        "S02",
        "钱是分期拨的，合同签了，中期款一般不会卡",
        IMP,
        AG,
        ST,
        ECO,
        DISC,
        1,
        note="payment committed by contract",
    ),
    dep("S02", "评估分数是街道给的，我们不敢得罪", CLO, AG, ST, ECO, DISC, 3),
    dep("S02", "我们跟民政局反映，他们会出面协调", IMP, AG, BU, POL, DISC, 2),
    dep("S02", "他们那边政策上的支持对我们很重要", IMP, AG, BU, POL, IMPT, 3),
    dep("S02", "能替我们说上话的，也就是民政局", IMP, AG, BU, POL, ALT, 0),
    dep("S02", "区里一些新的政策信息，也是民政局第一时间告诉我们", IMP, AG, BU, INFO, IMPT, 2),
    dep(
        "S02",
        "具体的案例、数据都是我们做出来的",
        IMP,
        BU,
        AG,
        PERF,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S02",
        "没有我们这些一线社工，这个品牌是立不住的",
        IMP,
        BU,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S02",
        "民政局要了解居民区的情况，很多时候也是打电话问我们",
        IMP,
        BU,
        AG,
        INFO,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S02",
        "明年区里的项目还想让我们接着做",
        CLO,
        BU,
        AG,
        PATH,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S02",
        "像A居委会，没有张书记点头，居民骨干叫不出来，项目就推不动",
        IMP,
        AG,
        NA,
        SOC,
        IMPT,
        3,
    ),
    dep(
        "S02",
        "像C居委会，自己写不了规范的项目书，评审的时候都是我们帮着改的",
        CON,
        NC,
        AG,
        PRO,
        IMPT,
        2,
        note="self-serving claim",
    ),
    prob(
        "S02",
        "社工有三分之一的时间在做这些，跟自治金本身没关系",
        "formalization",
        2,
        actor=ST,
        stage=IMP,
        note="administrative tasks pushed onto social workers",
    ),
    prob("S02", "我们也不好拒绝", "lack_of_autonomy", 2, actor=ST, stage=IMP),
    prob(
        "S02",
        "很多是为了评估而做，居民到底得到了多少好处，评估表上看不太出来",
        "formalization",
        3,
        actor=ST,
        stage=CLO,
    ),
    goal("S02", "我希望项目做得专业一点，真的能把居民带动起来", AG, "service_quality", 2),
]

# ---------------------------------------------------------------------------------------
# S03 — I03, frontline social worker (three years)
# ---------------------------------------------------------------------------------------
S03 = [
    dep(
        "S03",
        "像B居委会，现在离不开我们，他们的自治项目从申报到结项，材料基本都是我们帮着弄的",
        IMP,
        NB,
        AG,
        PRO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S03",
        "也不是说别的机构做不了，区里做社区治理的机构也有好几家",
        IMP,
        ST,
        AG,
        PRO,
        ALT,
        2,
        note="contrary: the street would have alternatives",
    ),
    dep(
        "S03",
        "但是换人要时间，居民骨干认的是人，一换人，很多项目就停了",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        2,
        note="self-serving claim",
    ),
    goal(
        "S03",
        "自治办主任在会上讲过，自治金项目最要紧的是“别出事”，账目清楚、不出投诉就行",
        ST,
        "trouble_free_completion",
        3,
        SH,
        note="relayed from the project lead",
    ),
    goal(
        "S03",
        "他们更关心照片好不好看、领导来看的时候场面热不热闹",
        ST,
        "impression_achievement",
        2,
        SH,
    ),
    goal("S03", "我们想的是怎么让居民真正自己组织起来", AG, "resident_benefit", 2),
    goal("S03", "街道想的是今年的任务完成、年底有东西交", ST, "trouble_free_completion", 2, SH),
    goal(
        "S03", "居民想要的是实实在在的服务，楼道干净、老人有人照顾", RE, "resident_benefit", 3, SH
    ),
    goal("S03", "居民想要的是实实在在的服务，楼道干净、老人有人照顾", RE, "service_quality", 2, SH),
    prob(
        "S03",
        "但也有一些项目就是为了把钱花掉，居民不太知道，也不太关心",
        "formalization",
        2,
        stage=IMP,
    ),
    prob("S03", "有时候写材料的时间比做活动还多", "formalization", 3, actor=ST, stage=IMP),
    prob("S03", "这不是社工的工作，但是不去不行", "lack_of_autonomy", 3, actor=ST, stage=IMP),
    dep(
        "S03",
        "年初项目还没签下来的时候，机构上上下下都很紧张，怕工资发不出来",
        CON,
        AG,
        ST,
        ECO,
        IMPT,
        3,
    ),
    strat("S03", "机构这两年在招人，也在给我们做督导", "develop_profitable", 1),
]

# ---------------------------------------------------------------------------------------
# S04 — I04, frontline social worker (one year)
# ---------------------------------------------------------------------------------------
S04 = [
    dep("S04", "我们主任说，分数低了明年的合同就悬了", CLO, AG, ST, ECO, IMPT, 3, SH),
    dep("S04", "看现场，街道领导打分", CLO, AG, ST, ECO, DISC, 2),
    dep(
        "S04", "项目做完了，他们心里也有数，下一年换不换机构是他们的事", CLO, ST, AG, PERF, IMPT, 1
    ),
    dep("S04", "反正区里能做的机构也不止我们一家", CLO, ST, AG, PERF, ALT, 2),
    dep(
        "S04",
        "民政局组织的督导对我们新社工帮助挺大的",
        IMP,
        AG,
        BU,
        INFO,
        IMPT,
        2,
        note="supervision and training",
    ),
    phil("S04", "就是“编外人员”，有事就叫，叫了就得来", ST, "official", 3),
    phil(
        "S04",
        "街道的钱从来没拖过，自治办的小刘对我们也挺客气的",
        ST,
        "cooperative",
        1,
        note="contrary, weak",
    ),
    phil(
        "S04",
        "听老同事说，民政局科长很尊重社工的专业意见，开会的时候会专门问我们的看法",
        BU,
        "cooperative",
        2,
        SH,
    ),
    prob(
        "S04",
        "让我们派三个社工去整理档案，连着两个礼拜，自治金的活动都停了",
        "formalization",
        3,
        actor=ST,
        stage=IMP,
    ),
    prob("S04", "叫了就得来", "lack_of_autonomy", 2, actor=ST, stage=IMP),
    prob(
        "S04",
        "我们的精力都花在让街道满意上，真正花在居民身上的时间不够",
        "formalization",
        2,
        actor=ST,
        stage=IMP,
    ),
    goal(
        "S04",
        "希望能多做点专业的事情，比如个案、小组，把居民真的动员起来",
        AG,
        "professional_development",
        2,
    ),
]

# ---------------------------------------------------------------------------------------
# S05 — I05, bureau section chief
# ---------------------------------------------------------------------------------------
S05 = [
    dep("S05", "这个专业能力我们局里没有，街道也没有", CON, BU, AG, PRO, IMPT, 3),
    dep(
        "S05",
        "区里能做社区治理、又做得比较扎实的机构，说实话不多，也就两三家",
        CON,
        BU,
        AG,
        PRO,
        ALT,
        1,
    ),
    dep(
        "S05",
        "M社我们合作时间最长，彼此比较了解，所以推荐给街道的时候，我们首先想到的就是他们",
        CON,
        BU,
        AG,
        PATH,
        IMPT,
        3,
    ),
    dep("S05", "项目不合适他们也会跟我们讲，我们不能硬压", CON, BU, AG, PRO, DISC, 2),
    dep(
        "S05",
        "机构要登记、要年检、要参加等级评估，这些都在我们这里",
        CON,
        AG,
        BU,
        POL,
        ALT,
        0,
        note="self-serving claim",
    ),
    dep(
        "S05",
        "我们说这家机构靠谱，街道就放心",
        CON,
        AG,
        BU,
        POL,
        DISC,
        2,
        note="self-serving claim",
    ),
    dep(
        "S05",
        "离开我们区也能接到项目，这一点我们心里也清楚",
        CON,
        AG,
        BU,
        POL,
        ALT,
        2,
        note="contrary: the agency has other options",
    ),
    dep(
        "S05",
        "我们会跟街道沟通，社工的主要精力要放在专业服务上",
        IMP,
        AG,
        BU,
        POL,
        DISC,
        2,
        note="self-serving claim",
    ),
    dep("S05", "自治金这个品牌做得好不好，我们科的工作就体现在这上面", IMP, BU, AG, PERF, IMPT, 3),
    dep("S05", "市里来调研、要案例，都靠机构一线做出来的东西", IMP, BU, AG, PRO, IMPT, 2),
    dep(
        "S05",
        "评估结果也会作为机构等级评估和下一轮推荐的参考",
        CLO,
        AG,
        BU,
        POL,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S05",
        "年底我们要向市里报社区治理的创新案例，M社的项目每年都是重点",
        CLO,
        BU,
        AG,
        PERF,
        IMPT,
        3,
    ),
    dep(
        "S05",
        "评上区里的品牌项目，机构在社区里的口碑也就出来了",
        CLO,
        AG,
        BU,
        SOC,
        IMPT,
        2,
        note="self-serving claim",
    ),
    phil("S05", "机构不是我们的下属，是合作伙伴", BU, "cooperative", 3),
    phil(
        "S05", "有些政策出台之前，我们会请机构的负责人来座谈，听听一线的意见", BU, "cooperative", 2
    ),
    goal(
        "S05",
        "上面千条线，下面一根针，什么任务最后都落到街道，人手和钱又不匹配",
        ST,
        "trouble_free_completion",
        2,
        SH,
        note="the squeeze on lower-level government",
    ),
    goal(
        "S05",
        "所以街道更看重的是任务完成、不出问题，质量好不好，有时候顾不上",
        ST,
        "trouble_free_completion",
        3,
        SH,
    ),
    goal("S05", "我们看重的是服务质量和居民的实际获得感", BU, "service_quality", 3),
    goal("S05", "我们看重的是服务质量和居民的实际获得感", BU, "resident_benefit", 3),
    goal("S05", "当然，区里也要出成绩", BU, "impression_achievement", 1),
    goal(
        "S05",
        "希望通过这个项目把社工队伍带起来，让专业社工在基层站得住",
        BU,
        "professional_development",
        2,
    ),
]

# ---------------------------------------------------------------------------------------
# S06 — I06, bureau staff
# ---------------------------------------------------------------------------------------
S06 = [
    dep(
        "S06",
        "很多居民区的情况，我们是从他们那里知道的，他们在一线，比我们清楚",
        IMP,
        BU,
        AG,
        INFO,
        IMPT,
        2,
    ),
    dep("S06", "科里就四个人，具体的服务不可能我们自己去做", IMP, BU, AG, PRO, IMPT, 3),
    dep("S06", "全区真正懂自治金这一套的社工，大部分在M社", IMP, BU, AG, PRO, ALT, 1),
    dep("S06", "现在合作惯了，有什么新任务，第一反应就是找M社商量", CON, BU, AG, PATH, IMPT, 3),
    dep(
        "S06",
        "机构的资质、评级、评优都要经过我们",
        CLO,
        AG,
        BU,
        POL,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S06",
        "等级评估这一块，别的部门替代不了",
        CLO,
        AG,
        BU,
        POL,
        ALT,
        0,
        note="self-serving claim",
    ),
    dep(
        "S06",
        "区里的公益创投、专项资金也是我们在管",
        CON,
        AG,
        BU,
        ECO,
        DISC,
        2,
        note="self-serving claim",
    ),
    dep(
        "S06",
        "政策有什么变化，我们也会第一时间告诉机构",
        IMP,
        AG,
        BU,
        INFO,
        IMPT,
        2,
        note="self-serving claim",
    ),
    dep(
        "S06",
        "他们要是跟局里关系搞不好，日子会难过一些",
        CLO,
        AG,
        BU,
        POL,
        DISC,
        2,
        note="self-serving claim",
    ),
    dep(
        "S06",
        "M社的收入大头还是在街道，离了街道的项目，光靠我们这边的创投是撑不住的",
        CON,
        AG,
        ST,
        ECO,
        ALT,
        0,
    ),
    dep("S06", "自治金这类项目，能做的机构本来就少", CON, ST, AG, PRO, ALT, 1),
    dep("S06", "年底我们科汇总的成绩，很大一块是M社的项目", CLO, BU, AG, PERF, IMPT, 3),
    dep("S06", "区里能拿得出手的自治金案例，基本都出自M社", CLO, BU, AG, PERF, ALT, 1),
    dep("S06", "明年的项目，我们还是倾向于继续跟M社合作", CLO, BU, AG, PATH, IMPT, 2),
    phil("S06", "大部分同事是把机构当伙伴的，尤其是我们科长，很尊重他们", BU, "cooperative", 2, SH),
    phil(
        "S06",
        "局里也有个别领导觉得，机构就是拿政府的钱办事的，听安排就行",
        BU,
        "official",
        2,
        SH,
        note="contrary",
    ),
    phil("S06", "他们更多是把机构当成帮手，让干什么就干什么", ST, "official", 2, SH),
    prob(
        "S06",
        "街道一般还是找熟悉的机构，招标有时候是走个形式",
        "relational_purchase",
        3,
        actor=ST,
        stage=CON,
    ),
    prob(
        "S06",
        "评估指标主要是活动场次、参与人数、台账完整度，这些好量化。居民到底有没有变化，很难评",
        "formalization",
        2,
        stage=CLO,
    ),
]

# ---------------------------------------------------------------------------------------
# S07 — I07, street self-government office director
# ---------------------------------------------------------------------------------------
S07 = [
    dep(
        "S07",
        "自治办连我在内三个人，管二十多个居民区，自治金光是评审、台账就忙不过来",
        CON,
        ST,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep(
        "S07",
        "他们是民政局推荐的，又在我们街道做了好几年，情况熟，用起来顺手",
        CON,
        ST,
        AG,
        PATH,
        IMPT,
        3,
    ),
    dep("S07", "一般不会轻易换", CON, ST, AG, PATH, ALT, 1),
    dep(
        "S07",
        "执行阶段确实离不开他们，居民区那么多项目，我们不可能一个个跟",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep("S07", "项目开了头，中途换机构，居民那边也没法交代", IMP, ST, AG, PRO, ALT, 0),
    dep(
        "S07",
        "他们的钱主要是街道给的，离开街道，他们很多项目就没了",
        CON,
        AG,
        ST,
        ECO,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep(
        "S07",
        "最后续不续签，还是街道班子研究决定",
        CLO,
        AG,
        ST,
        ECO,
        DISC,
        3,
        note="self-serving claim",
    ),
    dep("S07", "明年换一家也不是不行，区里这类机构现在也多起来了", CLO, ST, AG, PERF, ALT, 2),
    dep("S07", "不太担心。机构要续签，比我们着急", CLO, ST, AG, PERF, IMPT, 1),
    phil(
        "S07",
        "说白了，机构就是来帮我们把任务完成的。街道定方向、定任务，机构去执行",
        ST,
        "official",
        3,
    ),
    phil("S07", "叫他们来搭把手，这也很正常嘛", ST, "official", 2),
    goal(
        "S07",
        "上面千条线，下面一根针，区里各个部门的任务最后都落到我们这里",
        ST,
        "trouble_free_completion",
        2,
        note="the squeeze on lower-level government",
    ),
    goal("S07", "机构要续签，比我们着急", AG, "organisational_survival", 2, SH),
    goal(
        "S07",
        "第一是不出问题，钱要用得规范，不能有审计风险，居民不能有投诉",
        ST,
        "trouble_free_completion",
        3,
    ),
    goal("S07", "第二是要有亮点，区里考核的时候拿得出东西", ST, "impression_achievement", 3),
    goal("S07", "居民满意我们也高兴", ST, "resident_benefit", 1),
    goal("S07", "我们考核里看的主要是完成情况", ST, "trouble_free_completion", 2),
]

# ---------------------------------------------------------------------------------------
# S08 — I08, street self-government office staff
# ---------------------------------------------------------------------------------------
S08 = [
    dep("S08", "自治金这块基本没有竞争，一直是M社在做", CON, ST, AG, PATH, ALT, 1),
    dep("S08", "选哪家机构，最后是街道定", CON, AG, ST, ECO, DISC, 3, note="self-serving claim"),
    dep(
        "S08",
        "自治金项目的跟进基本全靠他们。我一个人对二十几个居民区，根本跑不过来",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep("S08", "有时候领导问起某个居民区的项目，我还要先打电话问社工", IMP, ST, AG, INFO, IMPT, 2),
    dep(
        "S08",
        "评估分数出来，领导会据此决定下一年还用不用这家机构",
        CLO,
        AG,
        ST,
        ECO,
        DISC,
        3,
        note="self-serving claim",
    ),
    dep(
        "S08",
        "说是每年评估后再定，其实大家都默认会续",
        CLO,
        AG,
        ST,
        ECO,
        DISC,
        1,
        note="contrary: renewal is taken for granted",
    ),
    dep("S08", "这个要靠机构帮我们把案例、照片整理出来", CLO, ST, AG, PERF, IMPT, 2),
    dep("S08", "机构也很配合，不会在这个时候跟我们讲条件", CLO, ST, AG, PERF, DISC, 0),
    phil(
        "S08",
        "我个人是把他们当合作伙伴的，他们专业，我们有资源，互相配合",
        ST,
        "cooperative",
        2,
        note="contrary",
    ),
    phil("S08", "领导更看重他们能不能把街道交代的事情办好", ST, "official", 2, SH),
    phil("S08", "领导说，反正他们在社区里，顺手的事", ST, "official", 2, SH),
    prob("S08", "街道人手不够，就请社工来帮忙", "lack_of_autonomy", 2, actor=ST, stage=IMP),
    prob(
        "S08", "其实分数一般不会太差，大家都有默契", "relational_purchase", 2, actor=ST, stage=CLO
    ),
    prob("S08", "自治金这块基本没有竞争", "relational_purchase", 3, actor=ST, stage=CON),
    goal("S08", "成果好看一点，街道脸上也有光", ST, "impression_achievement", 3),
    goal("S08", "他们更关心的是小区停车、加装电梯这些实事", RE, "resident_benefit", 3, SH),
]

# ---------------------------------------------------------------------------------------
# S09 — I09, secretary of neighbourhood committee A
# ---------------------------------------------------------------------------------------
S09 = [
    dep(
        "S09",
        "申报的时候帮我们理思路、写项目书，这个我们自己写不规范，评审不容易过",
        CON,
        NA,
        AG,
        PRO,
        IMPT,
        2,
    ),
    dep("S09", "执行的时候，社工会来带居民骨干开会、做活动、做记录", IMP, NA, AG, PRO, IMPT, 2),
    dep(
        "S09",
        "说实话，活动本身我们也能搞，居委会搞活动搞了几十年了",
        IMP,
        NA,
        AG,
        PRO,
        ALT,
        2,
        note="contrary",
    ),
    dep(
        "S09",
        "要按自治金的要求，规范地做、留台账、出案例，就离不开社工了",
        IMP,
        NA,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep(
        "S09",
        "他们要进居民区，要找居民骨干，都要通过我们",
        IMP,
        AG,
        NA,
        SOC,
        IMPT,
        3,
        note="self-serving claim",
    ),
    dep("S09", "我们不点头，居民是不买账的", IMP, AG, NA, SOC, DISC, 3, note="self-serving claim"),
    phil("S09", "街道是出钱的，机构是干活的，我们夹在中间", ST, "official", 1, SH),
    prob(
        "S09",
        "街道有什么检查任务，有时候直接让社工来帮我们居委会准备",
        "lack_of_autonomy",
        2,
        actor=ST,
        stage=IMP,
    ),
    prob(
        "S09",
        "我们一般都打得比较高，大家合作这么久了",
        "relational_purchase",
        1,
        actor=NA,
        stage=CLO,
    ),
    goal("S09", "有居民说，这些钱要是直接用来修修房子可能更实在", RE, "resident_benefit", 3, SH),
    goal("S09", "我们希望居民满意，别出矛盾", NA, "resident_benefit", 2),
    goal("S09", "我们希望居民满意，别出矛盾", NA, "trouble_free_completion", 2),
    goal(
        "S09",
        "街道考核我们的时候，也是看有没有投诉、任务完成没有",
        ST,
        "trouble_free_completion",
        2,
        SH,
    ),
]

# ---------------------------------------------------------------------------------------
# S10 — I10, secretary of neighbourhood committee B
# ---------------------------------------------------------------------------------------
S10 = [
    dep("S10", "居民区里的自治项目，现在离开社工确实不好弄", IMP, NB, AG, PRO, IMPT, 3),
    dep("S10", "人一换，很多事情要从头来", IMP, NB, AG, PRO, ALT, 1),
    dep(
        "S10",
        "他们是外来的，居民不认识他们，都是我们带着去认门、认人",
        IMP,
        AG,
        NB,
        SOC,
        IMPT,
        3,
        note="self-serving claim",
    ),
    prob(
        "S10",
        "街道的任务压下来，我们要做，社工也要帮着做",
        "lack_of_autonomy",
        2,
        actor=ST,
        stage=IMP,
    ),
    goal(
        "S10",
        "街道领导关心的是有没有亮点，年底能不能拿出几个像样的案例去区里汇报",
        ST,
        "impression_achievement",
        3,
        SH,
    ),
    strat("S10", "听他们主任讲，自治金这块是不赚钱的，甚至要贴钱", "survive_loss_making", 2, SH),
    prob(
        "S10",
        "我估计是想跟街道保持关系吧，不然别的项目也不好拿",
        "relational_purchase",
        2,
        actor=ST,
        stage=CON,
        evidence=SH,
    ),
    goal("S10", "居民要的是问题真正解决，不是多几场活动", RE, "resident_benefit", 3, SH),
    goal("S10", "居民要的是问题真正解决，不是多几场活动", RE, "service_quality", 2, SH),
    goal("S10", "希望他们多做一些实在的服务，比如独居老人的探访", NB, "service_quality", 2),
]

# ---------------------------------------------------------------------------------------
# F01 — participant-observation field note (no informant)
# ---------------------------------------------------------------------------------------
F01 = [
    dep("F01", "今年还是你们来，流程跟去年一样", CON, ST, AG, PATH, IMPT, 3),
    dep(
        "F01",
        "今年还是你们来",
        CON,
        AG,
        ST,
        ECO,
        DISC,
        3,
        note="the street decides who gets the project",
    ),
    dep("F01", "会上没有其他机构参与，也没有人提起招标的事", CON, ST, AG, PATH, ALT, 0),
    dep(
        "F01",
        "街道和居委会代表对项目书的修改意见，几乎都由社工当场解释和记录",
        CON,
        ST,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep("F01", "说明M社是区里等级评估为4A的机构", CON, AG, BU, POL, IMPT, 2),
    dep("F01", "居委会代表随后表示“民政局推荐的机构我们放心”", CON, AG, BU, SOC, IMPT, 3),
    dep(
        "F01",
        "机构今年的预算缺口要靠这个街道的几个项目补上，合同签下来之前心里一直没底",
        CON,
        AG,
        ST,
        ECO,
        IMPT,
        3,
        SH,
        note="told to the observer by the project lead",
    ),
    dep(
        "F01",
        "吴主任当天打电话给M社总干事，要求“一周内必须补上人，项目不能断”",
        IMP,
        ST,
        AG,
        PRO,
        IMPT,
        3,
    ),
    dep("F01", "并没有提出更换机构", IMP, ST, AG, PRO, ALT, 0),
    dep(
        "F01",
        "自治办对各居民区项目进展的了解，基本依赖社工每周报送的进度表",
        IMP,
        ST,
        AG,
        INFO,
        IMPT,
        3,
    ),
    dep(
        "F01",
        "项目活动怎么设计、怎么带居民讨论，街道基本不过问，由社工自行决定",
        IMP,
        ST,
        AG,
        PRO,
        DISC,
        3,
    ),
    dep("F01", "合同约定的中期款按时拨付，没有附加条件", IMP, AG, ST, ECO, DISC, 0),
    dep("F01", "并当场表示会向街道发文，明确社工用于专业服务的时间比例", IMP, AG, BU, POL, DISC, 2),
    dep(
        "F01",
        "民政局是真的在帮我们说话",
        IMP,
        AG,
        BU,
        POL,
        IMPT,
        2,
        SH,
        note="the agency director after the meeting",
    ),
    dep(
        "F01",
        "赵科长提到区里正在申报市级社区治理创新项目，需要各机构提供案例和数据",
        IMP,
        BU,
        AG,
        PERF,
        IMPT,
        3,
    ),
    dep(
        "F01",
        "孙老师向李老师要了三个案例，说要放进区里年底报市里的材料",
        CLO,
        BU,
        AG,
        PERF,
        IMPT,
        3,
    ),
    dep("F01", "明年的合作要看今年的评估结果", CLO, AG, ST, ECO, DISC, 3),
    dep("F01", "这一句话让她好几天睡不好觉", CLO, AG, ST, ECO, IMPT, 3, SH),
    dep("F01", "区里现在这类机构多了，可以比一比", CLO, ST, AG, PERF, ALT, 2),
    dep("F01", "评估结果将报区里，作为机构等级评估复核的依据", CLO, AG, BU, POL, IMPT, 2),
    phil("F01", "赵科长请各机构负责人就“社工被行政化”问题发言", BU, "cooperative", 3),
    phil("F01", "自治办当天下午通知M社抽调三名社工协助整理台账", ST, "official", 2),
    prob("F01", "期间两个居民区的自治项目活动暂停", "formalization", 2, actor=ST, stage=IMP),
    prob("F01", "社工私下抱怨，但没有人提出拒绝", "lack_of_autonomy", 3, actor=ST, stage=IMP),
    prob("F01", "会上没有其他机构参与", "relational_purchase", 3, actor=ST, stage=CON),
    prob(
        "F01",
        "评估会前两周，M社全体社工加班整理档案，档案盒摆满了一整面墙",
        "formalization",
        3,
        actor=ST,
        stage=CLO,
    ),
    goal(
        "F01",
        "街道领导关心的问题主要是经费使用是否规范、有没有居民投诉，对服务效果问得很少",
        ST,
        "trouble_free_completion",
        3,
    ),
    goal("F01", "区里看机构，最看重的是居民的获得感", BU, "resident_benefit", 2),
    goal("F01", "花园是好看了，但我们最想解决的是停车难", RE, "resident_benefit", 3),
]

CODINGS: list[Coding] = [*S01, *S02, *S03, *S04, *S05, *S06, *S07, *S08, *S09, *S10, *F01]


class BuildError(Exception):
    """A coding that cannot be placed or does not follow the case-folder rules."""


def _sources(case_dir: Path) -> tuple[dict[str, str], set[str]]:
    """Source texts by id, and the actor ids, read from ``case.toml``."""
    with (case_dir / "case.toml").open("rb") as fh:
        case = tomllib.load(fh)
    texts = {s["id"]: (case_dir / s["path"]).read_text(encoding="utf-8") for s in case["source"]}
    return texts, {a["id"] for a in case["actor"]}


def _check_fields(c: Coding, actors: set[str], where: str) -> None:
    """Fail on a coding that breaks the per-kind rules of DESIGN section 6b."""
    if c.evidence not in _EVIDENCE:
        raise BuildError(f"{where}: unknown evidence {c.evidence!r}")
    if c.intensity is not None and c.intensity not in (0, 1, 2, 3):
        raise BuildError(f"{where}: intensity must be 0-3")
    if c.stage and c.stage not in _STAGES:
        raise BuildError(f"{where}: unknown stage {c.stage!r}")
    if c.kind == "dependence":
        if c.dependent not in actors or c.provider not in actors or c.dependent == c.provider:
            raise BuildError(f"{where}: bad dependent/provider {c.dependent}/{c.provider}")
        if c.resource not in _RESOURCES or c.dimension not in _DIMENSIONS or not c.stage:
            raise BuildError(f"{where}: dependence needs stage, resource and dimension")
        if c.intensity is None:
            raise BuildError(f"{where}: dependence needs an intensity")
        return
    if c.value not in _VALUES.get(c.kind, set()):
        raise BuildError(f"{where}: unknown {c.kind} value {c.value!r}")
    if c.actor and c.actor not in actors:
        raise BuildError(f"{where}: unknown actor {c.actor!r}")
    if c.kind in {"philosophy", "goal", "strategy"} and not c.actor:
        raise BuildError(f"{where}: {c.kind} needs an actor")


def locate(text: str, quote: str, occurrence: int | None, where: str) -> tuple[int, int]:
    """Code-point offsets of ``quote`` in ``text``; fails if missing or ambiguous."""
    if not quote:
        raise BuildError(f"{where}: empty quote")
    starts: list[int] = []
    i = text.find(quote)
    while i != -1:
        starts.append(i)
        i = text.find(quote, i + 1)
    if not starts:
        raise BuildError(f"{where}: quote not found: {quote!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise BuildError(
                f"{where}: quote occurs {len(starts)} times; give an occurrence: {quote!r}"
            )
        occurrence = 0
    if not 0 <= occurrence < len(starts):
        raise BuildError(f"{where}: occurrence {occurrence} of {len(starts)}: {quote!r}")
    start = starts[occurrence]
    return start, start + len(quote)


def build(case_dir: Path = CASE_DIR, codings: list[Coding] | None = None) -> str:
    """The text of ``codings.csv`` for the founding case."""
    texts, actors = _sources(case_dir)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    seen: set[tuple[object, ...]] = set()
    for n, c in enumerate(CODINGS if codings is None else codings, start=1):
        where = f"coding {n} ({c.source})"
        if c.source not in texts:
            raise BuildError(f"{where}: unknown source {c.source!r}")
        _check_fields(c, actors, where)
        start, end = locate(texts[c.source], c.quote, c.occurrence, where)
        assert texts[c.source][start:end] == c.quote
        row = (
            c.source,
            start,
            end,
            c.quote,
            c.kind,
            c.stage,
            c.dependent,
            c.provider,
            c.resource,
            c.dimension,
            c.actor,
            c.value,
            "" if c.intensity is None else c.intensity,
            c.evidence,
            c.note,
            "",  # self_serving: every claim takes the automatic rule of design section 3
        )
        key = row[:13]
        if key in seen:
            raise BuildError(f"{where}: duplicate coding {row[:3]}")
        seen.add(key)
        writer.writerow(row)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the founding case's ``codings.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if codings.csv is stale")
    args = parser.parse_args(argv)
    try:
        content = build()
    except BuildError as err:
        print(f"build_founding_case: {err}", file=sys.stderr)
        return 2
    target = CASE_DIR / "codings.csv"
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != content:
            print(f"{target} is stale: run tools/build_founding_case.py", file=sys.stderr)
            return 1
        print(f"{target} is up to date ({len(CODINGS)} codings)")
        return 0
    target.write_text(content, encoding="utf-8", newline="")
    print(f"wrote {target} ({len(CODINGS)} codings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
