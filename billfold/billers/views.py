from django.shortcuts import render

from billfold.billers.selectors import biller_list_with_counts


def start(request):
    return render(request, "billers/start.html", {"billers": biller_list_with_counts()})
