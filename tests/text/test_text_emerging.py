"""Emerging themes: unmatched negative answers grouped into candidate themes."""

from feedback.text import emerging_themes


def test_groups_similar_answers_and_suggests_keywords():
    answers = [
        (1, "Frais de douane à payer à la livraison, pas prévenu"),
        (2, "J'ai dû payer des frais de douane au livreur"),
        (3, "Encore des frais de douane surprise"),
        (4, "Customs fees at the door, nobody told me"),
        (5, "The parking of the store is always full"),
        (6, "No parking space near the store"),
        (7, "Parking full again at the store"),
        (8, "La musique en magasin est trop forte"),
    ]
    themes = emerging_themes(answers, min_size=3)
    by_ids = {frozenset(t.answer_ids): t for t in themes}
    assert frozenset({1, 2, 3}) <= max(by_ids, key=lambda ids: len(ids & {1, 2, 3}))
    douane = next(t for t in themes if 1 in t.answer_ids)
    assert any("douane" in k for k in douane.keywords)
    assert douane.size == len(douane.answer_ids) >= 3
    assert douane.examples and douane.examples[0] in dict(answers).values()
    parking = next(t for t in themes if 5 in t.answer_ids)
    assert {5, 6, 7} <= set(parking.answer_ids)
    assert parking.to_dict()["key"]


def test_accepts_dicts_and_handles_too_little_data():
    assert emerging_themes([{"id": "a", "text": "x"}]) == []
    assert emerging_themes([]) == []
    assert emerging_themes([(1, ""), (2, None), (3, "😡")]) == []
