"""Phrase lists the rules provider looks for, in the ways leads write them.

English, romanised Hindi and Marathi (Hinglish), Devanagari, Spanish, French,
and the usual typos ("qoute", "catlog", "replacment"). Each entry is a
regular expression; ASCII entries must start and end on a word boundary so
"rate" does not match "corporate", Devanagari ones match as substrings
(combining vowel signs are not word characters to `re`).
"""

from __future__ import annotations

import re


def phrases(*patterns: str) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        parts.append(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])" if pattern.isascii() else pattern)
    return re.compile("|".join(parts), re.IGNORECASE)


SPAM = phrases(
    r"seo",
    r"backlinks?",
    r"(?:google|website)\s+rank(?:ing)?",
    r"digital\s+marketing",
    r"casino",
    r"jackpot",
    r"lottery",
    r"bitcoin|btc|crypto\w*",
    r"trading\s+signals?",
    r"t\.me/\S+",
    r"bit\.ly/\S+",
    r"whatsapp\s+group",
    r"(?:cheap(?:est)?|instant)\s+loans?",
    r"no\s+documents?",
    r"business\s+proposal",
    r"\$?\d+(?:\.\d+)?\s*million",
    r"earn\s+(?:\d+x|money|\d+)",
    r"ghar\s+baithe",
    r"kamao",
    r"bonus\s+\d+\s*%",
    r"first\s+deposit",
    r"click\s+here",
    r"viagra",
    r"work\s+from\s+home",
    r"no\s+investment",
    r"earn\s+(?:rs\.?|inr|\$)\s*\d+",
    r"register\s+now",
    r"guaranteed\s+(?:income|returns|profit)",
    r"\d+x\s+(?:gem|returns?|profits?|growth)",
    r"presale",
)
JOB = phrases(
    r"resume",
    r"cv",
    r"curriculum\s+vitae",
    r"vacanc(?:y|ies)",
    r"job",
    r"naukri",
    r"internship",
    r"openings?\s+for",
    r"any\s+openings?",
    r"hiring",
    r"apply\s+for\s+(?:the\s+)?(?:post|position|role)",
    r"consider\s+me",
    r"(?:sales|marketing)\s+executive\s+post",
    r"नौकरी",
    r"empleo",
    r"candidature",
    r"(?:want|like)\s+to\s+work\s+(?:as|with|for|in)",
    r"\d+\s*(?:yrs?|years?)\.?\s+(?:of\s+)?exp(?:erience)?",
    r"kaam\s+(?:milega|chahiye|do)",
)
SUPPORT = phrases(
    r"defect(?:ive|s)?",
    r"defectos?",
    r"damaged?",
    r"broken",
    r"rotos?",
    r"refund",
    r"reembolso",
    r"rembourse\w*",
    r"repla(?:ce)?ment|replacment|replace\s+(?:it|them)",
    r"complaint",
    r"complain",
    r"worst",
    r"not\s+working",
    r"stopped\s+working",
    r"lifting",
    r"swollen",
    r"warranty",
    r"guarantee\s+claim",
    r"did\s*n[o']t\s+(?:turn\s+up|come|arrive)",
    r"no\s+one\s+(?:picks?\s+up|respond\w*|came)",
    r"colou?r\s+fade\w*|fad(?:ed|ing)|fade\s+ho",
    r"kharab",
    r"invoice\s+no",
    r"consumer\s+court",
    r"disappoint\w*",
    r"खराब",
    r"बदल\s*दीजिए",
    r"शिकायत",
    r"coming\s+off",
    r"came\s+off",
    r"peel(?:ing|ed)",
    r"(?:issue|problem)s?\s+with\s+(?:your|the|my)",
    r"please\s+help",
    r"order\s+(?:no|number|id)\.?",
    r"still\s+(?:pending|waiting|not\s+\w+)",
    r"not\s+(?:yet\s+)?(?:delivered|received)",
    r"delay(?:ed)?",
    r"never\s+(?:called|came|responded|replied|delivered)",
    r"poor\s+(?:service|quality|response)",
    r"(?:get|be|have)\s+(?:it|them|this)\s+replaced",
    r"stopped\s+\w+ing",
    r"nobody\s+(?:has\s+)?(?:called|come|came|responded|replied)",
    r"paid\s+(?:the\s+)?advance",
)
DEALER = phrases(
    r"dealer(?:ship)?s?",
    r"distribut(?:or|orship|ors)",
    r"distribuidor(?:es)?",
    r"distributeur",
    r"franchise",
    r"importar",
    r"stockist",
    r"channel\s+partner",
    r"डीलर\w*",
)
SITE_VISIT = phrases(
    r"site\s+visit",
    r"(?:visit|come\s+to)\s+(?:our|my|the)\s+(?:[\w-]+\s+){0,2}(?:site|home|house|flat|office|residence|place)",
    r"measure(?:ment)?s?",
    r"site\s+measurement",
    r"send\s+(?:your\s+)?(?:technical\s+)?(?:person|team|someone|engineer)\s+to\s+(?:our|my|the)\s+site",
    r"kab\s+aa\s+sakte",
    r"visit\s+kar\s+sakte",
    r"inspection\s+at\s+site",
    r"visite\s+(?:sur\s+)?(?:site|chantier)",
    r"साइट\s*विज़िट",
)
QUOTE_STRONG = phrases(
    r"quot(?:e|es|ation|ations)",
    r"qoute",
    r"estimate",
    r"proposal",
    r"pricing",
    r"devis",
    r"cotizaci[oó]n",
    r"presupuesto",
    r"budgetary",
)
QUOTE_WEAK = phrases(
    r"price\??",
    r"prices",
    r"rates?\??",
    r"cost",
    r"bhav",
    r"kimat|keemat",
    r"kitna\s+(?:lagega|hoga|padega)",
    r"how\s+much",
    r"precio",
    r"prix",
    r"tarif",
    r"sanga",
    r"supplier",
    r"कीमत",
    r"रेट",
    r"दाम",
)
SAMPLE = phrases(
    r"samples?",
    r"swatch(?:es)?",
    r"shade\s+cards?",
    r"[ée]chantillons?",
    r"muestras?",
    r"नमूने?",
)
CATALOG = phrases(
    r"cat[ae]?lou?g(?:ue|s)?",
    r"catlog",
    r"cat[aá]logo",
    r"brochures?",
    r"price\s+list",
)
INQUIRY = phrases(
    r"what\s+(?:options|kind|types?|range)",
    r"options",
    r"do\s+you\s+have",
    r"available\s+in",
    r"range",
    r"technical\s+(?:details|specs?|data)",
    r"fire\s+rating",
    r"certificat\w*",
    r"waterproof",
    r"understand",
    r"exploring",
    r"mailing\s+list",
    r"newsletter",
    r"new\s+launch(?:es)?",
    r"information",
    r"jankari|जानकारी",
    r"is\s+(?:your|it)\s+\w+",
    r"can\s+(?:it|they)\s+be\s+used",
    r"keep\s+me\s+(?:posted|updated|informed)",
    r"offers",
    r"updates",
)
SHOWROOM = phrases(
    r"experience\s+cent(?:re|er)",
    r"visit\s+your\s+(?:showroom|store|shop|gallery)",
    r"showroom\s+(?:kahan|kaha|where|address)",
    r"where\s+is\s+(?:your\s+)?showroom",
    r"dekhne\s+aana",
)
PRIOR_CONTACT = phrases(r"(?:i|we)\s+called", r"spoke\s+(?:to|with)", r"as\s+(?:asked|discussed)", r"baat\s+hui")
VENDOR_PITCH = phrases(r"supply\s+to\s+(?:your|you)", r"we\s+manufacture", r"purchase\s+(?:manager|department)")
GREETING_ONLY = re.compile(r"^\s*(?:hi+|hello|hey|namaste|test|ok)\W*$", re.IGNORECASE)

