"""Reference data every installation needs: role groups, categories, risk questions, action types, partners.

Used by migration 0002 (with historical models) and by the test suite, whose transactional
tests truncate tables.
"""

GROUPS = ["Call centre", "ASB officer", "Manager"]
PARTNER_GROUPS = ["Partner user", "Partner lead"]

CATEGORIES = [
    # (name, asb_type, hint)
    ("Noise", "nuisance", "Loud music, shouting, barking, parties"),
    ("Rowdy or inconsiderate behaviour", "nuisance", "Groups causing a nuisance, drunken behaviour"),
    ("Neighbour dispute", "personal", "Ongoing problems between neighbours"),
    ("Vehicle nuisance", "nuisance", "Off-road bikes, racing, revving engines, abandoned vehicles"),
    ("Street drinking", "nuisance", ""),
    ("Drug use or dealing", "nuisance", ""),
    ("Littering or fly-tipping", "environmental", ""),
    ("Graffiti, vandalism or criminal damage", "environmental", ""),
    ("Animal nuisance", "nuisance", "Dog fouling, dangerous or nuisance animals"),
    ("Trespass", "nuisance", ""),
    ("Begging", "nuisance", ""),
    ("Fireworks", "nuisance", ""),
    ("Intimidation or harassment", "personal", "Threats, verbal abuse, being targeted"),
    ("Hate-motivated incident", "personal", "Targeted because of race, religion, sexual orientation, disability or transgender identity"),
    ("Other", "nuisance", "Something not listed here"),
]


# (text, hint, weight, forces high). Scored yes/no; a manager edits questions, weights and bands in the admin.
RISK_QUESTIONS = [
    ("Has the victim been targeted again and again (three or more incidents)?", "", 3, False),
    ("Does the victim have a disability, a long-term illness or a mental health condition?", "", 2, False),
    ("Is it affecting the victim's daily life, such as sleep, work, school or going out?", "", 2, False),
    ("Is the victim afraid for their own safety or their family's?", "", 3, False),
    ("Does the victim think they are targeted because of who they are?", "Race, religion, sexual orientation, disability or transgender identity", 3, False),
    ("Are there children in the household?", "", 1, False),
    ("Does the victim live alone or have little support from family, friends or services?", "", 2, False),
    ("Has the victim reported anti-social behaviour to us or the police before?", "", 2, False),
    ("Has there been violence, or threats of violence?", "A yes makes the case high risk", 3, True),
    ("Has the victim spoken about harming themselves?", "A yes makes the case high risk: also follow the safeguarding procedure", 3, True),
]
RISK_BANDS = {"medium_from": 7, "high_from": 14}
# The few words said beside the score when a yes forces high risk ("High: violence or threats reported").
RISK_SHORT_LABELS = {
    "Has there been violence, or threats of violence?": "violence or threats reported",
    "Has the victim spoken about harming themselves?": "victim has spoken about self-harm",
}

# (slug, name, formality, default duration in days, appeal window in days, minimum age, description)
ACTION_TYPES = [
    ("warning-letter", "Advice or warning letter", 10, None, None, None, "Informal: explains the behaviour and what happens if it goes on"),
    ("mediation", "Mediation", 20, None, None, None, "Independent mediation between the parties"),
    ("abc", "Acceptable Behaviour Contract", 30, 183, None, None, "Voluntary written agreement, usually for 6 months"),
    ("cpw", "Community Protection Warning", 40, None, None, 16, "Written warning before a Community Protection Notice"),
    ("pspo-breach", "Public Spaces Protection Order breach", 45, None, None, None, "Breach of a PSPO: fixed penalty or prosecution"),
    ("cpn", "Community Protection Notice", 50, None, 21, 16, "Requirements to stop the behaviour; appeal within 21 days; breach can bring a fixed penalty"),
    ("injunction", "Civil injunction", 60, None, None, 10, "Court order under Part 1 of the 2014 Act"),
    ("cbo", "Criminal Behaviour Order", 70, None, None, None, "Made by a criminal court on conviction"),
    ("closure-notice", "Closure notice", 80, 2, None, None, "Closes premises for up to 48 hours until the court hears the closure order"),
    ("closure-order", "Closure order", 90, 92, None, None, "Up to 3 months, extendable to 6"),
    ("other", "Other action", 100, None, None, None, ""),
]

