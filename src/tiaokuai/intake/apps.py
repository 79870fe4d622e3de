from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "tiaokuai.intake"
    label = "intake"
    verbose_name = _("Citizen requests")

    def ready(self) -> None:
        from . import audit_actions, routing_sources, sweeps

        sweeps.register()
        routing_sources.register()
        audit_actions.register()
        _register_pages()


def _register_pages() -> None:
    """Left-navigation entries and home cards (rendered by the shell)."""
    from tiaokuai.core.registry import NavEntry, register_home_cards, register_nav, register_todo
    from tiaokuai.org.choices import Role

    from . import selectors, todo

    register_todo("intake", todo.todo, order=150)
    register_todo("hotline_calls", todo.hotline_todo, order=151)
    register_home_cards("intake", selectors.home_cards, order=150)
    section = _("Citizen requests")
    register_nav(
        NavEntry(section, _("Take a hotline call"), "intake:hotline", frozenset({Role.LEADER, Role.HOTLINE}),
                 order=200),
        NavEntry(section, _("Report from the field"), "intake:field",
                 frozenset({Role.GRID_WORKER, Role.PROXY_AGENT}), order=205),
        NavEntry(section, _("Request inbox"), "intake:inbox", frozenset({Role.DEPARTMENT, Role.TOWNSHIP}),
                 order=210),
        NavEntry(section, _("Requests"), "intake:list",
                 frozenset({Role.LEADER, Role.HOTLINE, Role.SUPERVISION, Role.ESTABLISHMENT_OFFICE, Role.TOWNSHIP,
                            Role.DEPARTMENT, Role.GRID_WORKER, Role.PROXY_AGENT}), order=220),
        NavEntry(section, _("Overdue requests (supervision)"), "intake:supervision",
                 frozenset({Role.SUPERVISION, Role.LEADER}), order=230),
        NavEntry(section, _("Supervision items and interviews"), "intake:supervision_items",
                 frozenset({Role.SUPERVISION}), order=235),
        NavEntry(section, _("Request figures"), "intake:figures",
                 frozenset({Role.LEADER, Role.SUPERVISION, Role.ESTABLISHMENT_OFFICE}), order=238),
        NavEntry(section, _("Callbacks to make"), "intake:callbacks", frozenset({Role.LEADER, Role.HOTLINE}),
                 order=240),
    )
