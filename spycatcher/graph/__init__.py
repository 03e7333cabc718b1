"""The social graph: compact accumulation, trust propagation (SybilRank, SybilSCAR), campaigns.

Fake accounts are cheap to make but connections to real members are not: an operator's personas
sit in a region of the graph that few trusted members link into. The algorithms here score every
account by how much trust reaches it from verified members (SybilRank) and by how close it sits to
accounts already found to be fake (SybilSCAR). Campaign clustering (:mod:`.campaigns`) groups
suspects that share photos, wording, employers, contacts and targets.
"""

from spycatcher.graph.build import GraphBuilder, IdIndex, undirected_csr
from spycatcher.graph.sybilrank import SybilRankResult, sybilrank, sybilrank_iterations
from spycatcher.graph.sybilscar import sybilscar

__all__ = [
    "GraphBuilder",
    "IdIndex",
    "SybilRankResult",
    "sybilrank",
    "sybilrank_iterations",
    "sybilscar",
    "undirected_csr",
]
