"""Synthetic demand and supply lists for the matching benchmark and evaluation."""

from __future__ import annotations

import random
from datetime import date, timedelta

from chainatlas.matching.elements import Element

KINDS = {
    "土地": [("亩", 1.0), ("公顷", 15.0)],
    "资金": [("万元", 1.0), ("亿元", 1e4)],
    "能耗": [("吨标煤", 1.0), ("万吨标煤", 1e4)],
    "人才": [("人", 1.0)],
    "技术": [("项", 1.0)],
}
WORDS = {
    "土地": ["工业用地", "厂房用地", "仓储用地", "标准地", "研发楼宇"],
    "资金": ["设备贷款", "产业基金", "技改资金", "研发投入", "流动资金"],
    "能耗": ["能耗指标", "用能额度", "新增能耗", "节能量", "用电指标"],
    "人才": ["算法工程师", "工艺工程师", "技术工人", "产业教授", "科技副总"],
    "技术": ["电池热管理", "精密加工", "视觉检测", "材料配方", "工业软件"],
}
LOCAL = ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]
CHAINS = [
    "1366:icv",
    "1366:storage",
    "1366:bio",
    "1366:robot",
    "1366:semi",
    "1366:ai",
    "1366:textile",
    "1366:alloy",
]


def _window(rng: random.Random) -> tuple[date, date]:
    start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
    return start, start + timedelta(days=rng.randrange(30, 400))


def lists(n_d: int, n_s: int, seed: int = 0) -> tuple[list[Element], list[Element]]:
    """Random lists of the shapes officers fill in (mixed units, regions, chains, dates)."""
    rng = random.Random(seed)
    ds, ss = [], []
    for i in range(n_d):
        kind = rng.choice(list(KINDS))
        unit, f = rng.choice(KINDS[kind])
        a, b = _window(rng)
        ds.append(
            Element(
                f"d{i}",
                "demand",
                kind,
                f"{rng.choice(WORDS[kind])}{rng.randrange(100)}",
                round(rng.uniform(1, 100) / f, 3),
                unit,
                rng.choice(LOCAL),
                rng.choice(CHAINS) if rng.random() < 0.5 else None,
                None,
                a,
                b,
                rng.random() < 0.1,
            )
        )
    for j in range(n_s):
        kind = rng.choice(list(KINDS))
        unit, f = rng.choice(KINDS[kind])
        a, b = _window(rng)
        ss.append(
            Element(
                f"s{j}",
                "supply",
                kind,
                f"{rng.choice(WORDS[kind])}{rng.randrange(100)}",
                round(rng.uniform(20, 300) / f, 3),
                unit,
                rng.choice(LOCAL + ["湖州市"]),
                rng.choice(CHAINS) if rng.random() < 0.3 else None,
                None,
                a,
                b,
                capacity=rng.choice([1, 1, 2, 3]),
            )
        )
    return ds, ss
