#!/usr/bin/env python3
"""Benchmark: how long an interactive view takes to become usable in headless Chromium.

For graphs of N nodes (and N edges), measures the time from navigation until the first drawing
and until physics has stabilised and switched off. Baseline in the same run: the same graph with
vis-network's default options (physics on, no stabilisation cap, improvedLayout on), i.e. what a
plain pyvis page does. Usage: python -m bench.view_render [--sizes 500,2000,6000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from chainatlas.graph.model import Node, Relationship
from chainatlas.graph.store.contract import Subgraph
from chainatlas.viz import html as vhtml
from chainatlas.viz.views import subgraph_page

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _page(n: int, baseline: bool) -> str:
    nodes = {f"n{i}": Node(f"n{i}", "Segment", {"name": f"环节{i}"}) for i in range(n)}
    rels = [Relationship(f"n{i}", "UPSTREAM_OF", f"n{(i * 7 + 1) % n}") for i in range(n)]
    page = subgraph_page(f"{n}", Subgraph(nodes, rels))
    text = vhtml.render_page(page)
    if baseline:  # vis-network defaults: replace our options with {}
        start = text.index("new vis.Network(container, {nodes: nodes, edges: edges}, ")
        end = text.index(");", start)
        text = (
            text[:start]
            + "new vis.Network(container, {nodes: nodes, edges: edges}, {}"
            + text[end:]
        )
        text = text.replace(
            "network.setOptions({physics: {enabled: false}});",
            "network.setOptions({physics: {enabled: false}}); window.__stable = 1;",
        )
    return text


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="500,2000,6000")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    from bench.summary import report

    print("# View render benchmark (headless Chromium, vis-network inlined)\n")
    print("| nodes | edges | page | first drawing s | stable (physics off) s | × baseline |")
    print("|---:|---:|---|---:|---:|---:|")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for n in sizes:
            res = {}
            for name, base in (("vis defaults", True), ("chainatlas", False)):
                path = Path(tmp) / f"{n}-{base}.html"
                path.write_text(_page(n, base), encoding="utf-8")
                page = b.new_page(viewport={"width": 1400, "height": 900})
                t = time.perf_counter()
                page.goto(path.as_uri(), timeout=args.timeout * 1000)
                try:
                    page.wait_for_function(
                        "document.body.dataset.ready === '1'", timeout=args.timeout * 1000
                    )
                    first = time.perf_counter() - t
                except Exception:
                    first = float("inf")
                try:
                    page.wait_for_function(
                        "() => window.chainatlasView.network.physics.physicsEnabled === false",
                        timeout=args.timeout * 1000,
                    )
                    stable = time.perf_counter() - t
                except Exception:
                    stable = float("inf")
                page.close()
                res[name] = (first, stable)
            for name, (first, stable) in res.items():
                base = res["vis defaults"][1]
                ratio = (
                    "—"
                    if stable == float("inf")
                    else (
                        f"> {args.timeout / stable:.0f}"
                        if base == float("inf")
                        else f"{base / stable:.1f}"
                    )
                )
                shown = [
                    f"> {args.timeout:.0f}" if x == float("inf") else f"{x:.2f}"
                    for x in (first, stable)
                ]
                print(f"| {n:,} | {n:,} | {name} | {shown[0]} | {shown[1]} | {ratio} |")
                if name != "vis defaults":
                    base_shown = f"> {args.timeout:.0f}" if base == float("inf") else f"{base:.2f}"
                    report(
                        "interactive view usable (headless Chromium)",
                        f"{n:,} nodes + {n:,} edges",
                        f"{shown[1]} s",
                        f"vis defaults {base_shown} s",
                        ratio,
                    )
        b.close()


if __name__ == "__main__":
    main()
