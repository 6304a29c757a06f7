#!/usr/bin/env python3
"""Benchmark: large graph views — build time in Python and time to interactive in headless
Chromium, with the vis-network page of the same graph as the same-run baseline.

For each size: a synthetic graph of the real data's shape (firms on product segments of
power-law popularity, segments upstream of segments and under parent segments, firms in
industries: ~1.8 relationships per node like the ckg graph), and, with ``--ckg``, the
neighbourhood of the ckg graph's best-connected segment capped at the same size (an embedded
store built from ``../shared/data/ckg`` in a temporary folder).

Printed per page: Python seconds to walk the store (the ckg neighbourhood; 0 for the synthetic
graphs, made in memory) and to build the HTML text from it, seconds from navigation to
``data-ready="1"``, the longest main-thread task (``PerformanceObserver('longtask')``, from the
navigation to two seconds after ready), and, for sigma, while zooming in with the mouse wheel,
dragging and zooming out as a user would: the worst frame (one ``requestAnimationFrame`` to the
next) and the longest task.
The baseline is :func:`chainatlas.viz.html.render_page` (vis-network) for the sizes it can
handle (``--vis-max``).

Usage: python -m bench.big_view [--sizes 1000,6000,25000] [--vis-max 6000]
[--ckg DIR | --store graph.db]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from chainatlas.graph.model import Node, Relationship
from chainatlas.viz.neighbourhood import Neighbourhood

ARGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking"]

#: installed before any page script runs: records the long tasks
LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__longtasks.push(e.duration); });
}).observe({type: "longtask", buffered: true});
"""

