"""Built-in journey templates, from the reference articles on the customer journey.

The five-stage table (customer status, goal, success metric) follows the comparison
table of stages in the reference material; touchpoints are the typical ones per stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# key: (name_en, name_fr, channel)
TOUCHPOINTS = {
    "website": ("Website", "Site web", "digital"),
    "mobile_app": ("Mobile app", "Application mobile", "digital"),
    "email": ("Email", "E-mail", "digital"),
    "social_media": ("Social media", "Réseaux sociaux", "digital"),
    "search_ads": ("Search and ads", "Recherche et publicité", "digital"),
    "phone_support": ("Phone support", "Service client téléphonique", "human"),
    "chat_support": ("Chat support", "Chat d'assistance", "digital"),
    "physical_store": ("Store", "Magasin", "physical"),
    "checkout": ("Checkout", "Paiement", "digital"),
    "delivery": ("Delivery", "Livraison", "physical"),
    "packaging": ("Packaging", "Emballage", "physical"),
    "product": ("Product", "Produit", "physical"),
    "billing": ("Billing", "Facturation", "digital"),
    "returns": ("Returns", "Retours", "physical"),
    "loyalty_program": ("Loyalty programme", "Programme de fidélité", "digital"),
    "review_site": ("Review sites", "Sites d'avis", "digital"),
    "word_of_mouth": ("Word of mouth", "Bouche-à-oreille", "human"),
    "sales_call": ("Sales call", "Appel commercial", "human"),
    "demo": ("Product demo", "Démonstration", "human"),
    "pricing_page": ("Pricing page", "Page tarifs", "digital"),
    "onboarding": ("Onboarding", "Prise en main", "digital"),
}

# Moments of truth: where customers settle their loyalty or leave.
MOMENTS_OF_TRUTH = {"checkout", "delivery", "phone_support", "returns", "pricing_page"}


@dataclass(frozen=True)
class StageTemplate:
    key: str
    name_en: str
    name_fr: str
    customer_status: str = ""
    goal: str = ""
    kpi: str = ""
    touchpoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class JourneyTemplate:
    """A built-in journey: its name and description are read on the new-journey page (lazy
    translations); its stages' names are stored in both languages, their status, goal and
    metric as written here, for the researcher to edit."""

    key: str
    name: str
    description: str
    stages: tuple[StageTemplate, ...]


TEMPLATES = {
    t.key: t
    for t in (
        JourneyTemplate(
            "five-stage",
            _l("Five-stage customer journey"),
            _l("Awareness, consideration, purchase, retention and advocacy."),
            (
                StageTemplate(
                    "awareness",
                    "Awareness",
                    "Sensibilisation",
                    "Prospect, unknown",
                    "Discover that the brand exists",
                    "Reach, impressions, brand awareness",
                    ("search_ads", "social_media", "word_of_mouth", "review_site"),
                ),
                StageTemplate(
                    "consideration",
                    "Consideration",
                    "Considération",
                    "Prospect, known",
                    "Evaluate the options",
                    "Engagement, time spent, click-through rate",
                    ("website", "review_site", "email", "chat_support"),
                ),
                StageTemplate(
                    "purchase",
                    "Purchase",
                    "Achat",
                    "Prospect, ready",
                    "Make the purchase decision",
                    "Conversion rate, sales",
                    ("website", "mobile_app", "checkout", "physical_store", "billing"),
                ),
                StageTemplate(
                    "retention",
                    "Retention",
                    "Fidélisation",
                    "Customer",
                    "Stay satisfied",
                    "Repurchase rate, CSAT",
                    (
                        "delivery",
                        "packaging",
                        "product",
                        "email",
                        "phone_support",
                        "chat_support",
                        "returns",
                        "loyalty_program",
                    ),
                ),
                StageTemplate(
                    "advocacy",
                    "Advocacy",
                    "Promotion",
                    "Loyal customer",
                    "Recommend the brand",
                    "Referral rate, NPS",
                    ("review_site", "social_media", "word_of_mouth", "loyalty_program"),
                ),
            ),
        ),
        JourneyTemplate(
            "b2b-three-stage",
            _l("B2B three-stage journey"),
            _l("Discovery, consideration and decision, for business buyers."),
            (
                StageTemplate(
                    "discovery",
                    "Discovery",
                    "Découverte",
                    "Prospect",
                    "Recognise a need and find possible suppliers",
                    "Qualified leads",
                    ("search_ads", "social_media", "word_of_mouth"),
                ),
                StageTemplate(
                    "consideration",
                    "Consideration",
                    "Réflexion",
                    "Qualified prospect",
                    "Compare solutions with the buying committee",
                    "Demo requests, engagement",
                    ("website", "pricing_page", "demo", "email"),
                ),
                StageTemplate(
                    "decision",
                    "Decision",
                    "Décision",
                    "Ready to buy",
                    "Choose a supplier and sign",
                    "Win rate, sales cycle length",
                    ("sales_call", "billing", "onboarding"),
                ),
            ),
        ),
        JourneyTemplate(
            "post-purchase",
            _l("Journey with post-purchase"),
            _l("From discovery to what happens after the order."),
            (
                StageTemplate(
                    "discovery",
                    "Discovery",
                    "Découverte",
                    "Prospect",
                    "Discover the brand",
                    "Reach",
                    ("search_ads", "social_media"),
                ),
                StageTemplate(
                    "consideration",
                    "Consideration",
                    "Considération",
                    "Prospect",
                    "Evaluate the options",
                    "Engagement",
                    ("website", "review_site"),
                ),
                StageTemplate(
                    "decision",
                    "Decision",
                    "Décision",
                    "Ready to buy",
                    "Choose",
                    "Add-to-cart rate",
                    ("website", "chat_support"),
                ),
                StageTemplate(
                    "purchase",
                    "Purchase",
                    "Achat",
                    "Buyer",
                    "Pay without friction",
                    "Conversion rate",
                    ("checkout", "billing"),
                ),
                StageTemplate(
                    "post_purchase",
                    "Post-purchase",
                    "Après-achat",
                    "Customer",
                    "Receive, use, get help",
                    "CSAT, repurchase rate",
                    ("delivery", "packaging", "product", "phone_support", "returns"),
                ),
            ),
        ),
        JourneyTemplate(
            "aida",
            "AIDA",
            _l("Attention, interest, desire, action."),
            (
                StageTemplate(
                    "attention",
                    "Attention",
                    "Attention",
                    "Unaware",
                    "Get noticed",
                    "Reach",
                    ("search_ads", "social_media"),
                ),
                StageTemplate(
                    "interest",
                    "Interest",
                    "Intérêt",
                    "Curious",
                    "Hold interest",
                    "Engagement",
                    ("website", "email"),
                ),
                StageTemplate(
                    "desire",
                    "Desire",
                    "Désir",
                    "Interested",
                    "Make them want it",
                    "Add-to-cart rate",
                    ("website", "review_site"),
                ),
                StageTemplate(
                    "action",
                    "Action",
                    "Action",
                    "Buyer",
                    "Buy",
                    "Conversion rate",
                    ("checkout", "physical_store"),
                ),
            ),
        ),
    )
}

DEFAULT_TEMPLATE = "five-stage"
