"""The reply a partner reads: the same JSON whether it was filled into prepared bytes (a plain
acceptance) or serialised by the model (everything else)."""

from __future__ import annotations

import uuid

import pytest

from dorp_registration.domain.outcomes import Accepted, Rejection, reply_for
from dorp_registration.entrypoints.subscribers import UNAVAILABLE, reply_body
from dorp_shared.contracts.partner import FieldError, PartnerReply

REPLIES = [
    reply_for(Accepted(uuid.uuid4())),
    reply_for(Accepted(uuid.uuid4(), duplicate=True)),
    reply_for(
        Rejection(
            "invalid_fields", "1 invalid field(s)", (FieldError(field="kern", message="unknown"),)
        )
    ),
    UNAVAILABLE,
    PartnerReply(status="accepted", dorp_id='x"y'),
    PartnerReply(status="accepted", dorp_id=str(uuid.uuid4()), result={"session_id": "s"}),
]


@pytest.mark.parametrize("reply", REPLIES)
def test_a_reply_reads_as_the_model_serialises_it(reply: PartnerReply) -> None:
    body = reply_body(reply)
    assert body == reply.model_dump_json().encode()
    assert PartnerReply.model_validate_json(body) == reply
