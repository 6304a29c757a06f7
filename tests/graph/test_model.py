from __future__ import annotations

import datetime
import random
import unicodedata

import pytest

from chainatlas.graph.creditcode import ALPHABET, check_char, is_valid_credit_code, make_credit_code
from chainatlas.graph.errors import SchemaViolation, ValidationFailed
from chainatlas.graph.home import is_local
from chainatlas.graph.model import (
    NAME_MAX,
    Node,
    Relationship,
    id_problem,
    key_problem,
    text_problem,
    validate_node,
    validate_nodes,
    validate_relationship,
    visible,
)


class TestCreditCode:
    def test_published_example(self) -> None:
        # 统一社会信用代码 of a real registrant published on its licence (阿里巴巴（中国）有限公司)
        assert is_valid_credit_code("91330100799655058B")

    def test_any_single_change_is_caught(self) -> None:
        rng = random.Random(1)
        for _ in range(200):
            code = make_credit_code("9133" + "".join(rng.choice(ALPHABET) for _ in range(13)))
            assert is_valid_credit_code(code)
            pos = rng.randrange(18)
            other = rng.choice([c for c in ALPHABET if c != code[pos]])
            assert not is_valid_credit_code(code[:pos] + other + code[pos + 1 :])

    def test_bad_shapes(self) -> None:
        assert not is_valid_credit_code("123")
        assert not is_valid_credit_code("91330100799655058I")  # I is not in the alphabet
        with pytest.raises(ValueError):
            check_char("short")


class TestValidation:
    def test_firm_normalised(self) -> None:
        code = make_credit_code("91330522MA2B00001")
        n = validate_node(
            Node(
                "f",
                "Firm",
                {
                    "name": " 甲 ",
                    "credit_code": code.lower(),
                    "output": 3.5,
                    "employees": "",
                    "tags": [],
                },
            )
        )
        assert n.props == {"name": "甲", "credit_code": code, "output": 3.5}

    @pytest.mark.parametrize(
        "props, field",
        [
            ({"name": "x", "credit_code": "913305221234567890"}, "credit_code"),
            ({"name": "x", "tags": ["金牌"]}, "tags"),
            ({"name": "x", "output": -2}, "output"),
            ({"name": "x", "employees": "many"}, "employees"),
            ({"output": 1}, "name"),
            ({"name": "x", "nested": {"a": 1}}, "nested"),
        ],
    )
    def test_firm_errors_name_the_property(self, props: dict[str, object], field: str) -> None:
        with pytest.raises(ValidationFailed, match=field):
            validate_node(Node("f", "Firm", props))

    def test_project_dates_and_stage(self) -> None:
        n = validate_node(
            Node("p", "Project", {"name": "p", "signed": "2026-01-05", "stage": "招商引资"})
        )
        assert n.props["signed"] == "2026-01-05"
        with pytest.raises(ValidationFailed, match="stage"):
            validate_node(Node("p", "Project", {"name": "p", "stage": "开会"}))
        with pytest.raises(ValidationFailed, match="signed"):
            validate_node(Node("p", "Project", {"name": "p", "signed": "2026-13-40"}))

    def test_bulk_equals_single(self) -> None:
        nodes = [Node(f"s{i}", "Segment", {"name": f"n{i}", "x": i}) for i in range(50)]
        assert validate_nodes(nodes) == [validate_node(n) for n in nodes]
        nodes.append(Node("bad", "Segment", {"name": ""}))
        with pytest.raises(ValidationFailed, match="bad"):
            validate_nodes(nodes)

    def test_unknown_label_and_type(self) -> None:
        with pytest.raises(SchemaViolation):
            validate_node(Node("x", "Company", {"name": "x"}))
        with pytest.raises(SchemaViolation):
            validate_relationship(Relationship("a", "KNOWS", "b"), "Firm", "Firm")

    def test_has_segment_needs_stage(self) -> None:
        with pytest.raises(ValidationFailed, match="stage"):
            validate_relationship(Relationship("c", "HAS_SEGMENT", "s"), "Chain", "Segment")
        r = validate_relationship(
            Relationship("c", "HAS_SEGMENT", "s", {"stage": "upstream"}), "Chain", "Segment"
        )
        assert r.props == {"stage": "upstream"}


