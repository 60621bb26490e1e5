from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.category import Category

T = TypeVar("T", bound="MenuItem")


@_attrs_define
class MenuItem:
    """A dish or drink on the menu, with its current price.

    Attributes:
        category (Category):
        id (str):
        name (str):
        price_cents (int): Price in euro cents, VAT included.
    """

    category: Category
    id: str
    name: str
    price_cents: int

    def to_dict(self) -> dict[str, Any]:
        category = self.category.value

        id = self.id

        name = self.name

        price_cents = self.price_cents

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "category": category,
                "id": id,
                "name": name,
                "price_cents": price_cents,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = Category(d.pop("category"))

        id = d.pop("id")

        name = d.pop("name")

        price_cents = d.pop("price_cents")

        menu_item = cls(
            category=category,
            id=id,
            name=name,
            price_cents=price_cents,
        )

        return menu_item
