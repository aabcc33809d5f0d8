"""Charts of the journey map: SVG for pages, PNG for documents, from plain data."""

from xml.etree import ElementTree

from feedback.charts import emotion_curve_png, emotion_curve_svg, heatmap_png, heatmap_svg

STAGES = ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def svg_text(svg: bytes) -> str:
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    return " ".join(t for t in root.itertext() if t.strip())


def test_emotion_curve_svg_names_every_stage_and_value():
    svg = emotion_curve_svg(STAGES, [0.2, 0.1, None, -0.3, 0.4])
    text = svg_text(svg)
    for stage in STAGES:
        assert stage in text
    assert "+0.20" in text and "-0.30" in text and "no answers" in text
    assert "Mean sentiment" in text


def test_the_same_data_gives_the_same_bytes():
    values = [0.2, -0.1, 0.0, -0.3, 0.4]
    assert emotion_curve_svg(STAGES, values) == emotion_curve_svg(STAGES, values)


def test_emotion_curve_without_any_answer_still_draws():
    text = svg_text(emotion_curve_svg(STAGES, [None] * 5))
    assert text.count("no answers") == 5
    assert svg_text(emotion_curve_svg([], [])) is not None


def test_heatmap_shows_values_and_greys_out_thin_cells():
    text = svg_text(
        heatmap_svg(
            ["Awareness", "Purchase"],
            ["Website", "Checkout"],
            [[0.3, None], [-0.5, 0.1]],
            enough=[[True, True], [True, False]],
        )
    )
    assert "+0.30" in text and "-0.50" in text
    assert "not enough" in text and "+0.10" not in text
    assert "Website" in text and "Checkout" in text and "Purchase" in text


def test_png_versions_for_documents():
    assert emotion_curve_png(STAGES, [0.1, 0.2, 0.3, None, -0.2]).startswith(PNG_SIGNATURE)
    assert heatmap_png(["A"], ["B"], [[0.5]]).startswith(PNG_SIGNATURE)
