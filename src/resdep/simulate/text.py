"""Words of the simulation report and terminal summary, in Chinese (``zh``) and English (``en``).

Every heading, label, caption, axis title, legend entry, table header, outcome name and
definition, and readable parameter name of :mod:`resdep.simulate.output` comes from
here. Stage, stage-state and label names use the vocabulary's Chinese forms
(:mod:`resdep.vocab`). The language is chosen by :func:`report_lang`: an explicit
``zh``/``en``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in that order;
one starting with ``zh`` gives Chinese).

Examples
--------
>>> report_lang("zh"), report_lang(None, {"LANG": "zh_CN.UTF-8"}), report_lang(None, {})
('zh', 'zh', 'en')
>>> ui("definitions", "zh"), outcome_name("pa_closing", "en")
('指标定义', 'PA at closing')
>>> param_name("w_quality", "zh")
'评估中质量的权重'
"""

from __future__ import annotations

from collections.abc import Mapping

from resdep.errors import ScenarioError
from resdep.lang import resolve_lang

__all__ = [
    "DEFINITIONS",
    "LANGS",
    "PARAM_NAMES",
    "STAT_NAMES",
    "definition",
    "label_name",
    "outcome_name",
    "param_name",
    "param_value",
    "report_lang",
    "scale_name",
    "stage_name",
    "stat_name",
    "state_name",
    "ui",
]

#: Languages of the report.
LANGS: tuple[str, ...] = ("zh", "en")


