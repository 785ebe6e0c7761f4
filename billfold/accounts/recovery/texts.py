"""Words of billfold.accounts.questions, kept here so that the recovery
catalog (this folder's locale/) translates them."""

from django.utils.translation import gettext_lazy as _

QUESTIONS = [
    ("first_pet", _("What was the name of your first pet?")),
    ("birth_city", _("In what city were you born?")),
    ("first_school", _("What was the name of your first school?")),
    ("childhood_friend", _("What is the first name of your childhood best friend?")),
    ("first_car", _("What was the make of your first car?")),
    ("mother_birth_city", _("In what city was your mother born?")),
    ("first_job", _("What was the name of the company of your first job?")),
    ("favourite_teacher", _("What was the last name of your favourite teacher?")),
    ("first_street", _("What was the name of the street you grew up on?")),
    ("wedding_city", _("In what city did you meet your spouse or partner?")),
]
CHOOSE_QUESTION = _("Choose a question")
QUESTION_LABEL = _("Question %(number)s")
ANSWER_LABEL = _("Answer %(number)s")
DIFFERENT_QUESTIONS = _("Choose different questions.")
ANSWER_TOO_SHORT = _("Give an answer of at least %(count)s letters or digits.")
