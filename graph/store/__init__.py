"""Where the graph is kept: the store contract and its two backends.

- :mod:`.contract` — :class:`GraphStore`, the one contract every backend passes (batches,
  reads, the bulk fast path's default), and :class:`Batch` / :class:`BatchResult`.
- :mod:`.embedded` — the default store: SQLite on disk, a NetworkX graph in memory;
  :mod:`.embedded_bulk` is its fast bulk writer.
- :mod:`.neo4jstore` — the same contract on a Neo4j server; :mod:`.neo4j_bulk` is its fast path.
- :mod:`.blocks` and :mod:`.arrow_json` — the column blocks the fast path takes, and their JSON.
- :mod:`.backends` — ``open_store``: the backend chosen by the settings.
"""
