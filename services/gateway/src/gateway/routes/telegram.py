from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from gateway.deps import WebhookIntakeDep
from gateway.inbound import UnusableUpdate
from meshkit.errors import InvalidInput, Problem, problem_responses

router = APIRouter(prefix="/telegram", tags=["telegram"])


class Accepted(BaseModel):
    ok: bool = True
    duplicate: bool = False


class NotJson(Problem):
    status = 400
    slug = "not-json"
    title = "The body is not JSON"


#: The two possible answers, encoded once: serialising a model per request is measurable at
#: thousands of updates a second.
_ANSWERS = {
    duplicate: Accepted(duplicate=duplicate).model_dump_json().encode()
    for duplicate in (False, True)
}


@router.post(
    "/webhook",
    summary="Receive a Telegram update",
    response_model=Accepted,
    responses=problem_responses(400, 401, 413, 422),
)
async def receive_update(request: Request, intake: WebhookIntakeDep) -> Response:
    """Telegram's webhook. Checks the secret token, stores the update and its job in one
    transaction (a duplicate delivery is a no-op) and answers once that is committed; a
    worker answers the user. Unknown update types and fields are accepted and ignored."""
    raw = await request.body()
    try:
        stored = await intake.accept(raw.decode())
    except UnusableUpdate as exc:
        raise InvalidInput(str(exc)) from None
    except ValueError:  # not JSON, or not UTF-8
        raise NotJson("Send the update as a JSON object.") from None
    return Response(_ANSWERS[not stored], media_type="application/json")
