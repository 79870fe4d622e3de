from django.tasks import task


@task()
def retrain() -> int:
    from .services import routing_train

    return routing_train().pk
