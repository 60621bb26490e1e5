"""Contains all the data models used in inputs/outputs"""

from .ask_answer import AskAnswer
from .ask_request import AskRequest
from .field_error import FieldError
from .location_rating import LocationRating
from .problem_details import ProblemDetails
from .rating_count import RatingCount
from .rating_drop import RatingDrop
from .rating_sales_finding import RatingSalesFinding
from .rating_summary import RatingSummary
from .rating_vs_sales import RatingVsSales
from .reply_post import ReplyPost
from .reply_status import ReplyStatus
from .reply_tone import ReplyTone
from .review import Review
from .review_create import ReviewCreate
from .review_page import ReviewPage
from .review_reply import ReviewReply
from .review_source import ReviewSource
from .sentiment import Sentiment
from .sentiment_split import SentimentSplit
from .theme import Theme
from .theme_list import ThemeList
from .theme_quote import ThemeQuote
from .theme_stat import ThemeStat
from .token_usage import TokenUsage
from .tool_call_record import ToolCallRecord
from .tool_call_record_input import ToolCallRecordInput
from .weekly_rating import WeeklyRating
from .weekly_rating_sales import WeeklyRatingSales

__all__ = (
    "AskAnswer",
    "AskRequest",
    "FieldError",
    "LocationRating",
    "ProblemDetails",
    "RatingCount",
    "RatingDrop",
    "RatingSalesFinding",
    "RatingSummary",
    "RatingVsSales",
    "ReplyPost",
    "ReplyStatus",
    "ReplyTone",
    "Review",
    "ReviewCreate",
    "ReviewPage",
    "ReviewReply",
    "ReviewSource",
    "Sentiment",
    "SentimentSplit",
    "Theme",
    "ThemeList",
    "ThemeQuote",
    "ThemeStat",
    "TokenUsage",
    "ToolCallRecord",
    "ToolCallRecordInput",
    "WeeklyRating",
    "WeeklyRatingSales",
)
