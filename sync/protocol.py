"""What crosses the wire between the agent and the hub (JSON, validated by pydantic on the hub).

A change travels as it was recorded on the PC that made it: its id, the row it touched, the
changed fields as a JSON text (kept as text end to end, so what was recorded is what every node
folds), the clock stamp and the node that made it, and that node's local sequence number.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MAX_PUSH = 5_000
MAX_PULL = 5_000


class WireChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=36, max_length=36)
    node_id: str = Field(min_length=1, max_length=36)
    node_seq: int = Field(ge=1)
    tx_id: str = Field(max_length=36)
    entity: str = Field(min_length=1, max_length=40)
    row_id: str = Field(min_length=1, max_length=36)
    op: str = Field(pattern="^(insert|update|restate)$")
    data: str
    hlc: int = Field(ge=0)


class PulledChange(WireChange):
    server_seq: int


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=1, max_length=36)
    name: str = Field(default="PC", max_length=200)


class EnrolAnswer(BaseModel):
    clinic_id: str
    clinic_name: str
    device_id: str
    device_secret: str
    high_water: int


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The highest local sequence this PC believes the hub holds (its last acknowledgement).
    after: int = Field(ge=0)
    changes: list[WireChange] = Field(max_length=MAX_PUSH)


class PushAnswer(BaseModel):
    accepted: int  # new to the hub
    duplicates: int  # already held (a retried batch)
    high_water: int
    head: int  # the clinic's newest server sequence after this push


class PullAnswer(BaseModel):
    changes: list[PulledChange]
    head: int
