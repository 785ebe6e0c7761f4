"""Template helpers for showing a biller's settings in words."""

from django import template

from billfold.billers.models import EnrollmentMethod

register = template.Library()


@register.filter
def enrollment_labels(codes) -> list[str]:
    """Human names of enrollment method codes, in the active language."""
    labels = []
    for code in codes or []:
        try:
            labels.append(str(EnrollmentMethod(code).label))
        except ValueError:
            labels.append(str(code))
    return labels
