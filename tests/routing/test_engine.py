"""The routing model: fit, predict, explain, calibrate, save/load, evaluate (no Django)."""

import json
import math
from collections import Counter

import numpy as np
import pytest
from scipy import sparse

from tiaokuai import cli
from tiaokuai.routing import datagen, text
from tiaokuai.routing.engine import (
    SVM_C_GRID,
    RoutingModel,
    Suggestion,
    _Corpus,
    _liblinear_decisions,
    _liblinear_weights,
    _linear_svms,
    is_confident,
)
from tiaokuai.routing.evaluate import join_title_body, read_csv, run_evaluate


def _texts(rows):
    return [join_title_body(r["title"], r["body"]) for r in rows], [r["label"] for r in rows]


@pytest.fixture(scope="module")
def data():
    train = _texts(datagen.generate(800, seed=11))
    test = _texts(datagen.generate(300, seed=12))
    return train, test


@pytest.fixture(scope="module")
def model(data):
    (tx, ty), _ = data
    return RoutingModel().fit(tx, ty)


def test_given_fitted_model_when_predicting_then_k_labels_sorted_with_confidence_in_unit_interval(model):
    sugg = model.predict("小区楼下烧烤店油烟直排，晚上噪音扰民，麻烦尽快处理", k=3)
    assert len(sugg) == 3
    assert all(isinstance(s, Suggestion) for s in sugg)
    confs = [s.confidence for s in sugg]
    assert all(0.0 <= c <= 1.0 for c in confs)
    assert confs == sorted(confs, reverse=True)
    assert len({s.label for s in sugg}) == 3
    assert sum(model.predict_proba("小区楼下烧烤店油烟直排").values()) == pytest.approx(1.0)


def test_given_k_larger_than_labels_when_predicting_then_all_labels(model):
    assert len(model.predict("工资", k=99)) == len(model.classes)
    assert len(model.predict("工资", k=0)) == 1


def test_given_empty_or_unknown_text_when_predicting_then_still_ranked_without_terms(model):
    for t in ("", "！！！", "qwerty zxcv"):
        sugg = model.predict(t, k=3)
        assert len(sugg) == 3
        assert all(0.0 <= s.confidence <= 1.0 for s in sugg)
        assert sugg[0].terms == [] or all(term in text.normalize(t) for term in sugg[0].terms)


def test_given_prediction_when_explained_then_terms_are_features_of_the_input(model):
    msg = "我们公司拖欠农民工工资半年了，老板一直躲着不见，请劳动监察大队帮忙讨薪"
    sugg = model.predict(msg, k=3)
    assert sugg[0].label == "劳动社保"
    assert sugg[0].terms, "the winning label must be explained"
    feats = set(text.features(msg))
    for s in sugg:
        for term in s.terms:
            assert f"w|{term}" in feats or f"c|{term}" in feats, term
            assert not any(ph in term for ph in text.PLACEHOLDERS)  # placeholders never shown
    assert {"工资", "拖欠", "讨薪", "农民工"} & set(sugg[0].terms)
    assert all(f"w|{t}" in feats for t in sugg[0].terms)  # explanations are whole words


def test_given_obvious_messages_when_predicting_then_right_category(model):
    cases = {
        "楼上邻居家的狗不拴绳咬伤人，楼道里飞线给电动车充电很危险": "公共安全",
        "超市卖过期食品，商家拒绝退款": "市场监管",
        "化工厂晚上偷排废气，气味刺鼻": "生态环境",
        "公交车不按站点停靠，班次太少": "交通运输",
        "耕地地力保护补贴还没发到村里": "农业农村",
        "学校违规补课还乱收资料费": "教育卫生",
        "开发商逾期交房，物业乱收停车费": "城乡建设",
    }
    for msg, label in cases.items():
        assert model.predict(msg, k=1)[0].label == label, msg


