from django.conf import settings


def billfold(request):
    return {"BILLFOLD_DEMO": settings.BILLFOLD_DEMO}