def report_lang(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The report language: ``explicit`` if given (``zh`` or ``en``), else from the locale.

    Raises
    ------
    ScenarioError
        ``explicit`` is neither ``zh`` nor ``en``.
    """
    if explicit is None:
        # The one locale rule of resdep (LC_ALL, LC_MESSAGES, LANG), shared with `analyze`.
        return resolve_lang(None, None, environ)
    lang = explicit.strip().lower()
    if lang not in LANGS:
        raise ScenarioError(
            f"unknown language {explicit!r}", place="--lang", fix="give --lang zh or --lang en"
        )
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


#: Headings, labels and sentences: key → (English, Chinese).
_UI: dict[str, tuple[str, str]] = {
    "title": ("Simulation report", "仿真报告"),
    "colon": (": ", "："),
    "scenario": ("scenario", "情景"),
    "intro": (
        "Scale {scale}: {districts} districts, {streets} street offices, {committees} "
        "neighbourhood committees, {agencies} agency slots; {years} years; {seeds}",
        "规模 {scale}：{districts} 个区、{streets} 个街道、{committees} 个居委会、{agencies} "
        "个社工机构席位；{years} 年；{seeds}",
    ),
    "one_seed": ("seed {seed}.", "随机种子 {seed}。"),
    "many_seeds": (
        "{n} seeds ({first}–{last}); every yearly series is the mean over seeds with its "
        "5–95% band across seeds shaded, and tables give the band in brackets. The per-dyad "
        "files (stages, relationships, inputs, diagnostics, networks) describe seed {seed}.",
        "{n} 个随机种子（{first}–{last}）；每条年度曲线为各种子的均值，阴影为种子间 5%–95% "
        "区间，表中方括号内为该区间。逐对文件（stages、relationships、inputs、diagnostics、"
        "networks）描述种子 {seed}。",
    ),
    "same_code": (
        "Dependence, stage states and relationship labels are computed by the same scoring "
        "and classification code as observed cases.",
        "依赖程度、阶段状态与关系类型由与实证案例相同的计分和分类代码计算。",
    ),
    "odd_link": (
        "Model description (ODD protocol), shipped with this report",
        "模型说明（ODD 协议），随本报告附带",
    ),
    "contents": ("Contents", "目录"),
    "key_results": ("Key results by stage", "分阶段主要结果"),
    "key_results_text": (
        "Means over the last half of the years ({first}–{last}) of the yearly mean over dyads.",
        "后半段年份（第 {first}–{last} 年）各年二元组均值的平均。",
    ),
    "outcomes_over_time": ("Outcomes over time", "结果随时间的变化"),
    "stage_dependence": ("Stage-wise dependence", "分阶段依赖"),
    "stage_states": ("Stage states over time", "阶段状态随时间的变化"),
    "pa_across": ("Power advantage across dyads", "各二元组的权力优势分布"),
    "pa_across_text": (
        "Median, 25–75% and 5–95% of PA across the year's dyads, per stage{seeds}.",
        "每个阶段当年各二元组 PA 的中位数、25%–75% 与 5%–95% 区间{seeds}。",
    ),
    "means_over_seeds": (" (means over seeds)", "（各种子的均值）"),
    "districts": ("Districts", "区"),
    "districts_many": (
        "The {n} districts with the highest and the {n} with the lowest closing PA",
        "结项阶段 PA 最高与最低的各 {n} 个区",
    ),
    "districts_all": ("Every district, by closing PA", "所有区，按结项阶段 PA 排序"),
    "districts_file": ("; all of them in districts.csv.", "；全部见 districts.csv。"),
    "districts_text": (
        "Year {year}: {n} districts; closing PA across districts from {lo} to {hi} (median {med}).",
        "第 {year} 年：{n} 个区；各区结项阶段 PA 从 {lo} 到 {hi}（中位数 {med}）。",
    ),
    "district": ("district", "区"),
    "means_last_half": ("Means over the last half", "后半段均值"),
    "run_statistics": ("Run statistics", "运行统计量"),
    "run_statistics_seeds": (
        "Run statistics (mean over {n} seeds)",
        "运行统计量（{n} 个种子的均值）",
    ),
    "definitions": ("Definitions", "指标定义"),
    "definitions_text": (
        "What each outcome measures, in the model's terms.",
        "各结果指标在模型中的含义。",
    ),
    "parameters": ("Parameters", "参数"),
    "parameters_text": (
        "Every parameter of this run; the raw name (as in run.json and --set) in small print.",
        "本次运行的全部参数；小字为原始参数名（与 run.json 和 --set 中一致）。",
    ),
    "scale_number": ("{value} (the scale's number)", "{value}（规模预设的数量）"),
    "files": ("Files", "文件"),
    "figure_files": ("Figure files", "图形文件"),
    "outcome": ("outcome", "指标"),
    "mean": ("mean", "均值"),
    "band_lo": ("5% over seeds", "种子间 5%"),
    "band_hi": ("95% over seeds", "种子间 95%"),
    "value": ("value", "取值"),
    "parameter": ("parameter", "参数"),
    "statistic": ("statistic", "统计量"),
    "stage": ("stage", "阶段"),
    "year": ("year", "年"),
    "share_of_dyads": ("share of dyads", "二元组占比"),
    # figures
    "fig_residents": ("residents and tasks", "居民与任务"),
    "fig_agencies": ("agencies", "社工机构"),
    "fig_problems": ("purchase problems", "购买中的问题"),
    "fig_labels": ("relationship labels (share of dyads)", "关系类型（二元组占比）"),
    "fig_pa": ("power advantage of government PA by stage", "各阶段政府权力优势 PA"),
    "fig_mdmin": ("mutual dependence MDmin by stage", "各阶段相互依赖 MDmin"),
    "fig_dep": ("stage-wise dependence (last half of the run)", "分阶段依赖（后半段）"),
    "fig_states": ("share of dyads in each stage state", "各阶段状态的二元组占比"),
    "fig_fan": ("power advantage PA across the year's dyads", "当年各二元组的权力优势 PA"),
    "median": ("median", "中位数"),
    "d_ag_line": ("D agency→government", "D 机构→政府"),
    "d_ga_line": ("D government→agency", "D 政府→机构"),
    "cap_outcomes": (
        "Yearly outcomes: residents' welfare and tasks, the agencies, purchase problems, and "
        "the shares of relationship labels.",
        "年度结果：居民福利与任务完成、社工机构、购买中的问题，以及各关系类型的占比。",
    ),
    "cap_stage_pa": (
        "Mean power advantage PA (left; above 0 the government side holds the advantage) and "
        "mean mutual dependence MDmin (right) per stage and year.",
        "各阶段各年的平均权力优势 PA（左；大于 0 表示政府一方占优）与平均相互依赖 MDmin（右）。",
    ),
    "cap_stage_dependence": (
        "Mean dependence of the agency on the government (D_ag) and of the government on "
        "the agency (D_ga) in each stage, over the last half of the years.",
        "后半段年份中，各阶段机构对政府的依赖（D_ag）与政府对机构的依赖（D_ga）的均值。",
    ),
    "cap_stage_states": (
        "Share of dyads in each stage state, per stage and year.",
        "各阶段各年处于每种阶段状态的二元组占比。",
    ),
    "summary_one": ("means over the last half of the years", "后半段年份的均值"),
    "summary_many": (
        "{n} seeds ({first}-{last}, {workers} workers); mean over seeds [5%, 95%] of each "
        "seed's mean over the last half",
        "{n} 个种子（{first}-{last}，{workers} 个进程）；各种子后半段均值在种子间的均值 [5%, 95%]",
    ),
    "wrote": ("wrote {path}", "已写入 {path}"),
    "no_cjk_font": (
        "no font with Chinese characters found: the PNG figures use English labels; the SVG "
        "figures and report.html keep Chinese as text. Install a CJK font (Debian/Ubuntu "
        "`sudo apt install fonts-noto-cjk`; Windows: Microsoft YaHei) and run again.",
        "未找到含中文字形的字体：PNG 图使用英文标签，SVG 图与 report.html 保留中文文字。"
        "请安装中文字体（Debian/Ubuntu：`sudo apt install fonts-noto-cjk`；Windows：微软雅黑）"
        "后重新运行。",
    ),
    # comparison of scenarios
    "compare_title": ("Scenarios side by side", "情景对比"),
    "compare_text": (
        "Each scenario's full outputs and report are in its subfolder. Values are means over "
        "the last half of the years ({first}–{last}){seeds}; the difference is the second "
        "scenario minus the first{band}.",
        "各情景的完整输出与报告见其子文件夹。数值为后半段年份（第 {first}–{last} 年）的均值"
        "{seeds}；差值为第二个情景减去第一个情景{band}。",
    ),
    "compare_seeds": (
        " and, with several seeds, the mean over seeds with the 5–95% band across seeds in "
        "brackets",
        "；多个种子时为各种子的均值，方括号内为种子间 5%–95% 区间",
    ),
    "compare_band": (
        " (its band: 5–95% over seeds of the per-seed difference, seeds paired)",
        "（区间：按种子配对的差值在种子间的 5%–95%）",
    ),
    "difference": ("difference", "差值"),
    "report_of": ("report", "报告"),
    "fig_compare": ("key outcomes per stage, by scenario", "各情景分阶段主要结果"),
    "cap_compare": (
        "Mean PA and the shares of government-dominant and agency-dominant dyads per stage, "
        "and the label shares, for each scenario (bars: 5–95% over seeds when there are "
        "several).",
        "各情景分阶段的平均 PA、政府主导与机构主导二元组占比，以及关系类型占比（误差线：多个"
        "种子时为种子间 5%–95%）。",
    ),
    "per_stage": ("per stage", "分阶段"),
    "overall": ("overall", "总体"),
}


def ui(key: str, lang: str, **fields: object) -> str:
    """A heading or sentence of the report in ``lang``, with ``fields`` filled in."""
    text = _pick(_UI[key], lang)
    return text.format(**fields) if fields else text


_STAGES: dict[str, tuple[str, str]] = {
    "contracting": ("contracting", "立项"),
    "implementation": ("implementation", "执行"),
    "closing": ("closing", "结项"),
}
_STATES: dict[str, tuple[str, str]] = {
    "interdependent": ("interdependent", "相互依赖"),
    "government_dominant": ("government dominant", "政府主导"),
    "agency_dominant": ("agency dominant", "机构主导"),
    "weak": ("weak", "弱依赖"),
}
_LABELS: dict[str, tuple[str, str]] = {
    "partnership": ("partnership", "伙伴关系"),
    "buddy": ("buddy", "伙计关系"),
    "transactional": ("transactional", "交易关系"),
    "undetermined": ("undetermined", "待定"),
}


def stage_name(stage: str, lang: str) -> str:
    """A stage's name (the vocabulary's Chinese form in ``zh``)."""
    return _pick(_STAGES[stage], lang)


def state_name(state: str, lang: str) -> str:
    """A stage state's name."""
    return _pick(_STATES[state], lang)


