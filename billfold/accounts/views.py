from django.shortcuts import render

from billfold.billers.selectors import biller_get


def portal_home(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    return render(request, "accounts/home.html", {"biller": biller})
