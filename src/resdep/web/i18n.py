"""The workbench's interface strings in English and Chinese.

Vocabulary labels (stages, resources, ...) come from :mod:`resdep.vocab`; these are the
words of the interface itself.

Examples
--------
>>> strings("zh")["save"], strings("en")["save"]
('保存', 'Save')
>>> sorted(k for k, (en, zh) in STRINGS.items() if not en or not zh)
[]
"""

from __future__ import annotations

__all__ = ["STRINGS", "strings"]

#: key: (English, Chinese)
STRINGS: dict[str, tuple[str, str]] = {
    "workbench": ("resdep workbench", "resdep 编码工作台"),
    "coder": ("Coder", "编码者"),
    "main_coder": ("main (codings.csv)", "主编码（codings.csv）"),
    "switch": ("Switch", "切换"),
    "sources": ("Sources", "来源"),
    "add_source": ("Add a source (.txt, .md, .docx)", "加入来源（.txt、.md、.docx）"),
    "upload": ("Add", "加入"),
    "informant": ("Informant", "受访者"),
    "none": ("none", "无"),
    "source_kind": ("Kind", "类型"),
    "transcript": ("Transcript", "文本"),
    "choose_source": ("Choose a source on the left.", "请在左侧选择一个来源。"),
    "codings_here": ("Codings in this source", "本来源中的编码"),
    "coding": ("Coding", "编码"),
    "selection": ("Selection", "所选文本"),
    "select_text": (
        "Select text in the transcript (or click a coded segment to edit it).",
        "在文本中选择一段（或点击已编码片段进行修改）。",
    ),
    "kind": ("Kind", "编码类型"),
    "stage": ("Stage", "阶段"),
    "dependent": ("Dependent", "依赖方"),
    "provider": ("Provider", "提供方"),
    "resource": ("Resource", "资源"),
    "dimension": ("Dimension", "维度"),
    "intensity": ("Intensity", "强度"),
    "evidence": ("Evidence", "证据类型"),
    "actor": ("Actor", "行动者"),
    "value": ("Value", "取值"),
    "note": ("Memo", "备忘"),
    "default": ("(default of the source)", "（按来源默认）"),
    "save": ("Save", "保存"),
    "delete": ("Delete", "删除"),
    "cancel": ("Cancel", "取消"),
    "swap": ("swap dependent/provider", "交换依赖方/提供方"),
    "shortcuts": (
        "Keys: a letter cycles its field (Shift: backwards), 0–3 intensity, x swaps, n memo, Enter saves, Esc cancels, Delete deletes.",
        "快捷键：字母键循环切换对应字段（Shift 反向），0–3 强度，x 交换，n 备忘，Enter 保存，Esc 取消，Delete 删除。",
    ),
    "codebook": ("Codebook", "编码手册"),
    "results": ("Result of the current codings", "当前编码的分析结果"),
    "networks": ("Dependence networks by stage", "各阶段依赖网络"),
    "trajectory": (
        "Power advantage PA across stages (5–95% range)",
        "各阶段权力优势 PA（5–95% 区间）",
    ),
    "relationships": ("Relationship types", "关系类型"),
    "stages_table": ("Stages", "阶段状态"),
    "diagnostics": ("Diagnostics", "诊断"),
    "quotes": ("Quotes behind the selection", "所选结果背后的引文"),
    "click_number": (
        "Click an edge, a number or a label to list the quotes behind it; click a quote to open it.",
        "点击连线、数字或标签以列出其背后的引文；点击引文可在文本中打开。",
    ),
    "settled": ("settled", "已确定"),
    "unsettled": ("unsettled", "未确定"),
    "history": ("History (previous versions)", "历史版本"),
    "restore": ("Restore", "恢复"),
    "rows": ("rows", "行"),
    "agreement": ("Agreement between coders", "编码者间一致性"),
    "one_coder": (
        "Only one coder has codings. A second coder starts with Coder → a name.",
        "目前只有一位编码者。第二位编码者请在“编码者”处输入姓名。",
    ),
    "disagreements": ("Disagreeing segments", "不一致的片段"),
    "saved": ("Saved.", "已保存。"),
    "deleted": ("Deleted.", "已删除。"),
    "restored": ("Restored.", "已恢复。"),
    "analysing": ("Analysing…", "分析中…"),
    "analysed": ("Analysed in", "分析用时"),
    "conflict": ("Not saved:", "未保存："),
    "reload": ("Reload", "重新加载"),
    "no_codings": (
        "No codings yet: code a segment to see the networks.",
        "尚无编码：编码一个片段即可看到网络。",
    ),
    "problem": ("The case folder has a problem", "案例文件夹有问题"),
    "draws": ("draws", "次抽样"),
    "language": ("Language", "语言"),
    "what_moves": ("What moves it?", "哪些编码影响它？"),
    "nothing_moves": (
        "No single coding moves P(label) by 0.01 or more.",
        "没有哪一条编码能使 P(标签) 变化 0.01 或以上。",
    ),
    "without_it": ("without it", "（去掉该编码）"),
    "people": ("Organisations and informants (case.toml)", "组织与受访者（case.toml）"),
    "actors": ("Organisations (actors)", "组织（行动者）"),
    "informants": ("Informants", "受访者"),
    "add_entry": ("Add an organisation or informant", "加入组织或受访者"),
    "edit_entry": ("Edit", "修改"),
    "entry_table": ("Add", "类别"),
    "actor_entry": ("organisation (actor)", "组织（行动者）"),
    "informant_entry": ("informant", "受访者"),
    "actor_kind": ("Kind", "类型"),
    "name_en": ("Name", "名称"),
    "name_zh": ("Chinese name", "中文名称"),
    "organisation": ("Organisation", "所属组织"),
    "role": ("Role", "职务"),
    "case_history": ("Previous versions of case.toml", "case.toml 的历史版本"),
}


def strings(lang: str) -> dict[str, str]:
    """The interface strings of a language (``zh`` or ``en``)."""
    i = 1 if lang == "zh" else 0
    return {k: v[i] for k, v in STRINGS.items()}