def label_name(label: str, lang: str) -> str:
    """A relationship label's name."""
    return _pick(_LABELS[label], lang)


#: The scale presets' readable names; the preset's own name (``--scale``) stays beside.
_SCALES: dict[str, tuple[str, str]] = {
    "case": ("case", "个案"),
    "shanghai": ("shanghai", "上海"),
    "china": ("china", "全国"),
}


def scale_name(scale: str, lang: str) -> str:
    """A scale preset's name: ``全国（china）`` in Chinese; the name itself in English.

    Examples
    --------
    >>> scale_name("china", "zh"), scale_name("china", "en"), scale_name("custom", "zh")
    ('全国（china）', 'china', 'custom')
    """
    if lang != "zh" or scale not in _SCALES:
        return scale
    return f"{_SCALES[scale][1]}（{scale}）"


#: Outcomes that are not per stage: column → (English, Chinese) name.
_OUTCOMES: dict[str, tuple[str, str]] = {
    "year": ("year", "年份"),
    "n_seeds": ("seeds", "种子数"),
    "n_dyads": ("active dyads", "活跃二元组数"),
    "welfare": ("beneficiary welfare", "受益人福利"),
    "welfare_ratio": ("welfare ratio", "福利比"),
    "task_completion": ("task completion", "任务完成度"),
    "budget_index": ("budget index", "预算指数"),
    "survival": ("agency survival", "机构存活率"),
    "staff": ("staff (relative to the start)", "社工人数（相对初始）"),
    "hhi": ("revenue concentration (HHI)", "收入集中度（HHI）"),
    "relational_share": ("relational purchase share", "关系型购买占比"),
    "formalization": ("formalisation", "行政化程度"),
    "autonomy": ("autonomy", "自主性"),
    "theta_mean": ("mean philosophy θ of streets", "街道治理理念 θ 均值"),
    "gp_mean": ("mean coded philosophy GP", "编码治理理念 GP 均值"),
    "ia_mean": ("mean interest alignment IA", "利益一致度 IA 均值"),
    "share_partnership": ("partnership share", "伙伴关系占比"),
    "share_buddy": ("buddy share", "伙计关系占比"),
    "share_transactional": ("transactional share", "交易关系占比"),
    "share_undetermined": ("undetermined share", "待定占比"),
}
#: Per-stage outcome prefixes: prefix → (English, Chinese) template with ``{stage}``.
_PER_STAGE: dict[str, tuple[str, str]] = {
    "pa": ("PA at {stage}", "{stage}阶段 PA"),
    "md_min": ("MDmin at {stage}", "{stage}阶段 MDmin"),
    "d_ag": ("D agency→government at {stage}", "{stage}阶段 D 机构→政府"),
    "d_ga": ("D government→agency at {stage}", "{stage}阶段 D 政府→机构"),
}
_QUANTILE = ("{q}% quantile of PA at {stage}", "{stage}阶段 PA 的 {q}% 分位数")
_STATE_SHARE = ("{state} share at {stage}", "{stage}阶段{state}占比")


