"""The workflow table of list releases (see core.workflow): a draft is published once and never changes."""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core.workflow import Workflow, action

from .choices import ReleaseStatus

RELEASE = Workflow("duties.release", ReleaseStatus, (
    action("publish", [ReleaseStatus.DRAFT], ReleaseStatus.PUBLISHED, who="office", audit="duties.release.publish",
           label=_("Publish")),
))
