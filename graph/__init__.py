"""The chain knowledge graph: model, stores, seeds, import and export."""

from graph.errors import ChainAtlasError, ImportFailed, NodeNotFound, ValidationFailed
from graph.model import Node, Relationship

__all__ = [
    "ChainAtlasError",
    "ImportFailed",
    "Node",
    "NodeNotFound",
    "Relationship",
    "ValidationFailed",
]
