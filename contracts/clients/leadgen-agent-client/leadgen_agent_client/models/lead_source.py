from enum import StrEnum


class LeadSource(StrEnum):
    COLD_OUTREACH = "cold_outreach"
    EVENT = "event"
    REFERRAL = "referral"
    TELEGRAM = "telegram"
    WEBSITE_FORM = "website_form"

    def __str__(self) -> str:
        return str(self.value)
