"""What a triage provider sees of a lead: plain values, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Product = tuple[str, str, str | None, str | None]  # category, product, quantity, notes


@dataclass(frozen=True)
class LeadSnapshot:
    name: str
    email: str
    role: str | None = None
    company: str | None = None
    location: str | None = None
    message: str | None = None
    source: str | None = None
    products: tuple[Product, ...] = field(default_factory=tuple)

    def as_prompt_data(self) -> dict[str, Any]:
        """The lead as JSON for a language model; the email is left out (not needed to classify)."""
        return {
            "name": self.name,
            "role": self.role,
            "company": self.company,
            "location": self.location,
            "source": self.source,
            "message": self.message,
            "products": [{"category": c, "product": p, "quantity": q, "notes": n} for c, p, q, n in self.products],
        }
