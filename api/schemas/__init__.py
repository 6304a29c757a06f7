"""Request and response models of the API, one module a topic; import them from here
(``from chainatlas.api.schemas import NodePublic``).

- :mod:`.base` — strict bodies, ids in paths and links, dates as text, a label's properties
  from the graph model (:func:`props_model`), lists with their count, nodes and relationships;
- :mod:`.graph` — chains, segments, firms, a node's neighbourhood, health;
- :mod:`.records` — projects, demands and supplies with their links; a project's stage moves,
  follow-ups and 拿地;
- :mod:`.problems` — the problem loop (问题闭环);
- :mod:`.chains` — 十个一 slots, 招商引资目标, parks' 主导产业;
- :mod:`.matching` — element matching (要素匹配) and the 对接 of the stored lists;
- :mod:`.tokens` — access tokens.
"""

from chainatlas.api.schemas.base import (
    ID_PATTERN,
    BodyIn,
    ChainPath,
    DateText,
    DemandIdPath,
    FirmIdPath,
    IsoDate,
    NodeIdPath,
    NodePublic,
    NonEmpty,
    Page,
    ProjectIdPath,
    Ref,
    RelPublic,
    SupplyIdPath,
    props_model,
)
from chainatlas.api.schemas.chains import GoalsIn, ParkIndustries, SlotValue
from chainatlas.api.schemas.graph import (
    ChainDetail,
    FirmIn,
    FirmPublic,
    Health,
    SegmentEntry,
    SubgraphPublic,
    neighbourhood,
)
from chainatlas.api.schemas.matching import (
    MatchOut,
    MatchRequest,
    MatchResponse,
    Status,
    StatusChange,
    StoredMatchRequest,
)
from chainatlas.api.schemas.problems import ProblemIn, ProblemReview, ProblemStep, SupervisionSync
from chainatlas.api.schemas.records import (
    DemandIn,
    FollowUpIn,
    LandIn,
    ProjectIn,
    RecordIn,
    StageMove,
    SupplyIn,
)
from chainatlas.api.schemas.tokens import (
    RoleCode,
    TokenCreated,
    TokenIn,
    TokenPublic,
    TokensPublic,
)

__all__ = [
    "ID_PATTERN",
    "BodyIn",
    "ChainDetail",
    "ChainPath",
    "DateText",
    "DemandIdPath",
    "DemandIn",
    "FirmIdPath",
    "FirmIn",
    "FirmPublic",
    "FollowUpIn",
    "GoalsIn",
    "Health",
    "IsoDate",
    "LandIn",
    "MatchOut",
    "MatchRequest",
    "MatchResponse",
    "NodeIdPath",
    "NodePublic",
    "NonEmpty",
    "Page",
    "ParkIndustries",
    "ProblemIn",
    "ProblemReview",
    "ProblemStep",
    "ProjectIdPath",
    "ProjectIn",
    "RecordIn",
    "Ref",
    "RelPublic",
    "RoleCode",
    "SegmentEntry",
    "SlotValue",
    "StageMove",
    "Status",
    "StatusChange",
    "StoredMatchRequest",
    "SubgraphPublic",
    "SupervisionSync",
    "SupplyIdPath",
    "SupplyIn",
    "TokenCreated",
    "TokenIn",
    "TokenPublic",
    "TokensPublic",
    "neighbourhood",
    "props_model",
]