def test_given_same_data_when_fitted_twice_then_identical_model(tmp_path, data):
    (tx, ty), (vx, _) = data
    one = RoutingModel(cv_folds=3).fit(tx[:300], ty[:300])
    two = RoutingModel(cv_folds=3).fit(tx[:300], ty[:300])
    for t in vx[:50]:
        assert one.predict(t) == two.predict(t)
    one.save(tmp_path / "1.bin")
    two.save(tmp_path / "2.bin")
    assert (tmp_path / "1.bin").read_bytes() == (tmp_path / "2.bin").read_bytes()


def test_given_saved_model_when_loaded_then_identical_predictions_and_bytes(tmp_path, data, model):
    (_, _), (vx, _) = data
    p1, p2 = tmp_path / "m1.bin", tmp_path / "m2.bin"
    model.save(p1)
    loaded = RoutingModel.load(p1)
    assert loaded.classes == model.classes
    for t in vx[:100]:
        assert loaded.predict(t) == model.predict(t)
    loaded.save(p2)
    assert p1.read_bytes() == p2.read_bytes()


def test_given_not_a_model_file_when_loading_then_value_error(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x80\x04garbage")
    with pytest.raises(ValueError):
        RoutingModel.load(p)


def test_given_unfitted_model_or_one_label_then_clear_errors():
    with pytest.raises(RuntimeError):
        RoutingModel().predict("噪音")
    with pytest.raises(ValueError):
        RoutingModel().fit(["噪音扰民", "油烟扰民"], ["生态环境", "生态环境"])


def test_given_small_classes_when_fitting_then_no_crash_and_predicts():
    texts = ["噪音扰民", "油烟扰民", "拖欠工资", "工资不发", "公交晚点"]
    labels = ["环境", "环境", "劳动", "劳动", "交通"]
    m = RoutingModel().fit(texts, labels)  # 交通 has one example: never held out
    assert m.predict("晚上扰民")[0].label == "环境"  # min_df=2: only shared terms count
    assert m.info["cv_folds"] == 2
    uncal = RoutingModel().fit(texts[2:], labels[2:])  # 劳动 ×2, 交通 ×1: nothing to calibrate on
    assert uncal.info["cv_folds"] == 0 and not uncal.info["calibrated"]
    assert uncal.predict("工资")[0].label == "劳动"


def test_given_held_out_set_when_evaluated_then_sensible_accuracy(data, model):
    _, (vx, vy) = data
    res = model.evaluate(vx, vy)
    assert res["n"] == len(vy)
    assert res["accuracy"] >= 0.85
    assert res["top3_accuracy"] >= 0.95
    assert 0.0 <= res["macro_f1"] <= 1.0
    assert res["ece"] < 0.1  # calibrated: confidence tracks accuracy
    assert set(res["per_label"]) >= set(vy)


def test_given_target_precision_when_calibrating_then_lowest_threshold_reaching_it(data, model):
    _, (vx, vy) = data
    thr = model.calibrate_threshold(vx, vy, 0.97)
    assert thr is not None and 0.0 <= thr <= 1.0
    preds = [model.predict(t, 1)[0] for t in vx]
    kept = [(p.label == y) for p, y in zip(preds, vy, strict=True) if is_confident(p, thr)]
    assert kept and sum(kept) / len(kept) >= 0.97
    # any lower observed confidence as threshold misses the target
    lower = sorted({p.confidence for p in preds if p.confidence < thr})
    for t in lower:
        sel = [(p.label == y) for p, y in zip(preds, vy, strict=True) if p.confidence >= t]
        assert sum(sel) / len(sel) < 0.97
    assert model.calibrate_threshold(vx, vy, 0.0) == min(p.confidence for p in preds)


def test_given_unreachable_precision_when_calibrating_then_none_and_never_confident(model):
    texts = ["噪音扰民", "拖欠工资"]
    labels = ["交通运输", "交通运输"]  # deliberately wrong labels
    thr = model.calibrate_threshold(texts, labels, 0.99)
    assert thr is None
    assert not is_confident(Suggestion("x", 1.0, []), thr)
    assert is_confident(Suggestion("x", 0.9, []), 0.9)
    assert not is_confident(Suggestion("x", 0.89, []), 0.9)


def test_given_domain_words_when_added_to_model_then_kept_after_load(tmp_path, data):
    (tx, ty), _ = data
    m = RoutingModel(cv_folds=2)
    m.add_words(["综合行政执法", ("吹哨报到", 100)])
    m.fit(tx[:200], ty[:200])
    m.save(tmp_path / "w.bin")
    loaded = RoutingModel.load(tmp_path / "w.bin")
    assert loaded.user_words == m.user_words
    assert "综合行政执法" in text.user_words()


def test_given_csv_files_when_run_evaluate_then_figures(tmp_path, capsys):
    datagen.write_csv(tmp_path / "train.csv", 400, seed=3)
    datagen.write_csv(tmp_path / "test.csv", 150, seed=4)
    # BOM and an empty title are tolerated
    raw = (tmp_path / "test.csv").read_text(encoding="utf-8")
    (tmp_path / "test.csv").write_text("\ufeff" + raw, encoding="utf-8")
    texts, labels = read_csv(tmp_path / "test.csv")
    assert len(texts) == 150 and all(texts)
    res = run_evaluate(tmp_path / "train.csv", tmp_path / "test.csv", as_json=True)
    out = capsys.readouterr().out
    for key in ("accuracy", "macro_f1", "top3_accuracy", "p50_ms", "p99_ms", "n_train", "n_test"):
        assert key in res and f'"{key}"' in out
    assert res["n_train"] == 400 and res["n_test"] == 150
    assert res["accuracy"] >= 0.8
    assert math.isfinite(res["p99_ms"])


def test_given_seed_when_generating_then_deterministic_and_varied():
    a = datagen.generate(200, seed=5)
    assert a == datagen.generate(200, seed=5)
    assert a != datagen.generate(200, seed=6)
    assert len({r["label"] for r in a}) == len(datagen.CATEGORIES)
    assert len({r["body"] for r in a}) > 190


def test_given_cli_when_generating_then_train_and_test_csv(tmp_path, capsys):
    assert datagen.main(["--out", str(tmp_path), "--train", "30", "--test", "10", "--seed", "2"]) == 0
    tr, tl = read_csv(tmp_path / "train.csv")
    te, _ = read_csv(tmp_path / "test.csv")
    assert len(tr) == 30 and len(te) == 10
    assert set(tl) <= set(datagen.CATEGORIES)
    assert not set(tr) & set(te)


def test_given_tiaokuai_cli_when_evaluating_then_json_figures_without_django(tmp_path, capsys):
    # given two CSV files
    datagen.write_csv(tmp_path / "train.csv", 300, seed=7)
    datagen.write_csv(tmp_path / "test.csv", 60, seed=8)
    # when the platform command is run
    with pytest.raises(SystemExit) as done:
        cli.main(
            [
                "tiaokuai",
                "routing",
                "evaluate",
                "--train",
                str(tmp_path / "train.csv"),
                "--test",
                str(tmp_path / "test.csv"),
                "--json",
            ]
        )
    # then one JSON object with the figures the issue names, exit status 0
    assert done.value.code == 0
    res = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "top3_accuracy", "p50_ms", "p99_ms", "n_train", "n_test"} <= set(res)
    assert res["n_train"] == 300 and res["n_test"] == 60


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "No such file"),
        ("id,title,text\n1,,噪音,\n", "missing column"),
        ("id,title,body,label\n1,,噪音扰民,生态环境\n2,,油烟,生态环境\n", "two distinct labels"),
    ],
)
def test_given_bad_input_when_evaluating_then_clear_error_and_status_2(tmp_path, capsys, content, message):
    path = tmp_path / "train.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        cli.main(["tiaokuai", "routing", "evaluate", "--train", str(path), "--test", str(path)])
    assert done.value.code == 2
    assert message in capsys.readouterr().err