PARTNER_AGENCIES = [
    "Leicestershire Police",
    "Leicester Fire and Rescue Service",
    "NHS",
    "Social Services",
    "Children and Family Wellbeing Service",
    "Education establishments (schools and colleges)",
    "Community Safety Partnership",
    "Housing providers",
]
AGENCY_KINDS = {
    "Leicestershire Police": "police",
    "Leicester Fire and Rescue Service": "fire",
    "NHS": "health",
    "Social Services": "social_care",
    "Children and Family Wellbeing Service": "family",
    "Education establishments (schools and colleges)": "education",
    "Community Safety Partnership": "csp",
    "Housing providers": "housing",
}


# kind: (cases, months). A repeat victim or perpetrator: on 3 cases with a report in the last 12 months.
REPEAT_RULES = {"victim": (3, 12), "perpetrator": (3, 12)}


def reference_data_ensure(apps=None) -> None:
    """Create whatever is missing; never changes what a manager has edited."""
    groups_and_categories_ensure(apps)
    casework_reference_ensure(apps)
    partner_reference_ensure(apps)
    register_reference_ensure(apps)


def _apps(apps):
    if apps is None:
        from django.apps import apps
    return apps


def groups_and_categories_ensure(apps=None) -> None:
    """Migration 0002's data."""
    apps = _apps(apps)
    Group = apps.get_model("auth", "Group")
    Category = apps.get_model("cases", "Category")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    for order, (name, asb_type, hint) in enumerate(CATEGORIES, start=1):
        slug = name.lower().replace(",", "").replace(" or ", "-or-").replace(" ", "-")
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "asb_type": asb_type, "hint": hint, "display_order": order * 10}
        )


def casework_reference_ensure(apps=None) -> None:
    """Migration 0004's data: risk questions, action types, partner agencies."""
    apps = _apps(apps)
    RiskQuestionSet = apps.get_model("cases", "RiskQuestionSet")
    RiskQuestion = apps.get_model("cases", "RiskQuestion")
    ActionType = apps.get_model("cases", "ActionType")
    PartnerAgency = apps.get_model("cases", "PartnerAgency")
    if not RiskQuestionSet.objects.exists():
        question_set = RiskQuestionSet.objects.create(name="ASB risk assessment", is_active=True, **RISK_BANDS)
        # Migration 0004 runs this before RiskQuestion had short_label (0014 adds it and fills the labels then).
        labelled = any(f.name == "short_label" for f in RiskQuestion._meta.get_fields())
        for order, (text, hint, weight, forces_high) in enumerate(RISK_QUESTIONS, start=1):
            extra = {"short_label": RISK_SHORT_LABELS.get(text, "")} if labelled else {}
            RiskQuestion.objects.create(
                question_set=question_set, text=text, hint=hint, weight=weight, forces_high=forces_high, display_order=order * 10,
                **extra,
            )
    for slug, name, formality, duration, appeal, age, description in ACTION_TYPES:
        ActionType.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "formality": formality, "default_duration_days": duration, "appeal_days": appeal,
                      "minimum_age": age, "description": description},
        )
    for name in PARTNER_AGENCIES:
        PartnerAgency.objects.get_or_create(name=name)


def partner_reference_ensure(apps=None) -> None:
    """Migration 0017's data: the partner roles' groups and each reference agency's kind."""
    apps = _apps(apps)
    Group = apps.get_model("auth", "Group")
    PartnerAgency = apps.get_model("cases", "PartnerAgency")
    for name in PARTNER_GROUPS:
        Group.objects.get_or_create(name=name)
    for name, kind in AGENCY_KINDS.items():
        PartnerAgency.objects.filter(name=name, kind="other").update(kind=kind)


def register_reference_ensure(apps=None) -> None:
    """Migration 0019's data: the repeat rules' defaults (a manager edits them)."""
    apps = _apps(apps)
    RepeatRule = apps.get_model("cases", "RepeatRule")
    for kind, (cases, months) in REPEAT_RULES.items():
        RepeatRule.objects.get_or_create(kind=kind, defaults={"cases": cases, "months": months})
