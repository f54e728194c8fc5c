"""Generated demo leads for `manage.py seed_demo`, as COPY text rows.

Pure Python, no database access and no settings, so worker processes can
generate chunks while the command streams earlier ones into PostgreSQL. Lead k
is reproducible: it draws from its own Random seeded by (seed, k), so its id is
known before it is generated and a top-up run skips the leads already stored.
Times are relative to the run's `now`.

Every row is in its final state: a follow-up or approval decided in the past
is inserted decided (the event log is append-only, nothing is updated later),
assignments carry `completed_at` only (the SLA trigger computes the rest),
and a lead's first_response_at / last_contact_at are left to the
contact-times trigger, which derives them from the events as they are copied
(one rule of what a contact is, in assignments/migrations/0005).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

# Pure functions that read no settings when given a calendar: the SLA rule is
# the one routing uses, not a copy.
from assignments import business_hours as bh
from assignments.schedule import first_follow_up

DEMO_EMAIL_DOMAIN = "demo-leads.example"
CHUNK_SIZE = 10_000
NULL = r"\N"
DAY = 86_400

LEAD_COLUMNS = (
    "id", "created_at", "updated_at", "name", "email", "phone", "company", "role", "location", "message",
    "source", "status", "first_response_at", "last_contact_at", "conversion_date",
)  # fmt: skip
PRODUCT_COLUMNS = ("id", "lead_id", "created_at", "category", "product", "quantity", "notes")
ASSIGNMENT_COLUMNS = (
    "id",
    "lead_id",
    "assigned_at",
    "owner_id",
    "owner_name",
    "sla_deadline",
    "status",
    "completed_at",
)
ACTIVITY_COLUMNS = (
    "id", "lead_id", "created_at", "updated_at", "type", "status", "message", "actor_type", "actor_id", "metadata",
)  # fmt: skip


def _weighted(*pairs: tuple[Any, float]) -> tuple[tuple[Any, ...], list[float]]:
    values = tuple(value for value, _ in pairs)
    cumulative, total = [], 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


FIRST_NAMES = (
    "Aarav Aditi Akash Ananya Anil Anjali Arjun Deepa Divya Gaurav Harish Ishaan Kavita Kiran Lakshmi Manoj Meena "
    "Mohit Nandini Naveen Nikhil Pooja Pradeep Rahul Rajesh Ramesh Ritu Rohit Sakshi Sanjana Shreya Siddharth "
    "Sneha Suresh Swati Tanvi Varun Vikas Vivek Yash Zoya Farhan Imran Sana Joseph Maria Harpreet Gurpreet"
).split()
LAST_NAMES = (
    "Agarwal Bhat Chatterjee Das Desai Fernandes Ghosh Gupta Iyer Jain Joshi Kapoor Khan Kulkarni Kumar Malhotra "
    "Menon Mishra Nair Pandey Patel Pillai Rao Reddy Saxena Sethi Shah Sharma Singh Sinha Srinivasan Thomas "
    "Trivedi Verma Yadav Banerjee Chopra Dutta Gill Hegde"
).split()
CITIES = _weighted(
    ("Mumbai", 12), ("Delhi", 10), ("Bengaluru", 11), ("Hyderabad", 8), ("Chennai", 7), ("Pune", 7),
    ("Kolkata", 5), ("Ahmedabad", 5), ("Jaipur", 3), ("Lucknow", 2), ("Chandigarh", 2), ("Kochi", 2),
    ("Indore", 2), ("Surat", 2), ("Nagpur", 1), ("Coimbatore", 2), ("Goa", 1), ("Noida", 3), ("Gurugram", 4),
    ("Thane", 3), ("Navi Mumbai", 2), ("Vadodara", 1), ("Bhopal", 1), ("Visakhapatnam", 1),
)  # fmt: skip
SOURCES = _weighted(("website_form", 55), ("referral", 12), ("campaign", 15), ("phone", 10), ("partner", 8))
ROLES = _weighted(
    ("Home Owner", 35), ("Architect", 14), ("Interior Designer", 15), ("Builder", 11), ("Contractor", 15), ("Other", 10)
)
LEAD_TYPES = {
    "Home Owner": "home_owner", "Architect": "architect", "Interior Designer": "interior_designer",
    "Builder": "builder", "Contractor": "contractor", "Other": "other",
}  # fmt: skip
COMPANY_WORDS = {
    "Architect": ("Architects", "Design Studio", "Associates", "Atelier"),
    "Interior Designer": ("Interiors", "Design Co", "Living Spaces", "Studio"),
    "Builder": ("Builders", "Developers", "Constructions", "Infra"),
    "Contractor": ("Contractors", "Projects", "Engineering", "Build Services"),
    "Other": ("Traders", "Enterprises", "Hardware", "Home Store"),
}
BRANDS = (
    "Skyline Vastu Urban Crest Greenfield Lotus Sapphire Horizon Prestige Nirmaan Shubh Metro Heritage Orbit".split()
)
CATALOGUE = {
    "Flooring": ("Premium Laminate Flooring", "Engineered Wood Flooring", "SPC Vinyl Flooring",
                 "Herringbone Oak Flooring", "Waterproof Vinyl Planks", "Carpet Tiles"),
    "Wall": ("Designer Wall Panels", "Fluted WPC Panels", "PVC Wall Cladding", "Acoustic Wall Panels",
             "3D Textured Panels", "Charcoal Louvers"),
    "Lighting": ("LED Profile Lights", "Pendant Lights", "Cove Lighting Strips", "Track Lights", "Smart Downlights",
                 "Outdoor Wall Lights"),
    "Laminates": ("High-Pressure Laminates", "Acrylic Laminates", "Compact Laminates", "Anti-fingerprint Laminates",
                  "Veneer Finish Laminates", "Matte Kitchen Laminates"),
}  # fmt: skip
CATEGORIES = _weighted(("Flooring", 38), ("Wall", 25), ("Lighting", 17), ("Laminates", 20))
UNITS = {"Flooring": "sq ft", "Wall": "sq ft", "Lighting": "units", "Laminates": "sheets"}
# (min, max) quantity by role, for sq ft; units and sheets are a tenth and a fifth of it.
QUANTITY = {
    "Home Owner": (150, 1500), "Architect": (500, 6000), "Interior Designer": (300, 4000),
    "Builder": (2000, 40000), "Contractor": (500, 12000), "Other": (100, 2000),
}  # fmt: skip
PRODUCT_NOTES = (
    "Matte finish preferred", "Need fire-rated option", "Colour: walnut or teak", "Sample board required first",
    "Installation needed on site", "Moisture resistant grade", "Need by end of month",
)  # fmt: skip
PROJECTS = {
    "Home Owner": ("3BHK apartment renovation", "new villa", "2BHK flat interiors", "kitchen remodel"),
    "Architect": ("luxury apartment project", "boutique hotel", "corporate office fit-out", "premium villa project"),
    "Interior Designer": ("client's penthouse", "restaurant interior", "retail showroom", "co-working space"),
    "Builder": ("residential tower of 120 flats", "gated community of 40 villas", "commercial complex"),
    "Contractor": ("office interior contract", "school renovation", "hospital wing refurbishment"),
    "Other": ("family home", "shop renovation", "clinic interiors"),
}
INTENTS = {
    "default": _weighted(
        ("quote_request", 40), ("product_inquiry", 24), ("site_visit_request", 8), ("sample_request", 10),
        ("support_complaint", 4), ("job_application", 2), ("spam", 2), ("other", 10),
    ),
    "Other": _weighted(
        ("product_inquiry", 30), ("dealership_partnership", 25), ("job_application", 10), ("spam", 10), ("other", 25)
    ),
}  # fmt: skip
MESSAGES = {
    "quote_request": (
        "Looking for {product} for a {project} in {city}. Need around {qty}. Please share a quotation with "
        "installation charges.",
        "Please send your best price for {qty} of {product}. Project: {project}, {city}. Delivery needed "
        "within {weeks} weeks.",
        "We are finalising materials for a {project}. Require {product} ({qty}). Kindly quote with GST and "
        "delivery timelines.",
    ),
    "product_inquiry": (
        "Is {product} suitable for {use}? What finishes and thicknesses are available?",
        "Do you have {product} in stock in {city}? I want to know the warranty and maintenance details.",
    ),
    "site_visit_request": ("Can your team visit our site in {city} to measure for {product}? It is a {project}.",),
    "sample_request": ("Please courier samples of {product} to our office in {city}. Shortlisting for a {project}.",),
    "support_complaint": ("The {product} installed last month has started {defect}. Need someone to inspect it.",),
    "dealership_partnership": (
        "We run a building materials store in {city} and want to become a dealer for your {category} range. "
        "Please share dealer terms.",
    ),
    "job_application": ("I have 5 years of experience in interior products sales in {city}. Any openings?",),
    "spam": (
        "Boost your website traffic with our SEO services. Guaranteed first-page ranking in 30 days!",
        "Get instant business loans approved today, reply to this message to apply.",
    ),
    "other": ("What are your showroom timings in {city}?", "Do you offer EMI options for home renovation purchases?"),
}
USES = ("a kitchen backsplash", "bathroom walls", "a living room", "a high-traffic office corridor", "wardrobes")
DEFECTS = ("peeling at the edges", "swelling near the joints", "flickering", "fading in sunlight")
NO_PRODUCT_INTENTS = frozenset({"job_application", "spam", "other"})
# Final status of a lead a rep answered, by days since the answer.
OUTCOMES = (
    (1, _weighted(("contacted", 80), ("nurturing", 10), ("qualified", 7), ("lost", 3))),
    (3, _weighted(("contacted", 45), ("nurturing", 20), ("qualified", 20), ("converted", 3), ("lost", 12))),
    (10, _weighted(("contacted", 20), ("nurturing", 25), ("qualified", 25), ("converted", 12), ("lost", 18))),
    (math.inf, _weighted(("contacted", 8), ("nurturing", 20), ("qualified", 20), ("converted", 24), ("lost", 28))),
)
PATHS = {
    "contacted": ("contacted",), "nurturing": ("contacted", "nurturing"), "qualified": ("contacted", "qualified"),
    "converted": ("contacted", "qualified", "converted"), "lost": ("contacted", "lost"),
}  # fmt: skip
STATUS_REASONS = {
    "contacted": ("First call done",), "nurturing": ("Project starts in three months or later",),
    "qualified": ("Budget and timeline confirmed",), "converted": ("Order placed",),
    "lost": ("Went with a competitor", "Budget too low", "Project cancelled", "No response after three attempts"),
}  # fmt: skip
CALL_OUTCOMES = _weighted(("connected", 75), ("no_answer", 15), ("voicemail", 5), ("busy", 5))
NOTES = (
    "Client prefers a matte finish; budget around Rs {n} lakh.",
    "Site measurement pending; drawings expected this week.",
    "Comparing with two other suppliers, price sensitive.",
    "Decision maker is the project architect; send technical data sheets.",
    "Wants delivery before the festive season.",
    "Asked for a showroom visit this weekend.",
)
FOLLOW_UP_OUTCOMES = (
    "Spoke to the client; revised quote sent",
    "Client asked to call back next week",
    "Samples delivered and feedback received",
    "Catalogue shared on WhatsApp",
    "Site visit done, measurements taken",
)
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Staff:
    id: str  # str(user.id): what assignments.owner_id and actor_id hold
    name: str
    categories: frozenset[str] = frozenset()  # empty = all
    locations: frozenset[str] = frozenset()

    def covers(self, categories: set[str], city: str) -> bool:
        """assignments.routing's coverage rule: a lead with no products is anyone's."""
        return (not self.categories or not categories or bool(self.categories & categories)) and (
            not self.locations or city in self.locations
        )


@dataclass
class Chunk:
    leads: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    # (type, metadata) of every event, kept only when asked: the command validates them.
    metadata: list[tuple[str, dict[str, Any]]] | None = None

    def payload(self) -> Payload:
        return Payload(
            rows={
                "leads": len(self.leads),
                "lead_products": len(self.products),
                "assignments": len(self.assignments),
                "lead_activity": len(self.activities),
            },
            data={
                "leads": "".join(self.leads).encode(),
                "lead_products": "".join(self.products).encode(),
                "assignments": "".join(self.assignments).encode(),
                "lead_activity": "".join(self.activities).encode(),
            },
        )


@dataclass(frozen=True)
class Payload:
    """COPY text of one chunk, per table, in the order the tables must be loaded."""

    rows: dict[str, int]
    data: dict[str, bytes]


COLUMNS = {
    "leads": LEAD_COLUMNS,
    "lead_products": PRODUCT_COLUMNS,
    "assignments": ASSIGNMENT_COLUMNS,
    "lead_activity": ACTIVITY_COLUMNS,
}


class DemoGenerator:
    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        tz: tzinfo,
        reps: list[Staff],
        managers: list[Staff],
        sla_minutes: dict[str, int],
        calendar: bh.BusinessCalendar,
        high_value_types: frozenset[str],
        company: str,
        days: int = 60,
    ) -> None:
        self.seed, self.tz, self.reps, self.managers, self.company = seed, tz, reps, managers, company
        self.sla_minutes, self.calendar, self.high_value_types = sla_minutes, calendar, high_value_types
        self.now = int(now.timestamp())
        today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        self.midnights = [int((today - timedelta(days=d)).timestamp()) for d in range(days)]
        self._minutes: dict[int, tuple[str, str]] = {}
        self.rng = random.Random()

    # --- formatting ----------------------------------------------------------------
    def ts(self, epoch: int) -> str:
        """ISO 8601 with the business zone's offset; cached per minute (it is the hot path)."""
        minute, second = divmod(epoch, 60)
        parts = self._minutes.get(minute)
        if parts is None:
            text = datetime.fromtimestamp(minute * 60, self.tz).isoformat()
            parts = self._minutes[minute] = (text[:17], text[19:])
        return f"{parts[0]}{second:02d}{parts[1]}"

    def uuid(self) -> str:
        value = self.rng.getrandbits(128) & ~(0xC000 << 48) & ~(0xF000 << 64) | (0x8000 << 48) | (4 << 76)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def pick(self, weighted: tuple[tuple[Any, ...], list[float]]) -> Any:
        return self.rng.choices(weighted[0], cum_weights=weighted[1])[0]

    # --- chunks ------------------------------------------------------------------
    def lead_id(self, k: int) -> str:
        """The id lead k will have: its first draw."""
        self.rng.seed((self.seed << 40) | k)
        return self.uuid()

    def leads(self, numbers: Iterable[int], *, keep_metadata: bool = False) -> Chunk:
        """Rows of the given leads, each from its own seed."""
        out = Chunk(metadata=[] if keep_metadata else None)
        for k in numbers:
            self.rng.seed((self.seed << 40) | k)
            self._lead(k, out)
        return out

    def _created_at(self) -> int:
        r = self.rng
        hour = r.choices(range(24), cum_weights=_HOUR_CUMULATIVE)[0]
        created = self.midnights[r.randrange(len(self.midnights))] + hour * 3600 + r.randrange(3600)
        if created > self.now - 600:  # every lead is at least ten minutes old
            created = self.now - r.randrange(600, 6 * 3600)
        return created

    def _event(
        self,
        out: Chunk,
        lead_id: str,
        at: int,
        kind: str,
        message: str,
        metadata: dict[str, Any],
        *,
        status: str = "completed",
        actor: str = "system",
        actor_id: str | None = None,
        updated: int | None = None,
    ) -> str:
        event_id = self.uuid()
        row = (
            event_id, lead_id, self.ts(at), self.ts(updated or at), kind, status, message.translate(COPY_ESCAPES),
            actor, actor_id or NULL, json.dumps(metadata).translate(COPY_ESCAPES),
        )  # fmt: skip
        out.activities.append("\t".join(row) + "\n")
        if out.metadata is not None:
            out.metadata.append((kind, metadata))
        return event_id

    # --- one lead ------------------------------------------------------------------
    def _lead(self, k: int, out: Chunk) -> None:  # one story, told in order
        r, now = self.rng, self.now
        lead_id, created = self.uuid(), self._created_at()
        role = self.pick(ROLES)
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        name, email = f"{first} {last}", f"{first}.{last}.{k}@{DEMO_EMAIL_DOMAIN}".lower()
        city, source = self.pick(CITIES), self.pick(SOURCES)
        phone = f"+91 {r.choice('6789')}{r.randrange(10**8, 10**9)}" if r.random() < 0.85 else None
        company = f"{r.choice(BRANDS)} {r.choice(COMPANY_WORDS[role])}" if role in COMPANY_WORDS else None
        intent = self.pick(INTENTS.get(role, INTENTS["default"]))

        products: list[tuple[str, str, int, str]] = []
        if intent not in NO_PRODUCT_INTENTS:
            low, high = QUANTITY[role]
            for _ in range(1 if intent == "support_complaint" else r.choices((1, 2, 3), (50, 35, 15))[0]):
                category = self.pick(CATEGORIES)
                divisor = {"Lighting": 10, "Laminates": 5}.get(category, 1)
                quantity = max(1, int(math.exp(r.uniform(math.log(low), math.log(high)))) // divisor // 10 * 10)
                products.append((category, r.choice(CATALOGUE[category]), quantity, UNITS[category]))
        for category, product, quantity, unit in products:
            notes = r.choice(PRODUCT_NOTES) if r.random() < 0.2 else None
            out.products.append(
                f"{self.uuid()}\t{lead_id}\t{self.ts(created)}\t{category}\t{product}\t{quantity} {unit}\t"
                f"{notes or NULL}\n"
            )
        main = products[0] if products else ("Flooring", "Premium Laminate Flooring", 500, "sq ft")
        message = r.choice(MESSAGES[intent]).format(
            product=main[1].lower(), qty=f"{main[2]:,} {main[3]}", city=city, project=r.choice(PROJECTS[role]),
            weeks=r.randint(2, 8), use=r.choice(USES), defect=r.choice(DEFECTS), category=main[0].lower(),
        )  # fmt: skip

        # --- AI triage -----------------------------------------------------------------
        lead_type = "dealer" if intent == "dealership_partnership" else LEAD_TYPES[role]
        big = any(q >= 1000 and unit == "sq ft" for _, _, q, unit in products)
        if intent in ("spam", "job_application", "other"):
            priority = "low"
        elif intent in ("quote_request", "site_visit_request") and (lead_type in ("architect", "builder") or big):
            priority = "high"
        elif intent == "product_inquiry" and role == "Home Owner" and not big:
            priority = "low"
        else:
            priority = "medium"
        action = {
            "spam": "discard_spam", "support_complaint": "forward_to_support", "site_visit_request": "schedule_site_visit",
            "sample_request": "send_samples", "product_inquiry": "send_catalog",
        }.get(intent) or {"high": "call_within_30_min", "medium": "call_today", "low": "nurture_email"}[priority]  # fmt: skip
        at = created + r.randint(2, 25)
        ai: dict[str, Any] = {
            "intent": intent, "lead_type": lead_type, "priority": priority, "suggested_action": action,
            "reasoning": f"{role} asking about {main[0].lower() if products else 'the company'}: "
            f"{intent.replace('_', ' ')}" + (", large quantity" if big else ""),
        }  # fmt: skip
        if r.random() < 0.85:
            tokens = r.randint(350, 700)
            ai |= {"model": "llama-3.1-70b-versatile", "prompt_version": "v1.0", "provider": "groq",
                   "latency_ms": r.randint(500, 2500), "prompt_tokens": tokens, "completion_tokens": 80,
                   "total_tokens": tokens + 80}  # fmt: skip
        else:
            ai |= {"model": "rules-v1", "prompt_version": "rules-1", "provider": "rules", "latency_ms": r.randint(1, 5)}
        ai_id = self._event(out, lead_id, at, "ai_result",
                            f"AI analysis: {intent.replace('_', ' ')}, {priority} priority", ai, actor="ai")  # fmt: skip

        # --- spam: held for managers, never assigned (assignments.services._hold_spam) ----
        status, converted, updated = "new", None, created
        if intent == "spam":
            self._event(out, lead_id, at + 1, "note",
                        "Not assigned: the AI marked this lead as spam; kept for managers to review",
                        {"kind": "spam_held", "ai_result_id": ai_id})  # fmt: skip
            if now - at > DAY and r.random() < 0.8:
                manager = r.choice(self.managers)
                closed = min(now - 60, at + r.randint(3600, DAY))
                self._event(out, lead_id, closed, "status_change", "Status changed from new to lost",
                            {"from_status": "new", "to_status": "lost", "reason": "Spam"},
                            actor="user", actor_id=manager.id)  # fmt: skip
                status, updated = "lost", closed
            out.leads.append(self._lead_row(lead_id, created, updated, name, email, phone, company, role, city,
                                            message, source, status, converted))  # fmt: skip
            return

        # --- routing: a rep covering the lead, SLA in business minutes -------------------------
        categories = {p[0] for p in products}
        assigned = at + r.randint(1, 5)
        rep = r.choice([x for x in self.reps if x.covers(categories, city)] or self.reps[:1])
        minutes = self.sla_minutes[priority]
        deadline = self._business(bh.sla_deadline, assigned, minutes)
        opens = self._business(bh.business_start, assigned)
        response = opens + max(120, int((deadline - opens) * r.lognormvariate(-0.5, 0.8)))
        answered = response <= now - 60 and r.random() > 0.03
        assignment_id = self.uuid()
        out.assignments.append(
            f"{assignment_id}\t{lead_id}\t{self.ts(assigned)}\t{rep.id}\t{rep.name}\t{self.ts(deadline)}\t"
            f"{'completed' if answered else 'active'}\t{self.ts(response) if answered else NULL}\n"
        )
        meta = {"assigned_by": "system", "assignment_id": assignment_id, "owner_id": rep.id, "owner_name": rep.name,
                "sla_deadline": self.ts(deadline), "priority": priority, "rule": "round_robin",
                "reason": f"{minutes} business minutes for {priority} priority"}  # fmt: skip
        local_deadline = datetime.fromtimestamp(deadline, self.tz)
        self._event(out, lead_id, assigned, "assignment",
                    f"Assigned to {rep.name} (round robin); respond by {local_deadline:%d %b %Y, %H:%M}", meta)  # fmt: skip

        sent = created + r.randint(40, 180)
        ack = {"template": "acknowledgement", "channel": "resend", "to": email,
               "subject": f"We received your enquiry - {self.company}", "retry_count": 0}  # fmt: skip
        if r.random() < 0.01:
            self._event(out, lead_id, sent, "email", "Acknowledgement email failed (attempt 1); will retry",
                        ack | {"error": "SMTPServerDisconnected: timed out"}, status="failed")  # fmt: skip
            sent += 300
            ack["retry_count"] = 1
        self._event(out, lead_id, sent, "email", f"Acknowledgement email sent to {email}", ack)

        if priority == "high" and (lead_type in self.high_value_types or big):
            raised, meta = assigned + 2, {"approval_type": "high_value_lead", "requires_manager": True,
                                          "ai_recommendation": "Offer project pricing and a site visit"}  # fmt: skip
            age = now - raised
            if age < DAY or (age < 3 * DAY and r.random() < 0.5):
                self._event(out, lead_id, raised, "approval", "High-value lead: manager approval needed", meta,
                            status="pending")  # fmt: skip
            else:
                manager = r.choice(self.managers)
                decided = min(now - 60, raised + r.randint(3600, 36 * 3600))
                verdict = "approved" if r.random() < 0.85 else "rejected"
                meta |= {"decided_by": manager.id, "decided_by_name": manager.name, "decided_at": self.ts(decided),
                         "comment": "Go ahead with project pricing" if verdict == "approved" else "Not a fit"}  # fmt: skip
                self._event(out, lead_id, raised, "approval", f"High-value lead {verdict} by {manager.name}", meta,
                            status=verdict, updated=decided)  # fmt: skip

        # The AI's suggested next step, as assignments.followups.follow_up_from_ai() schedules it.
        follow_action, due, why = first_follow_up(action, datetime.fromtimestamp(assigned, UTC), calendar=self.calendar)
        suggested = {"action": follow_action, "scheduled_for": self.ts(int(due.timestamp())), "reason": why}
        suggested_message = f"{why} (suggested: {action})"

        # --- the rep's side ----------------------------------------------------------
        if not answered:
            # Demo history, not news: what fell due before the seed is recorded as already told
            # (the breach scan and the reminders then leave it alone; no email storm at start).
            if due.timestamp() <= now:
                suggested |= {"reminder_sent_at": self.ts(int(due.timestamp()))}
            self._event(out, lead_id, assigned, "follow_up", suggested_message, suggested, status="pending",
                        actor="ai")  # fmt: skip
            if deadline < now:
                detected = min(now, deadline + 60)
                self._event(out, lead_id, detected, "sla_breach",
                            f"SLA missed by {rep.name}: no response by {local_deadline:%d %b %Y, %H:%M}",
                            {"assignment_id": assignment_id, "owner_id": rep.id, "sla_deadline": self.ts(deadline),
                             "detected_at": self.ts(detected), "notified": [], "reassigned_to": None})  # fmt: skip
        else:
            actor = {"actor": "user", "actor_id": rep.id}
            done = suggested | {"decided_by": rep.id, "decided_at": self.ts(response),
                                "outcome": "Done at first contact"}  # fmt: skip
            self._event(out, lead_id, assigned, "follow_up", suggested_message, done, updated=response, actor="ai")
            outcome = self.pick(CALL_OUTCOMES)
            seconds = r.randint(60, 900) if outcome == "connected" else 0
            self._event(out, lead_id, response, "call", f"Called {name}: {outcome.replace('_', ' ')}",
                        {"direction": "outbound", "outcome": outcome, "duration_seconds": seconds}, **actor)  # fmt: skip
            days = (now - response) / DAY
            final = self.pick(next(table for limit, table in OUTCOMES if days < limit))
            path = PATHS[final]
            spread = sorted(r.uniform(0.05, 0.9) for _ in path[1:])
            step_at = [response + seconds + 30] + [int(response + (now - response) * u) for u in spread]
            for i in range(1, len(step_at)):  # in order, and none in the future
                step_at[i] = max(step_at[i], step_at[i - 1] + 60)
            step_at = [min(at, now) for at in step_at]
            previous, last_step = "new", response
            for to_status, at in zip(path, step_at, strict=True):
                self._event(out, lead_id, at, "status_change", f"Status changed from {previous} to {to_status}",
                            {"from_status": previous, "to_status": to_status,
                             "reason": r.choice(STATUS_REASONS[to_status])}, **actor)  # fmt: skip
                if to_status == "qualified" and r.random() < 0.8 and at + 3600 < now:
                    self._event(out, lead_id, at + 3600, "email", f"Quotation sent to {email}",
                                {"template": "quotation", "channel": "resend", "to": email,
                                 "subject": f"Your quotation from {self.company}"}, **actor)  # fmt: skip
                previous, last_step, updated = to_status, at, at
            status = previous
            converted = step_at[-1] if status == "converted" else None
            if r.random() < 0.6 and response + 600 < now:
                note = r.choice(NOTES).format(n=r.randint(2, 40))
                self._event(out, lead_id, response + 600, "note", note, {"kind": "call_notes"}, **actor)
            if status in ("contacted", "nurturing", "qualified"):
                base = last_step
                due_at = base + int(r.uniform(4, 14) * DAY if status == "nurturing" else r.uniform(1, 6) * DAY)
                meta = {"action": r.choice(("call", "whatsapp", "meeting", "email")), "scheduled_for": self.ts(due_at),
                        "reason": f"Keep {status} lead moving"}  # fmt: skip
                if due_at <= now and r.random() < 0.85:
                    decided = min(now - 60, due_at + r.randrange(6 * 3600))
                    meta |= {"decided_by": rep.id, "decided_at": self.ts(decided),
                             "outcome": r.choice(FOLLOW_UP_OUTCOMES)}  # fmt: skip
                    self._event(out, lead_id, base, "follow_up", f"Follow-up scheduled: {meta['action']}", meta,
                                updated=decided, **actor)  # fmt: skip
                else:
                    if due_at <= now:
                        meta |= {"reminder_sent_at": self.ts(due_at)}
                    self._event(out, lead_id, base, "follow_up", f"Follow-up scheduled: {meta['action']}", meta,
                                status="pending", **actor)  # fmt: skip

        out.leads.append(self._lead_row(lead_id, created, updated, name, email, phone, company, role, city, message,
                                        source, status, converted))  # fmt: skip

    def _lead_row(self, lead_id: str, created: int, updated: int, name: str, email: str, phone: str | None,
                  company: str | None, role: str, city: str, message: str, source: str, status: str,
                  converted: int | None) -> str:  # fmt: skip
        row = (
            lead_id, self.ts(created), self.ts(updated), name, email, phone or NULL, company or NULL, role, city,
            message.translate(COPY_ESCAPES), source, status, NULL, NULL, self.ts(converted) if converted else NULL,
        )  # fmt: skip
        return "\t".join(row) + "\n"

    def _business(self, rule: Any, at: int, *args: int) -> int:
        """A business-calendar rule (assignments.business_hours) applied to an epoch time."""
        return int(rule(datetime.fromtimestamp(at, UTC), *args, calendar=self.calendar).timestamp())


# Leads arrive mostly in Indian working hours (business-zone hour of day).
_HOURS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 9, 11, 12, 12, 11, 11, 10, 10, 9, 8, 7, 6, 4, 3, 2)
_HOUR_CUMULATIVE = [sum(_HOURS[: i + 1]) for i in range(24)]


# --- worker processes ---------------------------------------------------------------
# The command generates chunks in spawned processes; this module needs no
# Django settings or apps, so a worker starts fast.
_worker: DemoGenerator | None = None


def worker_init(options: dict[str, Any]) -> None:
    global _worker
    _worker = DemoGenerator(**options)


def worker_generate(numbers: list[int]) -> Payload:
    assert _worker is not None, "worker_init() runs first"
    return _worker.leads(numbers).payload()
