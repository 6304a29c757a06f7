from __future__ import annotations

import random

import pytest

from chainatlas.graph.creditcode import ALPHABET, check_char, is_valid_credit_code, make_credit_code
from chainatlas.graph.errors import SchemaViolation, ValidationFailed
from chainatlas.graph.model import (
    Node,
    Relationship,
    validate_node,
    validate_nodes,
    validate_relationship,
)
from chainatlas.graph.settings import is_local


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
                    "output": "3.5",
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
