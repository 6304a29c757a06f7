"""The work done on the graph: the maps and the ledger and everything the 链长制 runs on it.

- :mod:`.maps` — 两图两库: fishbone, 招商图, 链主库, 项目库, and ``resolve_chain``.
- :mod:`.ledger`, :mod:`.supervision`, :mod:`.progress` — 一本账: stages, lists, 五未, 督办
  items and the monthly report.
- :mod:`.problems` — the problem loop (收集 → 交办 → 督办 → 反馈 → 办结) with escalation.
- :mod:`.checklist`, :mod:`.goals`, :mod:`.dockings`, :mod:`.dossier` — 十个一, yearly
  goals, 对接 of matched elements, and a project's dossier.
- :mod:`.ladder`, :mod:`.parks` — a firm's 梯队 and parks' industries.
"""
