"""Contains all the data models used in inputs/outputs"""

from .ask_answer import AskAnswer
from .ask_request import AskRequest
from .category import Category
from .change import Change
from .daily_sales import DailySales
from .daily_sales_series import DailySalesSeries
from .day_figure import DayFigure
from .field_error import FieldError
from .location import Location
from .location_comparison import LocationComparison
from .location_list import LocationList
from .location_sales import LocationSales
from .menu_item import MenuItem
from .menu_item_list import MenuItemList
from .period_comparison import PeriodComparison
from .period_totals import PeriodTotals
from .problem_details import ProblemDetails
from .rank_by import RankBy
from .sales_summary import SalesSummary
from .sales_totals import SalesTotals
from .token_usage import TokenUsage
from .tool_call_record import ToolCallRecord
from .tool_call_record_input import ToolCallRecordInput
from .top_item import TopItem
from .top_item_list import TopItemList

__all__ = (
    "AskAnswer",
    "AskRequest",
    "Category",
    "Change",
    "DailySales",
    "DailySalesSeries",
    "DayFigure",
    "FieldError",
    "Location",
    "LocationComparison",
    "LocationList",
    "LocationSales",
    "MenuItem",
    "MenuItemList",
    "PeriodComparison",
    "PeriodTotals",
    "ProblemDetails",
    "RankBy",
    "SalesSummary",
    "SalesTotals",
    "TokenUsage",
    "ToolCallRecord",
    "ToolCallRecordInput",
    "TopItem",
    "TopItemList",
)
