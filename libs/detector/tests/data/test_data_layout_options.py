"""Typed layout options, parsed by the dataclass annotations; errors name the option, type and options."""

from __future__ import annotations

import pytest

from mirage_detector.data.layouts import (
    LayoutOptionError,
    create_layout,
    describe_options,
    layout_options,
    list_layouts,
    parse_layout_options,
)
from mirage_detector.data.layouts.options import check_option_value, parse_option_text, type_name


@pytest.mark.parametrize("name", list_layouts())
def test_every_option_has_a_type_and_a_default_of_that_type(name: str) -> None:
    for spec in layout_options(name).values():
        assert type_name(spec.type)
        if not spec.required:
            check_option_value(spec.default, spec.type)
    assert describe_options(name).startswith("options: ")


def test_types_come_from_the_annotations() -> None:
    specs = layout_options("folder")
    assert [specs[n].describe() for n in ("generator", "real_dir", "verify", "max_pixels")] == [
        "generator (string, required)",
        "real_dir (optional string, default 'real')",
        "verify (bool, default false)",
        "max_pixels (int, default 64000000)",
    ]
    genimage = layout_options("genimage")
    assert type_name(genimage["generators"].type) == "optional list of strings"
    assert type_name(genimage["generator_names"].type) == "mapping string->string"


@pytest.mark.parametrize(
    ("text", "value"),
    [("false", False), ("0", False), ("No", False), ("true", True), ("1", True), ("yes", True)],
)
def test_bool_words(text: str, value: bool) -> None:
    assert parse_layout_options("folder", {"verify": text}) == {"verify": value}


def test_int_list_mapping_and_none() -> None:
    parsed = parse_layout_options(
        "genimage",
        {"max_pixels": "123", "generators": "sdv14, adm", "generator_names": "a:b,c:d", "verify": "false"},
    )
    assert parsed == {
        "max_pixels": 123,
        "generators": ("sdv14", "adm"),
        "generator_names": {"a": "b", "c": "d"},
        "verify": False,
    }
    assert parse_layout_options("genimage", {"generators": '["sdv14"]', "generator_names": '{"x": "y"}'}) == {
        "generators": ("sdv14",),
        "generator_names": {"x": "y"},
    }
    assert parse_layout_options("genimage", {"generators": "none"}) == {"generators": None}
    assert parse_layout_options("folder", {"real_generator": "none", "generator": "none"}) == {
        "real_generator": None,
        "generator": "none",  # not optional: the word is the value
    }
    layout = create_layout("genimage", **parsed)
    assert layout.verify is False and layout.max_pixels == 123  # type: ignore[attr-defined]


def test_missing_required_option_names_it_and_lists_the_options() -> None:
    with pytest.raises(LayoutOptionError) as caught:
        create_layout("folder")
    message = str(caught.value)
    assert message.startswith("layout 'folder': missing required option 'generator' (string); options: ")
    assert "real_generator (optional string, default none)" in message and "split (string" in message


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"verify": "maybe"}, "option 'verify' expects bool: true/false, 1/0 or yes/no; got 'maybe'"),
        ({"max_pixels": "1e3"}, "option 'max_pixels' expects int"),
        ({"generator_names": "a=b"}, "option 'generator_names' expects mapping string->string"),
        ({"generators": "a,,b"}, "option 'generators' expects optional list of strings"),
        ({"subsets": "sdv14"}, "unknown option(s) 'subsets'"),
    ],
)
def test_bad_text_names_the_option_and_type(options: dict[str, str], words: str) -> None:
    with pytest.raises(LayoutOptionError) as caught:
        parse_layout_options("genimage", options)
    assert words in str(caught.value)
    assert "options: split_names (mapping string->string" in str(caught.value)


def test_values_given_in_code_are_type_checked() -> None:
    # A frozen dataclass would take verify="false" and treat it as true.
    with pytest.raises(LayoutOptionError, match="option 'verify' must be bool, got str 'false'"):
        create_layout("folder", generator="g", verify="false")
    with pytest.raises(LayoutOptionError, match="option 'max_pixels' must be int, got bool"):
        create_layout("folder", generator="g", max_pixels=True)
    layout = create_layout("genimage", generators=["sdv14"])
    assert layout.generators == ("sdv14",)  # type: ignore[attr-defined]
    unknown = r"^layout: unknown layout 'lsun' \(known: folder, forensynths"
    with pytest.raises(LayoutOptionError, match=unknown):
        parse_layout_options("lsun", {})


def test_float_options_parse_and_check() -> None:
    assert type_name(layout_options("video-folder")["max_duration_s"].type) == "number"
    assert parse_layout_options("video-manifest", {"max_duration_s": " 12.5 "}) == {"max_duration_s": 12.5}
    assert parse_layout_options("video-manifest", {"max_duration_s": "30"}) == {"max_duration_s": 30.0}
    for text, words in [
        ("ten", "a number; got 'ten'"),
        ("inf", "a finite number; got 'inf'"),
        ("nan", "a finite number; got .nan."),
    ]:
        with pytest.raises(LayoutOptionError, match=f"option 'max_duration_s' expects number: {words}"):
            parse_layout_options("video-manifest", {"max_duration_s": text})
    layout = create_layout("video-manifest", max_duration_s=30)
    assert layout.max_duration_s == 30.0 and isinstance(layout.max_duration_s, float)  # type: ignore[attr-defined]
    with pytest.raises(LayoutOptionError, match="option 'max_duration_s' must be number, got str '30'"):
        create_layout("video-manifest", max_duration_s="30")
    with pytest.raises(LayoutOptionError, match="option 'max_duration_s' must be number, got bool"):
        create_layout("video-manifest", max_duration_s=True)
    with pytest.raises(LayoutOptionError, match=r"must be number, got inf \(not finite\)"):
        create_layout("video-manifest", max_duration_s=float("inf"))
    assert check_option_value(None, float | None) is None
    assert parse_option_text("none", float | None) is None
