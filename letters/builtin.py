"""The built-in templates' wording (installed by migration 0002, and again by a later migration or
`templates_install_current()` for databases that had none; managers edit it afterwards).

Plain text with {placeholders} from letters.fields; paragraphs are separated by a blank line. The statutory paragraphs
are placeholders ({appeal_rights}, {offence_and_penalty} ...) whose wording comes from settings, so it is kept whole.
"""

FIRST_CONTACT = """Dear {recipient_name}

Thank you for reporting {category} to us. Your case reference is {case_reference}. I am {officer_name}, the anti-social behaviour officer looking after your case.

I will be in touch to talk about what has been happening and what we can do. We will send you an update at least every {update_every} while your case is open.

{message}

You can follow your case, add entries to your incident diary and send us evidence online at:
{case_page_link}

Keep this link safe: anyone who has it can see your case page. If you need to speak to us, call the anti-social behaviour team on {team_phone} and quote your reference.

Yours sincerely

{officer_name}
Anti-social Behaviour Team, {council_name}"""

UPDATE = """Dear {recipient_name}

Your case reference: {case_reference}

I am writing with an update on your report of {category}.

{update_text}

You can see every update on your case, add entries to your incident diary and send us evidence online at:
{case_page_link}

If anything else happens, or you would like to talk about your case, call the anti-social behaviour team on {team_phone} and quote your reference.

Yours sincerely

{officer_name}
Anti-social Behaviour Team, {council_name}"""

WARNING = """Dear {recipient_name}

We have received reports of anti-social behaviour that we believe involves you, at or near {case_address}.

The behaviour reported is:
{behaviour}

{what_must_stop}

This behaviour must stop. If it continues, the council and its partners may take further action against you, which can include a Community Protection Notice, a civil injunction or, where you are a tenant, action against your tenancy.

If you would like to talk about this letter, or you need support, call me on {team_phone} and quote reference {case_reference}.

Yours sincerely

{officer_name}
Anti-social Behaviour Team, {council_name}"""

ABC = """This Acceptable Behaviour Contract is a voluntary written agreement. It is not a legal order, but breaking it may be used as evidence if further action is needed.

The parties to this contract:
{parties}

The behaviours. You agree:
{behaviours}

The support offered to help you keep to this contract:
{support_offered}

If you break this contract:
{consequences}

This contract will be reviewed on {review_date}. It lasts for 6 months from the date it is signed unless the review decides otherwise.

Signed by each party:

.............................................. (the person)     Date ....................

.............................................. for {council_name}     Date ....................

Contact: {officer_name}, Anti-social Behaviour Team, {team_phone}. Reference {case_reference}."""

CPW = """Anti-social Behaviour, Crime and Policing Act 2014, section 43

To: {recipient_name}

{council_name} is satisfied that your conduct is having a detrimental effect, of a persistent or continuing nature, on the quality of life of those in the locality, and that the conduct is unreasonable.

The conduct:
{conduct}

This is a written warning. The conduct must stop, and you must do the following:
{requirements}

You must do this by {comply_by}.

{notice_may_follow}

Issued by {officer_name}, an authorised officer of {council_name}. If you have any questions about this warning, call {team_phone} and quote reference {case_reference}."""

CPN = """Anti-social Behaviour, Crime and Policing Act 2014, section 43

To: {recipient_name}

You were given a written warning that your conduct must stop and that a Community Protection Notice may follow. You have had enough time to deal with the matter and your conduct has not changed. {council_name} is satisfied that the conduct is having a detrimental effect, of a persistent or continuing nature, on the quality of life of those in the locality, and that it is unreasonable.

The conduct:
{conduct}

The requirements. You must:
{requirements}

You must comply by {comply_by}.

{offence_and_penalty}

{appeal_rights}

Issued by {officer_name}, an authorised officer of {council_name}. If you have any questions about this notice, call {team_phone} and quote reference {case_reference}."""

CLOSURE_NOTICE = """Anti-social Behaviour, Crime and Policing Act 2014, section 76

The premises:
{premises}

{council_name} is satisfied that the use of these premises has resulted, or is likely soon to result, in nuisance to members of the public, or that there has been, or is likely soon to be, disorder near these premises associated with their use, and that this notice is necessary to prevent it.

The effect of this notice:
{effect}

{offence}

{order_application}

The hearing: the application will be heard at {hearing_place} at {hearing_at}.

{advice_services}

Issued by {officer_name} for {council_name}. Reference {case_reference}. Telephone {team_phone}."""

CASE_REVIEW_OUTCOME = """Dear {applicant_name}

Your ASB Case Review, reference {case_reference}

Thank you for asking for an ASB Case Review. The council and its partners have now reviewed how your reports of {category} were dealt with.

The outcome:
{outcome}

Our recommendations:
{recommendations}

We will write to you again as the recommendations are carried out. If you are not satisfied with how the review was done, you can ask for it to be looked at again by calling {team_phone}.

Yours sincerely

{officer_name}
on behalf of {council_name} and its partners"""

BUILTIN: dict = {
    "first_contact": ("First contact letter", "About your report of anti-social behaviour", FIRST_CONTACT),
    "update": ("Update letter", "An update on your case", UPDATE),
    "warning": ("Warning letter", "Warning: anti-social behaviour", WARNING),
    "abc": ("Acceptable Behaviour Contract", "Acceptable Behaviour Contract", ABC),
    "cpw": ("Community Protection Warning", "Community Protection Warning", CPW),
    "cpn": ("Community Protection Notice", "Community Protection Notice", CPN),
    "closure_notice": ("Closure notice", "Closure notice", CLOSURE_NOTICE),
    "case_review_outcome": ("Case Review outcome letter", "The outcome of your ASB Case Review", CASE_REVIEW_OUTCOME),
}


def templates_install(DocumentTemplate, TemplateChange) -> None:
    """Create each built-in template that is missing (never overwrites a manager's wording). Idempotent: a
    migration may call it again with its historical models, or code with the real ones."""
    from django.utils import timezone

    for kind, (name, heading, wording) in BUILTIN.items():
        template, created = DocumentTemplate.objects.get_or_create(
            kind=kind, defaults={"name": name, "heading": heading, "wording": wording, "version": 1})
        if created:
            TemplateChange.objects.get_or_create(template=template, version=1, defaults={
                "heading": heading, "wording": wording, "changed_at": timezone.now()})


def templates_install_current() -> None:
    """templates_install with the current models (tests, a shell, a data migration's RunPython in a pinch)."""
    from letters.models import DocumentTemplate, TemplateChange

    templates_install(DocumentTemplate, TemplateChange)


def templates_install_migration(apps, schema_editor) -> None:
    """For a data migration: `migrations.RunPython(templates_install_migration, migrations.RunPython.noop)`."""
    templates_install(apps.get_model("letters", "DocumentTemplate"), apps.get_model("letters", "TemplateChange"))