def outcome_name(col: str, lang: str) -> str:
    """A readable name of an outcome column (``pa_closing`` → "PA at closing").

    Columns it does not know keep their raw name.
    """
    if col in _OUTCOMES:
        return _pick(_OUTCOMES[col], lang)
    for stage in _STAGES:
        st = stage_name(stage, lang)
        for prefix, pair in _PER_STAGE.items():
            if col == f"{prefix}_{stage}":
                return _pick(pair, lang).format(stage=st)
            if col.startswith(f"pa_{stage}_q") and col[-2:].isdigit():
                return _pick(_QUANTILE, lang).format(stage=st, q=int(col[-2:]))
        for state in _STATES:
            if col == f"share_{state}_{stage}":
                return _pick(_STATE_SHARE, lang).format(stage=st, state=state_name(state, lang))
    return col


#: Run statistics: key → (English, Chinese).
STAT_NAMES: dict[str, tuple[str, str]] = {
    "loss_share_survival": (
        "loss-making share of awards, survival mode",
        "生存模式机构所获项目中亏损项目占比",
    ),
    "loss_share_development": (
        "loss-making share of awards, development mode",
        "发展模式机构所获项目中亏损项目占比",
    ),
    "staff_growth_survival": ("yearly staff growth, survival mode", "生存模式机构年均人员增长"),
    "staff_growth_development": (
        "yearly staff growth, development mode",
        "发展模式机构年均人员增长",
    ),
    "task_volatility": ("volatility of task completion (CV)", "任务完成度波动（变异系数）"),
    "budget_volatility": ("volatility of budgets (CV)", "预算波动（变异系数）"),
    "smoothing_ratio": (
        "smoothing ratio (task CV / budget CV)",
        "平滑比（任务变异系数 / 预算变异系数）",
    ),
}


