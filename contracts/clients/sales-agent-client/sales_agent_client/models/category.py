from enum import StrEnum


class Category(StrEnum):
    CATERING = "catering"
    DESSERT = "dessert"
    DRINK = "drink"
    MAIN = "main"
    STARTER = "starter"

    def __str__(self) -> str:
        return str(self.value)
