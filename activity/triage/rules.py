"""The `rules` provider: a deterministic, versioned classifier.

It runs on every lead, so it is a handful of regular expressions and
comparisons, no I/O. Every decision adds a signal; `reasoning` lists them, so
a rep can see why a lead got its priority. Bump RULES_VERSION when a rule
changes: stored ai_results name the version that produced them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from activity.triage import keywords as kw
from activity.triage.snapshot import LeadSnapshot
from leads.quantities import Quantities, read_quantities

RULES_VERSION = "rules-v1"

ROLE_TYPES = {
    "home owner": "home_owner",
    "homeowner": "home_owner",
    "architect": "architect",
    "builder": "builder",
    "developer": "builder",
    "contractor": "contractor",
    "interior designer": "interior_designer",
    "dealer": "dealer",
}
PROFESSIONAL_TYPES = {"architect", "builder", "contractor", "interior_designer", "dealer"}

# A large job: worth a call within the half hour. Figures are per lead.
LARGE_AREA_SQ_FT = 2000
LARGE_UNITS = 100
LARGE_SHEETS = 50
LARGE_BOXES = 100
SMALL_UNITS = 5

# Five or more consonants in a row, or a syllable typed over and over:
# keyboard mashing, not a language we serve ("sqft" and "bhk" are allowed).
_MASHED = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}|(\w{1,2})\1{2,}", re.IGNORECASE)
_ALLOWED_CLUSTERS = {"sqft", "mtrs", "pvc", "wpc", "spc", "bhk"}


@dataclass
class _Findings:
    text: str
    quantities: Quantities
    signals: list[str] = field(default_factory=list)

    def has(self, pattern: re.Pattern[str], signal: str) -> bool:
        match = pattern.search(self.text)
        if match:
            self.signals.append(f"{signal}: '{match.group(0).strip()}'")
        return match is not None


def classify(snapshot: LeadSnapshot) -> dict[str, Any]:
    """Return AIResultMetadata fields for the lead."""
    started = time.perf_counter()
    findings = _read(snapshot)
    intent = _intent(findings, snapshot)
    lead_type = _lead_type(findings, snapshot, intent)
    priority = _priority(findings, snapshot, intent, lead_type)
    action = _action(findings, intent, priority)
    return {
        "intent": intent,
        "lead_type": lead_type,
        "priority": priority,
        "suggested_action": action,
        "reasoning": f"{intent}, {priority} priority, {action}. Signals: " + "; ".join(findings.signals),
        "model": RULES_VERSION,
        "prompt_version": RULES_VERSION,
        "provider": "rules",
        "latency_ms": int((time.perf_counter() - started) * 1000),
        "signals": findings.signals,
    }


def _read(snapshot: LeadSnapshot) -> _Findings:
    product_text = [" ".join(filter(None, (c, p, n))) for c, p, _q, n in snapshot.products]
    quantities = read_quantities(
        [snapshot.message or "", *product_text], [q for _c, _p, q, _n in snapshot.products if q]
    )
    return _Findings(text=" ".join([snapshot.message or "", snapshot.company or ""]), quantities=quantities)


def _looks_mashed(message: str) -> bool:
    words = [w for w in re.findall(r"[a-z]+", message.lower()) if w not in _ALLOWED_CLUSTERS]
    mashed = [w for w in words if _MASHED.search(w)]
    return bool(words) and len(mashed) * 2 >= len(words)


def _intent(f: _Findings, snapshot: LeadSnapshot) -> str:
    message = (snapshot.message or "").strip()
    # Order matters: a complaint that mentions a price is still a complaint,
    # a dealer asking for a price list is still a dealer.
    if f.has(kw.SPAM, "spam phrase"):
        return "spam"
    if not snapshot.products and _looks_mashed(message):
        f.signals.append("message looks like keyboard mashing")
        return "spam"
    if f.has(kw.JOB, "job seeker"):
        return "job_application"
    if f.has(kw.SUPPORT, "complaint"):
        return "support_complaint"
    if f.has(kw.DEALER, "dealership"):
        return "dealership_partnership"
    if f.has(kw.SITE_VISIT, "site visit"):
        return "site_visit_request"
    if f.has(kw.QUOTE_STRONG, "asks for a quote"):
        return "quote_request"
    if f.has(kw.SHOWROOM, "wants to see the showroom"):
        return "product_inquiry"
    if f.has(kw.SAMPLE, "asks for samples"):
        return "sample_request"
    if f.has(kw.CATALOG, "asks for a catalogue"):
        return "product_inquiry"
    if f.has(kw.QUOTE_WEAK, "asks the price"):
        return "quote_request"
    if f.has(kw.VENDOR_PITCH, "vendor pitch"):
        return "other"
    if f.has(kw.INQUIRY, "product question"):
        return "product_inquiry"
    if f.quantities.any and snapshot.products:
        f.signals.append("products with quantities")
        return "quote_request"
    if f.has(kw.PRIOR_CONTACT, "earlier conversation"):
        return "other"
    if snapshot.products or ("?" in message and re.search(r"\w", message)):
        f.signals.append("question or products without a clear ask")
        return "product_inquiry"
    f.signals.append("no clear ask" if message and not kw.GREETING_ONLY.match(message) else "empty or greeting only")
    return "other"


def _lead_type(f: _Findings, snapshot: LeadSnapshot, intent: str) -> str:
    if intent in {"spam", "job_application"}:
        return "other"  # not a customer, whatever role they picked
    if intent == "dealership_partnership":
        return "dealer"
    role = (snapshot.role or "").strip().lower()
    if role in ROLE_TYPES:
        f.signals.append(f"role: {snapshot.role}")
        return ROLE_TYPES[role]
    for lead_type, pattern in kw.PROFESSIONS.items():
        if f.has(pattern, "profession"):
            return lead_type
    return "other"


def _is_large(f: _Findings) -> bool:
    q = f.quantities
    checks = (
        (q.area_sq_ft >= LARGE_AREA_SQ_FT, f"large area: {q.area_sq_ft:g} sq ft"),
        (q.units >= LARGE_UNITS, f"large order: {q.units:g} units"),
        (q.sheets >= LARGE_SHEETS, f"large order: {q.sheets:g} sheets"),
        (q.boxes >= LARGE_BOXES, f"large order: {q.boxes:g} boxes"),
    )
    hits = [signal for hit, signal in checks if hit]
    f.signals.extend(hits)
    return bool(hits)


def _priority(f: _Findings, snapshot: LeadSnapshot, intent: str, lead_type: str) -> str:
    if intent in {"spam", "job_application"}:
        return "low"
    if intent == "support_complaint":
        return "high" if f.has(kw.ESCALATION, "angry or urgent") else "medium"
    urgent = f.has(kw.URGENT, "urgent")
    if not urgent and f.has(kw.DEFERRAL, "no hurry"):
        return "low"
    large = _is_large(f)
    commercial = f.has(kw.COMMERCIAL, "commercial project")
    whole_home = f.has(kw.WHOLE_HOME, "whole-home job")
    if urgent or large or commercial or whole_home:
        return "high"
    words = len((snapshot.message or "").split())
    if 0 < f.quantities.units <= SMALL_UNITS and not f.quantities.area_sq_ft:
        f.signals.append(f"small order: {f.quantities.units:g} units")
        return "low"
    if intent == "quote_request" and not snapshot.products and words <= 2:
        f.signals.append("one-word message, no products")
        return "low"
    if intent in {"quote_request", "site_visit_request", "sample_request", "dealership_partnership"}:
        return "medium"
    if intent == "product_inquiry":
        if lead_type in PROFESSIONAL_TYPES or any(s.startswith("wants to see") for s in f.signals):
            return "medium"
        return "low"
    return "medium" if any(s.startswith("earlier conversation") for s in f.signals) else "low"


def _action(f: _Findings, intent: str, priority: str) -> str:
    fixed = {
        "spam": "discard_spam",
        "job_application": "nurture_email",
        "support_complaint": "forward_to_support",
        "site_visit_request": "schedule_site_visit",
        "sample_request": "send_samples",
    }
    if intent in fixed:
        return fixed[intent]
    if priority == "high":
        return "call_within_30_min"
    if priority == "medium":
        return "call_today"
    asked_for_catalog = any(s.startswith("asks for a catalogue") for s in f.signals)
    if intent in {"quote_request", "product_inquiry"} and (asked_for_catalog or not kw.DEFERRAL.search(f.text)):
        return "send_catalog"
    return "nurture_email"
