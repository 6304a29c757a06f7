"""What goes into and out of the graph: seeds, bundles, spreadsheets, templates, public sources.

- :mod:`.seeds` and :mod:`.samples` — the chains of the seed documents and the sample data.
- :mod:`.bundle` and :mod:`.columnar` — CSV bundles (Neo4j's import convention) in and out; the
  column pipeline that checks a bundle and hands blocks to a store's fast path.
- :mod:`.readers` — reading a workbook or CSV upload into checked rows (one yes/no parser).
- :mod:`.templates` — the Excel templates officers fill in, and reading them back.
- :mod:`.sources` — converters from public data sets (``ckg``) to bundles.
"""