#: records the interval between animation frames until ``window.__stop`` is set
FRAMES = """
() => {
  window.__frames = []; window.__stop = false;
  let last = performance.now();
  const tick = (t) => {
    window.__frames.push(t - last); last = t;
    if (!window.__stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def _interact(page: object) -> dict[str, float]:
    """Zoom in with the wheel, pan by dragging, zoom out: as a user would. Returns the worst
    frame interval and the longest task during it (seconds)."""
    p: Any = page
    p.evaluate("window.__longtasks = []")
    p.evaluate(FRAMES)
    p.mouse.move(720, 500)
    for _ in range(6):
        p.mouse.wheel(0, -240)
        p.wait_for_timeout(120)
    p.mouse.down()
    for k in range(15):
        p.mouse.move(720 - 20 * k, 500 - 8 * k)
        p.wait_for_timeout(30)
    p.mouse.up()
    for _ in range(6):
        p.mouse.wheel(0, 240)
        p.wait_for_timeout(120)
    p.wait_for_timeout(1500)
    frames = p.evaluate("window.__stop = true, window.__frames.slice(1)")
    tasks = p.evaluate("window.__longtasks")
    return {"frame": max(frames, default=0.0) / 1000, "move_task": max(tasks, default=0.0) / 1000}


def synthetic(n: int, seed: int = 7) -> Neighbourhood:
    """A graph of ``n`` nodes shaped like the ckg data: 30 % segments, 2 % industries, the
    rest firms; ~1.8 relationships per node."""
    rnd = random.Random(seed)
    n_seg, n_ind = max(2, n * 30 // 100), max(1, n * 2 // 100)
    segs = [Node(f"seg:{i}", "Segment", {"name": f"产品{i}"}) for i in range(n_seg)]
    inds = [Node(f"ind:{i}", "Industry", {"name": f"行业{i}"}) for i in range(n_ind)]
    firms = [
        Node(f"firm:{i}", "Firm", {"name": f"企业{i}有限公司"}) for i in range(n - n_seg - n_ind)
    ]
    weights = [1 / (i + 1) ** 0.9 for i in range(n_seg)]
    rels: dict[tuple[str, str, str], Relationship] = {}

    def add(s: str, t: str, e: str) -> None:
        rels.setdefault((s, t, e), Relationship(s, t, e))

    for f in firms:
        for s in rnd.choices(segs, weights, k=rnd.choice((1, 1, 1, 2))):
            add(f.id, "OPERATES_IN", s.id)
        if rnd.random() < 0.6:
            add(f.id, "IN_INDUSTRY", rnd.choice(inds).id)
    for i, s in enumerate(segs[1:], 1):
        add(s.id, "SUBSEGMENT_OF", segs[rnd.randrange(i)].id)
        for t in rnd.choices(segs, weights, k=1):
            if t is not s:
                add(s.id, "UPSTREAM_OF", t.id)
    nodes = [*segs, *inds, *firms]
    return Neighbourhood(nodes, [0] * n, list(rels.values()), None, None, n, capped=False)


def _ckg(src: Path, where: Path) -> object:
    from chainatlas.graph.io.bundle import import_bundle
    from chainatlas.graph.io.sources.ckg import ckg_to_bundle
    from chainatlas.graph.store.embedded import EmbeddedStore

    ckg_to_bundle(src, where / "bundle")
    store = EmbeddedStore(where / "graph.db")
    import_bundle(store, where / "bundle", progress=False)
    store.warm()
    return store


def _existing(path: Path) -> object:
    from chainatlas.graph.store.embedded import EmbeddedStore

    store = EmbeddedStore(path)
    store.warm()
    return store


def _open(browser: object, path: Path, timeout: float, move: bool) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    page.add_init_script(LONGTASKS)
    t = time.perf_counter()
    page.goto(path.as_uri(), timeout=timeout * 1000)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=timeout * 1000)
    ready = time.perf_counter() - t
    page.wait_for_timeout(2000)
    tasks = page.evaluate("window.__longtasks")
    out = {"ready": ready, "longest": max(tasks, default=0.0) / 1000}
    if move:
        out |= _interact(page)
    page.close()
    return out


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from bench.summary import report
    from chainatlas.viz.bigview import big_page, paused_gc
    from chainatlas.viz.html import render_page
    from chainatlas.viz.neighbourhood import around
    from chainatlas.viz.views import subgraph_page

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,6000,25000")
    ap.add_argument("--ckg", default=None, help="the ckg data folder (../shared/data/ckg)")
    ap.add_argument("--store", default=None, help="or an embedded store already built from it")
    ap.add_argument("--vis-max", type=int, default=6000)
    ap.add_argument("--timeout", type=float, default=90.0)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print("# Large graph views (headless Chromium, WebGL by SwiftShader)\n")
    print(
        "| graph | nodes | edges | page | walk s | build s | ready s | longest task s "
        "| zoom/pan: worst frame s | zoom/pan: longest task s |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        # the synthetic graphs are made before the clock starts: their walk is 0
        made = {n: synthetic(n) for n in sizes}
        graphs: list[tuple[str, object]] = [
            (f"synthetic {n:,}", lambda n=n: made[n]) for n in sizes
        ]
        if args.ckg or args.store:
            store = _ckg(Path(args.ckg), Path(tmp)) if args.ckg else _existing(Path(args.store))
            degree: Counter[str] = Counter()
            for r in store.iter_relationships():  # type: ignore[attr-defined]
                degree[r.start] += 1
                degree[r.end] += 1
            hub = store.get_node(degree.most_common(1)[0][0])  # type: ignore[attr-defined]
            graphs += [
                (f"ckg around {hub.name}", lambda n=n: around(store, hub.id, max_nodes=n))  # type: ignore[arg-type]
                for n in sizes
            ]
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        big_page(synthetic(300), "warm-up", "")  # imports (numpy, networkx) not timed
        for name, make in graphs:
            with paused_gc():  # as neighbourhood_view does
                t = time.perf_counter()
                nb = make()  # type: ignore[operator]
                walk = time.perf_counter() - t
                t = time.perf_counter()
                text = big_page(nb, name, "")
                build = time.perf_counter() - t
            m = len(nb.relationships)
            rows = []
            path = Path(tmp) / "big.html"
            path.write_text(text, encoding="utf-8")
            rows.append(("sigma (WebGL)", build, _open(b, path, args.timeout, move=True)))
            if len(nb.nodes) <= args.vis_max:
                from chainatlas.graph.store.contract import Subgraph

                with paused_gc():
                    t = time.perf_counter()
                    sub = Subgraph({x.id: x for x in nb.nodes}, nb.relationships)
                    text = render_page(subgraph_page(name, sub))
                    build = time.perf_counter() - t
                path.write_text(text, encoding="utf-8")
                try:
                    rows.append(("vis-network", build, _open(b, path, args.timeout, move=False)))
                except Exception:
                    rows.append(
                        ("vis-network", build, {"ready": float("inf"), "longest": float("inf")})
                    )
            for label, build, r in rows:
                print(
                    f"| {name} | {len(nb.nodes):,} | {m:,} | {label} | {walk:.2f} | {build:.2f} | "
                    f"{_fmt(r['ready'])} | {_fmt(r['longest'])} | {_fmt(r.get('frame'))} | "
                    f"{_fmt(r.get('move_task'))} |"
                )
            if len(rows) == 2:
                base = walk + rows[1][2]["ready"] + rows[1][1]
                ours = walk + rows[0][2]["ready"] + rows[0][1]
                report(
                    "large view interactive (build + ready, headless Chromium)",
                    f"{name}: {len(nb.nodes):,} nodes + {m:,} edges",
                    f"{ours:.2f} s",
                    f"vis-network {base:.2f} s",
                    f"{base / ours:.1f}",
                )
            else:
                ours = walk + rows[0][2]["ready"] + rows[0][1]
                report(
                    "large view interactive (build + ready, headless Chromium)",
                    f"{name}: {len(nb.nodes):,} nodes + {m:,} edges",
                    f"{ours:.2f} s",
                    f"vis-network not run above {args.vis_max:,} nodes",
                    "—",
                )
        b.close()


if __name__ == "__main__":
    main()
