"""The router's vocabulary: words the establishment office teaches it per matter."""

import pytest

from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.routing import selectors
from tiaokuai.routing.models import MatterTerm, ModelVersion
from tiaokuai.routing.services import catalogue_examples, matter_term_remove, matter_terms_add, routing_train

COLLOQUIAL = "楼下撸串的摊子天天呛得睁不开眼"


def test_given_office_when_adding_words_then_terms_kept_audited_and_taught(county):
    # given the establishment office
    office = county.users["establishment_office"]
    # when it adds two words (one twice) for a matter of the list in force
    added = matter_terms_add(actor=office, matter_code="HB-001", words="撸串摊子，撸串摊子、夜宵排档")
    # then both are kept once, one audit event names them, and the catalogue teaches them
    assert [t.word for t in added] == ["撸串摊子", "夜宵排档"]
    event = AuditEvent.objects.get(action="routing.terms_add")
    assert event.after == {"matter_code": "HB-001", "words": ["撸串摊子", "夜宵排档"]}
    texts, labels, words = catalogue_examples()
    assert ("撸串摊子", "HB-001") in zip(texts, labels, strict=True)
    assert "夜宵排档" in words


@pytest.mark.parametrize(
    "code, words, field",
    [
        ("NOPE-1", "撸串", "matter_code"),
        ("HB-001", " ，、 ", "words"),
        ("HB-001", "一" * 31, "words"),
    ],
)
def test_given_bad_input_when_adding_words_then_field_error_and_nothing_saved(county, code, words, field):
    with pytest.raises(Invalid) as err:
        matter_terms_add(actor=county.users["establishment_office"], matter_code=code, words=words)
    assert field in err.value.details
    assert not MatterTerm.objects.exists() and not AuditEvent.objects.exists()


def test_given_known_words_only_when_adding_again_then_refused_and_nothing_changes(county):
    office = county.users["establishment_office"]
    matter_terms_add(actor=office, matter_code="HB-001", words="撸串摊子")
    with pytest.raises(Invalid) as err:
        matter_terms_add(actor=office, matter_code="HB-001", words="撸串摊子")
    assert "words" in err.value.details
    assert MatterTerm.objects.count() == 1 and AuditEvent.objects.count() == 1


@pytest.mark.parametrize("role", ["department", "township", "leader", "citizen"])
def test_given_other_roles_when_changing_vocabulary_then_not_found_and_nothing_changes(county, role):
    term = matter_terms_add(
        actor=county.users["establishment_office"], matter_code="HB-001", words="撸串摊子"
    )[0]
    with pytest.raises(NotFound):
        matter_terms_add(actor=county.users[role], matter_code="HB-001", words="夜宵排档")
    with pytest.raises(NotFound):
        matter_term_remove(actor=county.users[role], term_id=term.pk)
    with pytest.raises(NotFound):
        selectors.vocabulary(viewer_for(county.users[role]))
    assert list(MatterTerm.objects.values_list("word", flat=True)) == ["撸串摊子"]
    assert AuditEvent.objects.count() == 1


def test_given_a_term_when_removed_then_gone_and_audited(county):
    office = county.users["establishment_office"]
    term = matter_terms_add(actor=office, matter_code="HB-001", words="撸串摊子")[0]
    matter_term_remove(actor=office, term_id=term.pk)
    assert not MatterTerm.objects.exists()
    assert AuditEvent.objects.get(action="routing.term_remove").before == {
        "matter_code": "HB-001",
        "word": "撸串摊子",
    }
    with pytest.raises(NotFound):
        matter_term_remove(actor=office, term_id=term.pk)


def test_given_new_words_when_retraining_queued_then_model_switched_in_and_routes_them(
    county, django_capture_on_commit_callbacks
):
    # given an active model trained on the list alone, which cannot place a colloquial text
    first = routing_train(history=[])
    assert selectors.suggest(COLLOQUIAL)[0].matter_code != "HB-001"
    # when the office teaches the colloquial words (the retraining runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        matter_terms_add(
            actor=county.users["establishment_office"], matter_code="HB-001", words="撸串、摊子、呛"
        )
    # then the new model is switched in although no history can show it is better (the list's
    # vocabulary changed), and the text now goes to the matter
    newest = ModelVersion.objects.latest("pk")
    assert newest.pk != first.pk and newest.is_active
    assert newest.catalogue_digest != first.catalogue_digest
    assert selectors.suggest(COLLOQUIAL)[0].matter_code == "HB-001"


def test_given_office_when_using_the_page_then_words_added_and_listed(county, login):
    client = login(county.users["establishment_office"])
    page = client.get("/routing/vocabulary/")
    assert page.status_code == 200 and "HB-001" in page.content.decode()
    resp = client.post("/routing/vocabulary/", {"matter_code": "HB-001", "words": "撸串摊子"})
    assert resp.status_code == 302
    assert "撸串摊子" in client.get("/routing/vocabulary/").content.decode()
    bad = client.post("/routing/vocabulary/", {"matter_code": "HB-001", "words": "撸串摊子"})
    assert bad.status_code == 200 and MatterTerm.objects.count() == 1
    assert login(county.users["township"]).get("/routing/vocabulary/").status_code == 404
