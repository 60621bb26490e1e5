"""Contains all the data models used in inputs/outputs"""

from .ask_answer import AskAnswer
from .ask_request import AskRequest
from .catering_capacity import CateringCapacity
from .field_error import FieldError
from .lead import Lead
from .lead_create import LeadCreate
from .lead_detail import LeadDetail
from .lead_kind import LeadKind
from .lead_page import LeadPage
from .lead_score import LeadScore
from .lead_source import LeadSource
from .lead_stage import LeadStage
from .lead_stage_event import LeadStageEvent
from .lead_stage_update import LeadStageUpdate
from .location_id import LocationId
from .period_activity import PeriodActivity
from .pipeline_summary import PipelineSummary
from .problem_details import ProblemDetails
from .score_factor import ScoreFactor
from .score_factor_name import ScoreFactorName
from .stage_summary import StageSummary
from .stale_lead import StaleLead
from .token_usage import TokenUsage
from .tool_call_record import ToolCallRecord
from .tool_call_record_input import ToolCallRecordInput

__all__ = (
    "AskAnswer",
    "AskRequest",
    "CateringCapacity",
    "FieldError",
    "Lead",
    "LeadCreate",
    "LeadDetail",
    "LeadKind",
    "LeadPage",
    "LeadScore",
    "LeadSource",
    "LeadStage",
    "LeadStageEvent",
    "LeadStageUpdate",
    "LocationId",
    "PeriodActivity",
    "PipelineSummary",
    "ProblemDetails",
    "ScoreFactor",
    "ScoreFactorName",
    "StageSummary",
    "StaleLead",
    "TokenUsage",
    "ToolCallRecord",
    "ToolCallRecordInput",
)
