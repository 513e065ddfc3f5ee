"""Walking the online journey with Django's test client."""

from cases.models import Category

PREFIX = "online_report_wizard"
DONE_STEP = "sent"


def step_url(step):
    return f"/report/step/{step}/"


def answers(**overrides):
    """A complete, valid set of answers, keyed by step."""
    noise = Category.objects.get(slug="noise").pk
    steps = {
        "category": {"category-category": noise},
        "other-categories": {},
        "location": {"location-address": "14 Bell Street", "location-postcode": "le18 1aa", "location-location_description": ""},
        "when": {
            "when-is_ongoing": "no",
            "when-incident_date_0": "20",
            "when-incident_date_1": "11",
            "when-incident_date_2": "2026",
            "when-incident_time": "22:15",
        },
        "description": {"description-description": "Loud music until 3am", "description-impact": "I cannot sleep"},
        "people": {"people-perpetrator_known": "named", "people-perpetrator_name": "Flat 3"},
        "your-part": {"your-part-reporter_role": "victim"},
        "support": {"support-hate_motivated": "no"},
        "evidence": {},
        "anonymous": {"anonymous-anonymous": "no"},
        "about-you": {"about-you-full_name": "Margaret Ellis", "about-you-email": "margaret@example.com", "about-you-phone": "07700 900123"},
        "customer-group": {"customer-group-customer_group": "council_tenant"},
        "contact-preferences": {"contact-preferences-preferred_contact_method": "email", "contact-preferences-best_times": ["evening"]},
        "consent": {"consent-consent_to_share": "yes"},
        "check": {},
    }
    for step, data in overrides.items():
        steps[step] = data
    return steps


def post_step(client, step, data, **extra):
    payload = {f"{PREFIX}-current_step": step, **data}
    return client.post(step_url(step), payload, **extra)


def walk(client, steps, *, until=None, visited=None):
    """Answer every step in order (skipping ones the journey skips); stop before `until`."""
    response = client.get("/report/begin/")
    assert response.status_code == 302
    url = response["Location"]
    while True:
        step = url.rstrip("/").split("/")[-1]
        if step == until:
            return url
        if visited is not None:
            visited.append(step)
        if step == DONE_STEP:
            response = client.get(url)  # formtools finishes the journey on this GET
        else:
            response = post_step(client, step, steps[step])
        assert response.status_code == 302, (step, response.content.decode()[:3000])
        url = response["Location"]
        if not url.startswith("/report/step/"):
            return url