def stat_name(key: str, lang: str) -> str:
    """A readable name of a run statistic (its raw name when unknown)."""
    return _pick(STAT_NAMES[key], lang) if key in STAT_NAMES else key


#: Definitions shown in the report: (term in English, term in Chinese, English, Chinese).
DEFINITIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "dyad",
        "二元组",
        "An agency and a street office with at least one contract between them in the year. "
        "Outcomes per stage are means over the year's dyads.",
        "当年至少有一份合同的一个社工机构与一个街道办事处。分阶段结果为当年各二元组的均值。",
    ),
    (
        "stages",
        "阶段",
        "Each year is one project cycle: contracting (bidding and award), implementation "
        "(delivery of the running project) and closing (evaluation and renewal).",
        "每年为一个项目周期：立项（投标与中标）、执行（项目实施）、结项（评估与续约）。",
    ),
    (
        "D_ag, D_ga (dependence)",
        "D_ag、D_ga（依赖程度）",
        "Dependence of the agency on the government side (D_ag) and of the government side "
        "on the agency (D_ga) in a stage, between 0 and 1. For each resource it is "
        "importance^⅓ × (1 − alternatives)^⅓ × discretion^⅓ of the provider; resources are "
        "combined as 1 − Π(1 − d). Importance, alternatives and discretion are computed from "
        "the dyad's state and the institutional rules (ODD 7.7).",
        "某阶段机构对政府一方的依赖（D_ag）与政府一方对机构的依赖（D_ga），取值 0 到 1。"
        "每种资源的依赖为 重要性^⅓ ×（1 − 可替代性）^⅓ × 提供方支配权^⅓；多种资源合并为 "
        "1 − Π(1 − d)。重要性、可替代性与支配权由二元组状态与制度规则计算（ODD 7.7）。",
    ),
    (
        "PA (power advantage)",
        "PA（权力优势）",
        "D_ag − D_ga: above 0 the government side holds the power advantage, below 0 the "
        "agency does.",
        "D_ag − D_ga：大于 0 表示政府一方占有权力优势，小于 0 表示机构占优。",
    ),
    (
        "MDmin (mutual dependence)",
        "MDmin（相互依赖）",
        "min(D_ag, D_ga): how far each side depends on the other at least.",
        "min(D_ag, D_ga)：双方彼此依赖的最低程度。",
    ),
    (
        "stage states",
        "阶段状态",
        "Each dyad at each stage is interdependent (MDmin ≥ θ_D and |PA| ≤ θ_PI), else "
        "government dominant (PA ≥ θ_PI and D_ag ≥ θ_D), else agency dominant "
        "(PA ≤ −θ_PI and D_ga ≥ θ_D), else weak; θ_D and θ_PI are the parameters theta_d "
        "and theta_pi.",
        "每个二元组在每个阶段依次判定：相互依赖（MDmin ≥ θ_D 且 |PA| ≤ θ_PI），否则政府主导"
        "（PA ≥ θ_PI 且 D_ag ≥ θ_D），否则机构主导（PA ≤ −θ_PI 且 D_ga ≥ θ_D），否则弱依赖；"
        "θ_D 与 θ_PI 为参数 theta_d 与 theta_pi。",
    ),
    (
        "partnership, buddy and transactional shares",
        "伙伴、伙计与交易关系占比",
        "Shares of the year's dyads with each relationship label. Labels come from fuzzy "
        "memberships: partnership needs resource interdependence, a co-governance "
        "philosophy GP (coded from behaviour: administrative push onto agency staff, "
        "interference in delivery, consultation at contracting) and aligned interests IA; "
        "buddy needs the agency's dependence with an official-centred philosophy or diverging "
        "interests; a dyad with neither is transactional.",
        "当年各关系类型的二元组占比。关系类型由模糊隶属度判定：伙伴关系需要资源相互依赖、共治"
        "理念 GP（依据行为编码：向机构人员摊派行政任务、干预服务、立项时协商）与利益一致 IA；"
        "伙计关系需要机构依赖加上官本位理念或利益分歧；两者皆不满足为交易关系。",
    ),
    (
        "GP, IA, θ",
        "GP、IA、θ",
        "θ is a street's governance philosophy as a state of the model (0 official-centred, "
        "1 co-governance); GP is that philosophy as a researcher would code it from behaviour; "
        "IA is the cosine similarity of the street's and the agency's goal weights, each "
        "derived from their state (need, mandate pressure, evaluation, mission, cash).",
        "θ 为街道治理理念这一模型状态（0 官本位，1 共治）；GP 为研究者依据行为对该理念的编码；"
        "IA 为街道与机构目标权重的余弦相似度，目标权重由各自状态（需求、任务压力、评估方式、"
        "使命、现金）导出。",
    ),
    (
        "beneficiary welfare",
        "受益人福利",
        "Need-weighted service quality: the sum over funded projects of the residents' need "
        "times the quality delivered, divided by the total need of all committees.",
        "按需求加权的服务质量：各获资助项目的居民需求乘以所提供服务质量之和，除以全部居委会的"
        "需求总和。",
    ),
    (
        "welfare ratio",
        "福利比",
        "Welfare divided by the welfare the same agencies and staffing would reach with all "
        "their effort on professional service (no administrative tasks). It falls as "
        "formalisation rises.",
        "福利除以同样的机构与人员把全部精力用于专业服务（没有行政任务）时可达到的福利。行政化"
        "程度越高，福利比越低。",
    ),
    (
        "task completion",
        "任务完成度",
        "Staffed project work delivered, per neighbourhood committee.",
        "每个居委会平均获得的有人员保障的项目工作量。",
    ),
    (
        "budget index",
        "预算指数",
        "The year's total street budget divided by its long-run mean (budget shocks).",
        "当年街道预算总额除以其长期均值（反映预算冲击）。",
    ),
    (
        "agency survival",
        "机构存活率",
        "Share of agency slots with a living agency.",
        "有存续机构的席位占比。",
    ),
    (
        "staff",
        "社工人数",
        "Social workers of all agencies relative to the first year.",
        "全部机构社工人数相对于第一年的比值。",
    ),
    (
        "HHI (revenue concentration)",
        "HHI（收入集中度）",
        "Herfindahl–Hirschman index of an agency's revenue shares over the streets it works "
        "for and its non-government income, averaged over agencies with revenue: 1 means one "
        "source only.",
        "机构收入在各街道与非政府收入之间份额的赫芬达尔–赫希曼指数，在有收入的机构间取平均："
        "1 表示只有一个收入来源。",
    ),
    (
        "relational purchase share",
        "关系型购买占比",
        "Share of running contracts bought relationally (the street chooses) rather than "
        "competitively (a panel chooses).",
        "以关系方式（街道决定）而非竞争方式（评审决定）购买的在执行合同占比。",
    ),
    (
        "formalisation",
        "行政化程度",
        "Administrative share of the agencies' effort: work pushed onto agency staff instead "
        "of professional service.",
        "机构精力中用于行政事务的比例：被摊派给机构人员而非用于专业服务的工作。",
    ),
    (
        "autonomy",
        "自主性",
        "Mean over busy agencies of (1 − formalisation) × (1 − mean D_ag over stages and "
        "dyads): professional effort and independence from the government side together.",
        "在有项目的机构间取平均：（1 − 行政化程度）×（1 − 各阶段与各二元组 D_ag 的均值），"
        "同时反映专业投入与对政府一方的独立性。",
    ),
    (
        "PA quantiles",
        "PA 分位数",
        "The 5, 25, 50, 75 and 95% quantiles of PA across the year's dyads, per stage: the "
        "spread behind the mean.",
        "每个阶段当年各二元组 PA 的 5%、25%、50%、75% 与 95% 分位数：均值背后的离散程度。",
    ),
    (
        "seed bands",
        "种子区间",
        "With several seeds (--seeds N), the same run is repeated with seeds S, S+1, …; a "
        "band is the 5% to 95% quantile of a value across those seeds, shown shaded in the "
        "figures and in brackets in the tables. It shows the model's randomness, not "
        "uncertainty about its parameters.",
        "多个种子（--seeds N）时以种子 S、S+1、… 重复同一运行；区间为该值在各种子间的 5% 到 "
        "95% 分位数，图中以阴影、表中以方括号表示。它反映模型的随机性，而非参数的不确定性。",
    ),
    (
        "run statistics",
        "运行统计量",
        "Over the whole run: the loss-making share of awards and the yearly staff growth of "
        "agencies in survival mode (reserves below the threshold) and in development mode; "
        "the per-street coefficient of variation of task completion and of budgets, and "
        "their ratio (below 1: agencies smooth budget shocks).",
        "全程统计：生存模式（储备低于阈值）与发展模式机构所获项目中亏损项目的占比及年均人员"
        "增长；各街道任务完成度与预算的变异系数及其比值（小于 1 表示机构平滑了预算冲击）。",
    ),
)


