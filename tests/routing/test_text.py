"""Normalisation, segmentation and features of Chinese citizen messages (no Django)."""

from tiaokuai.routing import text


def test_given_empty_or_none_text_when_analyzed_then_nothing_and_no_error():
    for raw in ("", None, "   ", "\n\t"):
        a = text.analyze(raw)
        assert a.normalized == ""
        assert a.words == []
        assert a.features == []
        assert text.segment(raw) == []


def test_given_only_punctuation_when_analyzed_then_no_features():
    a = text.analyze("！！！？？，。。……——【】《》“”!!??...")
    assert a.words == []
    assert a.features == []


def test_given_traditional_text_when_normalized_then_simplified():
    assert text.normalize("樓下燒烤店噪音擾民，麻煩儘快處理") == "楼下烧烤店噪音扰民,麻烦尽快处理"
    assert text.segment("噪音擾民") == text.segment("噪音扰民")


def test_given_full_width_text_when_normalized_then_half_width_and_lower_case():
    norm = text.normalize("ＷＩＦＩ信号差，ＡＢＣ小区")
    assert norm == "wifi信号差,abc小区"


def test_given_phone_numbers_when_normalized_then_masked():
    for phone in (
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 13812345678",
        "0571-87654321",
        "１３８１２３４５６７８",
    ):
        norm = text.normalize(f"我的电话是{phone}，请回电")
        assert "PHONE" in norm, (phone, norm)
        assert not any(ch.isdigit() for ch in norm), norm


def test_given_id_url_email_and_numbers_when_normalized_then_each_masked():
    norm = text.normalize(
        "身份证32010219900101123X 见https://example.com/a?b=1 邮箱zhang.san@qq.com 欠了3500元"
    )
    assert "IDNO" in norm and "URL" in norm and "EMAIL" in norm and "NUM" in norm
    assert "example" not in norm and "qq" not in norm and "3500" not in norm


def test_given_placeholders_when_segmented_then_they_are_single_tokens():
    words = text.segment("电话13812345678联系")
    assert "PHONE" in words
    assert "电话" in words


def test_given_very_long_text_when_analyzed_then_bounded_and_fast_enough():
    long = "小区楼下烧烤店每天晚上噪音扰民，" * 2000
    a = text.analyze(long)
    assert len(a.normalized) <= text.MAX_CHARS
    assert "噪音" in a.words
    assert len(a.features) < 20 * text.MAX_CHARS


def test_given_message_when_char_ngrams_then_they_never_cross_punctuation():
    a = text.analyze("噪音，扰民")
    assert "c|噪音" in a.features
    assert "c|扰民" in a.features
    assert not any(f.startswith("c|") and "," in f for f in a.features)
    assert "c|音扰" not in a.features


def test_given_stop_words_when_segmented_then_removed():
    words = text.segment("你好，我的小区的电梯坏了，谢谢")
    assert "电梯" in words
    assert "的" not in words and "谢谢" not in words


def test_given_domain_words_when_added_then_segmented_as_one_word():
    before = text.segment("柳营村网格员上报")
    assert "柳营村网格员" not in before
    assert text.add_words(["柳营村网格员", ("条抓块统", 50)]) >= 1
    assert "柳营村网格员" in text.segment("柳营村网格员上报")
    assert "条抓块统" in text.segment("推进條抓塊統改革")  # traditional form finds the word too
    assert "柳营村网格员" in text.user_words()


def test_given_segmenter_when_compared_with_jieba_then_same_words():
    import jieba

    tok = jieba.Tokenizer()
    for run in (
        "我家小区楼下的烧烤店每天晚上噪音扰民",
        "张家湾社区王老五家门口的下水道堵了好几天臭气熏天",
        "新农合报销比例是多少孩子上学的事情学校乱收费",
    ):
        assert text._SEG.cut(run) == tok.lcut(run, HMM=True)


def test_given_same_text_when_analyzed_twice_then_identical():
    s = "【投訴】ＸＸ小區１２棟樓下燒烤店每天晚上噪音擾民！電話：138-1234-5678"
    assert text.analyze(s) == text.analyze(s)


def test_given_matter_names_with_punctuation_when_added_then_split_into_cjk_words():
    entries = text.dictionary_entries(["违法建设（违章建筑）查处", ("城镇燃气安全", 30), "A", "路"])
    assert entries == [("违法建设", None), ("违章建筑", None), ("查处", None), ("城镇燃气安全", 30)]