def test_given_many_documents_when_building_vocabulary_then_same_as_counting_every_string():
    # given enough texts that rare features are tracked by hash only
    rows = datagen.generate(600, seed=21, style="board")
    texts = [join_title_body(r["title"], r["body"]) for r in rows]
    assert len(texts) >= _Corpus.KEEP_ALL_BELOW
    # when the corpus builds a vocabulary with min_df = 2 over a subset
    corpus = _Corpus(texts, text.analyze, 2)
    subset = np.arange(0, len(texts), 2)
    vec, _ = corpus.vectorizer(subset, 2, None)
    # then it is exactly the features of ≥ 2 of those documents, in string order
    df: Counter[str] = Counter()
    for i in subset:
        df.update(set(text.analyze(texts[i]).features))
    assert vec.vocab == sorted(f for f, n in df.items() if n >= 2)


def test_given_fitted_model_then_blend_weights_are_non_negative_and_recorded(model):
    assert model.info["weight_svm"] >= 0 and model.info["weight_nb"] >= 0
    assert model.info["weight_svm"] + model.info["weight_nb"] > 0
    assert model.info["cv_log_loss"] is not None


def test_given_board_style_when_generating_then_long_formal_letters_for_every_label():
    rows = datagen.generate(300, seed=4, style="board")
    lengths = sorted(len(r["body"]) for r in rows)
    assert lengths[len(lengths) // 2] > 150
    assert len({r["label"] for r in rows}) == len(datagen.CATEGORIES)
    assert rows == datagen.generate(300, seed=4, style="board")
    assert any("\t" in r["body"] or "\n" in r["body"] for r in rows)


def test_given_no_svm_constant_when_fitting_then_chosen_by_cross_validation(model):
    assert model.info["svm_c"] in SVM_C_GRID
    assert set(model.info["cv_by_svm_c"]) == {f"{c:g}" for c in SVM_C_GRID}
    best = max(v["accuracy"] for v in model.info["cv_by_svm_c"].values())
    assert model.info["cv_by_svm_c"][f"{model.info['svm_c']:g}"]["accuracy"] >= best - 0.001


def test_given_a_fixed_svm_constant_when_fitting_then_only_that_one_is_tried(data):
    (tx, ty), _ = data
    m = RoutingModel(svm_c=0.3, cv_folds=3).fit(tx[:300], ty[:300])
    assert m.info["svm_c"] == 0.3 and list(m.info["cv_by_svm_c"]) == ["0.3"]


@pytest.mark.parametrize("n_labels", [2, 3])
def test_given_trained_svm_then_decisions_equal_the_extracted_weights(n_labels):
    # given a small problem with 2 (LIBLINEAR keeps one weight vector) or 3 labels, one of 4 absent
    rng = np.random.default_rng(0)
    x = sparse.random(60, 25, density=0.3, format="csr", random_state=1)
    y = rng.integers(0, n_labels, 60)
    # when the model is trained and read both ways
    (svm,) = _linear_svms(x, y, [0.5], seed=0)
    w, b = _liblinear_weights(svm, 25, 4)
    direct = _liblinear_decisions(svm, x, np.unique(y), 4)
    # then the decision values LIBLINEAR computes are those of the weights we fold into the model
    assert np.allclose(direct, x @ w + b, atol=1e-9)
    assert (direct[:, 3] == -10.0).all()


def test_given_a_gbk_csv_from_excel_when_read_then_same_rows_as_utf8(tmp_path):
    rows = "id,title,body,label\n1,噪音,楼下烧烤店噪音扰民,生态环境\n2,,工资被拖欠三个月,劳动社保\n"
    (tmp_path / "utf8.csv").write_text(rows, encoding="utf-8")
    (tmp_path / "gbk.csv").write_bytes(rows.encode("gbk"))
    assert read_csv(tmp_path / "gbk.csv") == read_csv(tmp_path / "utf8.csv")
    assert read_csv(tmp_path / "utf8.csv")[1] == ["生态环境", "劳动社保"]


# --- prediction by integer n-grams is the string definition, only faster -----------------------

_AWKWARD = [
    "ab cd abcd 12 34 wifi路由器 3号楼 A市A3区 电话13812345678",
    "😀噪音！！ 扰民 é测试 𠀀字",
    "",
    "，，，",
    "x",
    "小区 ab",
    "iPhone 13 Pro 屏幕坏了，ｗｉｆｉ连不上",
    "噪",
    "a\ud800b 噪音\udfff扰民",  # lone surrogates (possible in JSON): no crash
    "ktv ktv ktv 唱歌 ktv",
]


@pytest.mark.parametrize("ngram", [(1, 2), (2, 3), (1, 3)])
def test_given_any_text_when_vectorised_by_integer_ngrams_then_same_row_as_the_string_path(data, ngram):
    # given a model fitted with this n-gram range (Latin words and placeholders in the vocabulary)
    (tx, ty), (test_x, _) = data
    m = RoutingModel(ngram=ngram, svm_c=0.5).fit(tx + _AWKWARD[:2] * 2, ty + ty[:4])
    vec = m._vec
    for t in test_x[:150] + _AWKWARD:
        a = text.analyze(t, ngram)
        # when the row is built from unit ids and from n-gram strings
        fast_i, fast_v = vec.text_row(a.normalized, a.words, ngram)
        slow_i, slow_v = vec.row((Counter(a.grams), Counter(a.words)))
        # then both have the same features with the same values
        f, s = np.argsort(fast_i), np.argsort(slow_i)
        assert fast_i[f].tolist() == slow_i[s].tolist(), t
        assert np.allclose(fast_v[f], slow_v[s]), t


def test_given_latin_units_side_by_side_when_joined_then_the_gram_keeps_them_apart():
    # "ab cd" is two units, "abcd" one: their bigram and unigram must not be the same feature
    assert text.char_ngrams(text.chunks(text.normalize("ab cd")), (1, 2)) == ["ab", "cd", "ab cd"]
    assert text.char_ngrams(text.chunks(text.normalize("abcd")), (1, 2)) == ["abcd"]
    assert text.char_ngrams(text.chunks(text.normalize("a b噪")), (2, 2)) == ["a b", "b噪"]
    assert text.gram_units("ab cd") == ["ab", "cd"]
    assert text.char_ngrams(text.chunks(text.normalize("3号")), (2, 2)) == ["NUM号"]


def test_given_lone_surrogates_when_predicting_then_ranked_without_error(model):
    sugg = model.predict("a\ud800b 噪音\udfff扰民", k=2)
    assert len(sugg) == 2


def test_given_a_word_when_explained_then_it_brings_its_own_ngrams_only(model):
    # given a word of two characters: its word feature and its bigram, never single characters
    vec = model._vec
    names = {vec.vocab[f] for f in model._features_of_word("噪音")}
    assert names and names <= {"w|噪音", "c|噪音"}
    # a one-character word is explained by its character
    assert {vec.vocab[f] for f in model._features_of_word("噪")} <= {"w|噪", "c|噪"}


def test_given_template_halves_when_generating_then_disjoint_phrasings_and_catalogue_restored():
    before = {label: {k: list(v) for k, v in cat.items()} for label, cat in datagen.CATEGORIES.items()}
    even = datagen.generate(300, seed=7, templates="even")
    odd = datagen.generate(300, seed=7, templates="odd")
    # the generator's phrasing lists are whole again afterwards
    assert {
        label: {k: list(v) for k, v in cat.items()} for label, cat in datagen.CATEGORIES.items()
    } == before
    assert even != odd != datagen.generate(300, seed=7)
    # a complaint phrasing of the odd half never appears in the even half's messages
    odd_only = before["劳动社保"]["titles"][1::2]
    assert not any(r["title"] in odd_only for r in even if r["label"] == "劳动社保")
    assert any(r["title"] in odd_only for r in odd if r["label"] == "劳动社保")
    with pytest.raises(ValueError):
        datagen.generate(5, templates="third")
