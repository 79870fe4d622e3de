from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tiaokuai.core.access import viewer_for
from tiaokuai.core.paging import paginate

from . import selectors


@login_required
def organisation_list(request):
    orgs = selectors.visible_organisations(viewer_for(request.user))
    return render(request, "org/organisation_list.html", {"page_obj": paginate(request, orgs)})
