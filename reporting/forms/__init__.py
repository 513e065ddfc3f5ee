"""Forms for the online journey (one question per page) and the call-centre phone report.

The phone report page is the same step forms shown together, so both channels validate
alike; `for_staff=True` words the questions about "the caller" instead of "you".
"""

from .base import BEST_TIMES, HATE_CHARACTERISTICS, SUPPORT_NEEDS, YES_NO_NOT_SURE, StepForm
from .incident import (
    CategoryForm,
    DescriptionForm,
    EvidenceForm,
    LocationForm,
    MultipleFileField,
    MultipleFileInput,
    OtherCategoriesForm,
    PeopleForm,
    SupportForm,
    WhenForm,
    YourPartForm,
)
from .reporter import (
    AboutYouForm,
    AnonymousForm,
    CheckAnswersForm,
    ConsentForm,
    ContactPreferencesForm,
    CustomerGroupForm,
    submission_from,
)

__all__ = [
    "BEST_TIMES", "HATE_CHARACTERISTICS", "SUPPORT_NEEDS", "YES_NO_NOT_SURE", "AboutYouForm", "AnonymousForm",
    "CategoryForm", "CheckAnswersForm", "ConsentForm", "ContactPreferencesForm", "CustomerGroupForm", "DescriptionForm",
    "EvidenceForm", "LocationForm", "MultipleFileField", "MultipleFileInput", "OtherCategoriesForm", "PeopleForm", "StepForm", "SupportForm",
    "WhenForm", "YourPartForm", "submission_from",
]
