from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import selectors
from .access import viewer_for
from .forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    viewer = viewer_for(request.user)
    cards = []
    for card in selectors.home_cards(viewer):
        try:
            card["url"] = reverse(card["url_name"]) if card.get("url_name") else None
        except NoReverseMatch:
            card["url"] = None
        cards.append(card)
    return render(request, "core/home.html", {"cards": cards, "title": _("Home")})