def definition(term: tuple[str, str, str, str], lang: str) -> tuple[str, str]:
    """A definition's term and text in ``lang``."""
    en_term, zh_term, en_text, zh_text = term
    return (en_term, en_text) if lang == "en" else (zh_term, zh_text)


#: Readable parameter names: raw name → (English, Chinese).
PARAM_NAMES: dict[str, tuple[str, str]] = {
    "theta_street": ("street offices' philosophy (mean)", "街道治理理念（均值）"),
    "theta_district": ("district bureaus' philosophy (mean)", "区民政局治理理念（均值）"),
    "theta_sd": ("spread of philosophies", "治理理念离散度"),
    "street_spread": ("spread across streets", "街道间差异"),
    "w_quality": ("evaluation weight on quality", "评估中质量的权重"),
    "policy_push": ("policy push from above", "上级政策导向"),
    "philosophy_adapt": ("rate of philosophy change", "治理理念调整速度"),
    "turnover": ("turnover of officials", "官员更替率"),
    "evaluator": ("who evaluates at closing", "结项评估方"),
    "switch_rule": ("changing provider mid-project", "执行中更换服务方规则"),
    "switch_cost": ("cost of changing provider", "更换服务方成本"),
    "payment_after_evaluation": ("share paid after evaluation", "评估后支付比例"),
    "rater": ("who rates agencies", "机构评级方"),
    "legitimacy_bodies": ("bodies conferring legitimacy", "可授予合法性的机构数"),
    "rating_rule_bound": ("rule-boundness of rating", "评级的规则约束程度"),
    "panel_street_weight": ("street's weight on the award panel", "街道在评审中的权重"),
    "staff_slack": ("market thickness (staff slack)", "市场厚度（人员富余）"),
    "p_competitive": ("probability of competitive purchase", "竞争性购买概率"),
    "contract_years": ("contract length (years)", "合同期限（年）"),
    "candidates": ("candidate agencies per project", "每个项目的候选机构数"),
    "w_history": ("weight of history in relational awards", "关系型授标中合作历史的权重"),
    "w_capacity": ("weight of capacity in competitive awards", "竞争性授标中专业能力的权重"),
    "budget_coverage": ("budget coverage", "预算覆盖率"),
    "sigma_budget": ("budget volatility", "预算波动"),
    "mandate_level": ("mandate level", "上级任务水平"),
    "sigma_mandate": ("mandate volatility", "上级任务波动"),
    "price_floor": ("lowest relational price factor", "关系型项目最低价格系数"),
    "price_cap": ("highest relational price factor", "关系型项目最高价格系数"),
    "market_growth": ("yearly market growth", "市场年增长率"),
    "cost_mean": ("mean project cost ratio", "项目平均成本比"),
    "cost_sd": ("spread of project cost ratios", "项目成本比离散度"),
    "push_base": ("base administrative push", "基础行政摊派"),
    "gamma_eval": ("extra compliance effort", "额外合规投入"),
    "resist": ("agencies' resistance to the push", "机构对摊派的抵制"),
    "learning": ("capacity learning rate", "能力学习速度"),
    "quality_standard": ("quality standard of evaluation", "评估质量标准"),
    "renew_slope": ("renewal slope in the score", "续约概率对评分的斜率"),
    "renew_mid": ("score of even renewal odds", "续约概率为一半时的评分"),
    "history_memory": ("memory of cooperation history", "合作历史的记忆"),
    "renew_history": ("weight of history in renewal", "续约中合作历史的权重"),
    "nongov_share": ("non-government funding pools", "非政府资金池规模"),
    "mission_mean": ("agencies' mission orientation (mean)", "机构使命导向（均值）"),
    "relational_value": ("value of a relationship", "关系的价值"),
    "discount": ("discount factor", "贴现因子"),
    "opportunity_cost": ("opportunity cost of a loss-making project", "亏损项目的机会成本"),
    "reserve_threshold": ("survival-mode reserve threshold", "生存模式储备阈值"),
    "reserve_target": ("reserve target (years of wages)", "储备目标（年工资额）"),
    "hire_rate": ("hiring rate", "招聘速度"),
    "fire_rate": ("firing rate", "裁员比例"),
    "exit_years": ("loss years before exit", "退出前连续亏损年数"),
    "entry_rate": ("market entry rate", "市场进入率"),
    "coding_noise": ("coding error of GP", "GP 编码误差"),
    "professional_need": ("professional share of mandated work", "需专业服务的任务比例"),
    "theta_d": ("dependence threshold θ_D", "依赖阈值 θ_D"),
    "theta_pi": ("power imbalance threshold θ_PI", "权力不平衡阈值 θ_PI"),
    "n_districts": ("number of districts", "区的数量"),
    "n_streets": ("number of street offices", "街道数量"),
    "n_committees": ("number of neighbourhood committees", "居委会数量"),
    "n_agencies": ("number of agency slots", "社工机构席位数"),
    "max_memory_gb": ("memory limit (GB)", "内存上限（GB）"),
}


def param_name(name: str, lang: str) -> str:
    """A readable parameter name (the raw name when there is none)."""
    return _pick(PARAM_NAMES[name], lang) if name in PARAM_NAMES else name


#: Values of the categorical parameters: value → (English, Chinese).
_VALUES: dict[str, tuple[str, str]] = {
    "street": ("the street office", "街道办事处"),
    "bureau": ("the district bureau", "区民政局"),
    "third_party": ("an independent third party", "独立第三方"),
    "forbidden": ("forbidden", "不允许"),
    "allowed": ("allowed", "允许"),
}


def param_value(value: object, lang: str) -> str:
    """A parameter value as shown: categorical values in words, the raw value after it.

    Examples
    --------
    >>> param_value("third_party", "zh"), param_value(0.25, "en")
    ('独立第三方 (third_party)', '0.25')
    """
    if isinstance(value, str) and value in _VALUES:
        return f"{_pick(_VALUES[value], lang)} ({value})"
    return str(value)
