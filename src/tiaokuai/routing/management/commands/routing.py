import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Text routing: evaluate on CSV files, train the county's model, suggest for a text, status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser(
            "evaluate", help="fit on TRAIN.csv alone, measure on TEST.csv (id,title,body,label)"
        )
        ev.add_argument("--train", required=True)
        ev.add_argument("--test", required=True)
        ev.add_argument("--json", action="store_true")
        tr = sub.add_parser(
            "train", help="train from the list in force and history; switch in only if better"
        )
        tr.add_argument("--target-precision", type=float, default=None)
        sg = sub.add_parser("suggest", help="suggest matters and bodies for a text")
        sg.add_argument("text")
        sg.add_argument("-k", type=int, default=3)
        sub.add_parser("status", help="the model in use, its training date and measured accuracy")

    def handle(self, *args, action, **opts):
        if action == "evaluate":
            from tiaokuai.routing.evaluate import main

            argv = ["--train", opts["train"], "--test", opts["test"]] + (["--json"] if opts["json"] else [])
            code = main(argv)
            if code:
                raise CommandError(f"evaluate failed ({code})")
        elif action == "train":
            from tiaokuai.routing.services import routing_train

            v = routing_train(target_precision=opts["target_precision"])
            self.stdout.write(
                json.dumps(
                    {
                        "id": v.pk,
                        "active": v.is_active,
                        "accuracy": v.accuracy,
                        "active_accuracy": v.active_accuracy,
                        "threshold": v.threshold,
                        "decision": v.decision,
                    },
                    ensure_ascii=False,
                )
            )
        elif action == "suggest":
            from tiaokuai.routing.selectors import active_version, suggest

            if active_version() is None:
                raise CommandError("no routing model yet: run `tiaokuai routing train` first")
            for s in suggest(opts["text"], k=opts["k"]):
                self.stdout.write(json.dumps(s.__dict__, ensure_ascii=False))
        else:
            from tiaokuai.routing.selectors import active_version

            v = active_version()
            if v is None:
                self.stdout.write("no active routing model")
            else:
                self.stdout.write(
                    json.dumps(
                        {
                            "id": v.pk,
                            "trained_at": timezone.localtime(v.trained_at).isoformat(),
                            "accuracy": v.accuracy,
                            "top3_accuracy": v.top3_accuracy,
                            "threshold": v.threshold,
                            "decision": v.decision,
                        },
                        ensure_ascii=False,
                    )
                )
