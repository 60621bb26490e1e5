from enum import StrEnum


class Theme(StrEnum):
    AMBIENCE_VIEWS = "ambience_views"
    CLEANLINESS = "cleanliness"
    FOOD_QUALITY = "food_quality"
    FOOD_TEMPERATURE = "food_temperature"
    MANAGEMENT = "management"
    PRICE_VALUE = "price_value"
    SERVICE_SPEED = "service_speed"
    STAFF_FRIENDLINESS = "staff_friendliness"
    WAITING_TIME = "waiting_time"

    def __str__(self) -> str:
        return str(self.value)
