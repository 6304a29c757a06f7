"""Converters from public data sources to graph bundles (``ckg``: the ChainKnowledgeGraph split)."""