def test_is_local() -> None:
    assert is_local("浙江省湖州市长兴县") and is_local("南太湖新区")
    assert not is_local("上海市") and not is_local("")
    assert is_local("上海市", ("上海市",))


class TestTextRules:
    """The rules every way in shares (issue 14): one place, :mod:`chainatlas.graph.model`."""

    def test_every_control_character_is_refused_but_tab_and_line_ends_in_text(self) -> None:
        controls = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cc"]
        assert len(controls) == 65
        for c in controls:
            assert text_problem(f"a{c}b", one_line=True), repr(c)
            assert bool(text_problem(f"a{c}b")) == (c not in "\t\n\r"), repr(c)
        assert text_problem("a\u2028b", one_line=True) and not text_problem("a\u2028b")
        assert text_problem("a\ud800b")  # a lone surrogate cannot be stored as UTF-8

    def test_names_need_somethingvisible(self) -> None:
        for c in (chr(x) for x in range(0x110000)):
            if c.isspace():  # every whitespace character counts as invisible
                assert not visible(c * 3), repr(c)
        for name in ("\u200b", "\u200b\u200d\ufeff", "\u3164", "\u2800 ", "\u2060\u00ad"):
            assert not visible(name), repr(name)
        assert visible("甲\u200b") and visible("A")

    def test_names_are_one_line_and_at_most_name_max(self) -> None:
        assert validate_node(Node("s", "Segment", {"name": "x" * NAME_MAX})).name == "x" * NAME_MAX
        for bad in ("x" * (NAME_MAX + 1), "甲\n乙", "甲\t乙", "\u200b"):
            with pytest.raises(ValidationFailed, match="name"):
                validate_node(Node("s", "Segment", {"name": bad}))

    @pytest.mark.parametrize("key", ["", "a b", "a\x00b", "1a", "a-b", "a.b"])
    def test_keys_are_identifiers(self, key: str) -> None:
        assert key_problem(key)
        with pytest.raises(ValidationFailed, match="属性名"):
            validate_node(Node("s", "Segment", {"name": "x", key: 1}))
        assert not key_problem("target_2026") and not key_problem("备注")

    @pytest.mark.parametrize("node_id", [" a", "a ", "\ta", "a\n", "\u3000a", "a\x00", "a\x85"])
    def test_ids_are_refused_not_trimmed(self, node_id: str) -> None:
        assert id_problem(node_id)
        with pytest.raises(SchemaViolation, match="id"):
            validate_node(Node(node_id, "Segment", {"name": "x"}))
        with pytest.raises(SchemaViolation, match="id"):
            validate_nodes([Node(node_id, "Segment", {"name": "x"})])

    def test_dates_are_dates(self) -> None:
        def signed(value: object) -> object:
            return validate_node(Node("p", "Project", {"name": "p", "signed": value})).props[
                "signed"
            ]

        assert signed("2026-03-01") == "2026-03-01"
        assert signed(datetime.date(2026, 3, 1)) == "2026-03-01"
        assert signed("2026-03-01 00:00:00") == "2026-03-01"  # a workbook's date cell as text
        for bad in (86400, 86400.0, "86400", "2026-3-1", "2026-02-30", True, "2026-03-01 10:00:00"):
            with pytest.raises(ValidationFailed, match="signed"):
                signed(bad)

    def test_booleans_and_numbers_are_not_converted(self) -> None:
        for props in ({"major": "yes"}, {"major": 1}, {"investment": "5"}, {"investment": True}):
            with pytest.raises(ValidationFailed):
                validate_node(Node("p", "Project", {"name": "p", **props}))

    def test_lists_hold_one_type(self) -> None:
        for bad in ([1, "a"], [1, 2.5], [True, 1], [["a"]], [{"a": 1}]):
            with pytest.raises(ValidationFailed, match="x"):
                validate_node(Node("s", "Segment", {"name": "n", "x": bad}))
        ok = validate_node(Node("s", "Segment", {"name": "n", "x": [1, 2], "y": ("a", "b")}))
        assert ok.props["x"] == [1, 2] and ok.props["y"] == ["a", "b"]
