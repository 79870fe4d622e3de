from django.shortcuts import render
from django.utils import timezone

from . import selectors
from .choices import ListKind


def public_list(request):
    release = selectors.release_in_force(ListKind.RESPONSIBILITY, timezone.localdate())
    matters = selectors.matters_of(release) if release else []
    return render(request, "duties/public_list.html", {"release": release, "matters": matters})
