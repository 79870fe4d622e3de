from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.listing import export_xlsx, list_page
from tiaokuai.org.forms import apply_errors

from . import selectors, services, tasks
from .forms import MatterTermsForm
from .models import ModelVersion


@login_required
def suggestions(request):
    """htmx partial: suggestions for the text typed in a raise or intake form."""
    text = " ".join(request.GET.get(k, "") for k in ("title", "description", "text")).strip()
    return render(request, "routing/_suggestions.html", {"suggestions": selectors.suggest(text)})


@login_required
def queue(request):
    """Work waiting to be routed (the oldest QUEUE_LIMIT, every source) on the list pattern: search, sort, paging,
    xlsx; the router is asked only for the rows on the page."""
    viewer = viewer_for(request.user)
    if not viewer.can_edit_registry:
        raise Http404
    q = (request.GET.get("q") or "").strip()[:100]
    waiting = selectors.routing_queue(viewer, limit=QUEUE_LIMIT, q=q)
    lp = list_page(request, waiting, sorts=QUEUE_SORTS, default="number", filters={"q": q}, personal_data=True,
                   columns=[(_("Number"), "number"), (_("Place"), "place"), (_("Description"), ""),
                            (_("Suggestions"), "")])
    if lp.export:
        return export_xlsx(request, "routing-queue", [_("Number"), _("Place"), _("Description"), _("First suggestion")],
                           lambda unmasked: ([w.number, w.place, w.description, _first_suggestion(w.description)]
                                             for w in lp.rows_for_export()),
                           what="routing.queue", label=_("Routing queue"), filters={"q": q})
    text = request.GET.get("text", "")
    return render(
        request,
        "routing/queue.html",
        {
            "list": lp,
            "rows": [(w, selectors.suggest(w.description)) for w in lp.page_obj],
            "q": q,
            "queue_limit": QUEUE_LIMIT,
            "second_look": selectors.second_look(viewer),
            "versions": ModelVersion.objects.all()[:10],
            "active": selectors.active_version(),
            "text": text,
            "try_suggestions": selectors.suggest(text) if text else [],
        },
    )


QUEUE_LIMIT = 100  # the oldest pieces of work waiting, from every source
QUEUE_SORTS = {"number": lambda w: w.number, "place": lambda w: (w.place, w.number)}


def _first_suggestion(text: str) -> str:
    suggestions = selectors.suggest(text)
    return f"{suggestions[0].matter_name}（{suggestions[0].matter_code}）" if suggestions else ""


@login_required
@require_POST
def retrain(request):
    if not viewer_for(request.user).can_edit_registry:
        raise Http404
    tasks.retrain.enqueue()
    messages.info(
        request, _("Retraining has been queued; the new model is switched in only if it is better.")
    )
    return redirect("routing:queue")


@login_required
def vocabulary(request):
    """The words the router knows for each matter; the establishment office adds and removes them."""
    viewer = viewer_for(request.user)
    try:
        matters = selectors.vocabulary(viewer)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = MatterTermsForm(
        request.POST or None, matters=matters, initial={"matter_code": request.GET.get("matter", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.matter_terms_add(actor=request.user, **form.cleaned_data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(n)d word(s) added; the router learns them at the next retraining, which has been queued."
                )
                % {"n": len(added)},
            )
            return redirect(f"{request.path}#matter-{added[0].matter_code}")
    return render(request, "routing/vocabulary.html", {"matters": matters, "form": form})


@login_required
@require_POST
def vocabulary_remove(request, pk: int):
    try:
        services.matter_term_remove(actor=request.user, term_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.info(request, _("The word was removed; retraining has been queued."))
    return redirect("routing:vocabulary")
