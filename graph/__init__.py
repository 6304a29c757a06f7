"""The chain knowledge graph: model, stores, seeds, import and export."""

from chainatlas.graph.errors import ChainAtlasError, ImportFailed, NodeNotFound, ValidationFailed
from chainatlas.graph.model import Node, Relationship

__all__ = [
    "ChainAtlasError",
    "ImportFailed",
    "Node",
    "NodeNotFound",
    "Relationship",
    "ValidationFailed",
]