URGENT = phrases(
    r"urgent(?:ly)?",
    r"asap",
    r"immediately",
    r"this\s+week",
    r"(?:by\s+)?next\s+week",
    r"tender",
    r"starts?\s+(?:on\s+)?(?:monday|tomorrow)",
    r"turant",
    r"urgente",
    r"तुरंत",
)
ESCALATION = phrases(
    r"worst",
    r"consumer\s+court",
    r"legal\s+action",
    r"lawyer",
    r"urgent(?:ly)?",
    r"asap",
    r"poor\s+service",
    r"never\s+(?:called|came|responded|replied)",
    r"(?:second|third|fourth|fifth|\d+(?:nd|rd|th)|three|four|five|many|several|\d+)\s+times?",
)
COMMERCIAL = phrases(
    r"hotel",
    r"hospital",
    r"mall",
    r"school",
    r"campus",
    r"office",
    r"tower",
    r"restaurants?",
    r"fit-?out",
    r"auditorium",
    r"commercial",
    r"(?:residential|housing)\s+project",
    r"\d+-?(?:unit|room|bed|storey|floor)s?\b",
    r"\d+\s+(?:villas|flats|apartments|houses|homes|bungalows)",
)
WHOLE_HOME = phrases(r"bungalow", r"whole\s+(?:house|home)", r"entire\s+(?:house|home)", r"puri\s+flooring")
DEFERRAL = phrases(
    r"just\s+exploring",
    r"not\s+in\s+a\s+hurry",
    r"next\s+year",
    r"in\s+\d+\s*(?:-\s*\d+)?\s+months",
    r"mailing\s+list",
    r"new\s+launch(?:es)?",
    r"in\s+(?:the\s+)?future",
    r"baad\s+me",
)

PROFESSIONS = {
    "interior_designer": phrases(r"interior\s+design(?:er)?", r"architecte\s+d'int[ée]rieur", r"dise[ñn]ador"),
    "architect": phrases(r"architects?", r"arquitect[oa]", r"architecte"),
    "builder": phrases(r"builders?", r"developers?", r"construction\s+company", r"entreprise\s+de\s+construction"),
    "contractor": phrases(r"contractors?", r"thekedar"),
}
