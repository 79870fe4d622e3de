import datetime as dt

from tiaokuai.core.models import AuditEvent
from tiaokuai.duties.models import Assignment, ListRelease, Matter, ProcessStep


def counts():
    return (ListRelease.objects.count(), Matter.objects.count(), Assignment.objects.count(),
            ProcessStep.objects.count(), AuditEvent.objects.count())


D1 = dt.date(2026, 1, 1)
D2 = dt.date(2026, 7, 1)
