"""Loss terms against values computed by hand, and the direction their gradients push features."""

from __future__ import annotations

import math

import pytest
import torch

from mirage_detector.config import LossConfig
from mirage_detector.errors import ConfigError
from mirage_detector.losses import (
    create_loss,
    cross_entropy,
    inter_class_separation,
    intra_class_alignment,
    list_losses,
    supervised_contrastive,
)

ANCHORS = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # real, fake
FEATURES = torch.tensor([[1.0, 0.0], [1.0, 1.0]])  # a perfect real, a fake halfway to the real anchor
LABELS = torch.tensor([0, 1])
INV_SQRT2 = 1 / math.sqrt(2)


def loss_config(**changes: object) -> LossConfig:
    values = {
        "name": "mirage",
        "w_intra": 1.0,
        "w_inter": 1.0,
        "margin": 0.2,
        "variant": "hinge",
        "temperature": 0.07,
    }
    values.update(changes)
    return LossConfig(**values)  # type: ignore[arg-type]


def test_cross_entropy_by_hand() -> None:
    value = cross_entropy(torch.tensor([[2.0, 0.0], [0.0, 1.0]]), LABELS)
    expected = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(-1))) / 2
    assert value.item() == pytest.approx(expected, abs=1e-6)


def test_intra_class_alignment_by_hand() -> None:
    # sample 0 sits on its anchor (0); sample 1 has cosine 1/sqrt(2) with the fake anchor
    value = intra_class_alignment(FEATURES, LABELS, ANCHORS)
    assert value.item() == pytest.approx((0 + (1 - INV_SQRT2)) / 2, abs=1e-6)


def test_inter_class_separation_by_hand() -> None:
    # other-anchor cosines are 0 and 1/sqrt(2); the anchors are orthogonal
    value = inter_class_separation(FEATURES, LABELS, ANCHORS, margin=0.2)
    assert value.item() == pytest.approx((0 + (INV_SQRT2 - 0.2)) / 2, abs=1e-6)
    close_anchors = torch.tensor([[1.0, 0.0], [0.6, 0.8]])  # cosine 0.6 between anchors
    features = torch.tensor([[0.0, -1.0]])  # cosine with the fake anchor (the other class) is -0.8
    value = inter_class_separation(features, torch.tensor([0]), close_anchors, margin=0.2)
    assert value.item() == pytest.approx(0.6 - 0.2, abs=1e-6)


def test_supervised_contrastive_by_hand() -> None:
    # members: feature (1,0) real, anchor real (1,0), anchor fake (0,1); T = 1
    # the feature and the real anchor are each other's only positive: -log(e / (e + 1)) each;
    # the fake anchor has no positive and is left out
    value = supervised_contrastive(torch.tensor([[1.0, 0.0]]), torch.tensor([0]), ANCHORS, temperature=1.0)
    assert value.item() == pytest.approx(math.log(1 + math.exp(-1)), abs=1e-6)


def naive_supcon(features: torch.Tensor, labels: torch.Tensor, anchors: torch.Tensor, t: float) -> float:
    z = torch.nn.functional.normalize(torch.cat([features, anchors]), dim=-1).double()
    member_labels = [*labels.tolist(), 0, 1]
    losses = []
    for i in range(len(z)):
        others = [a for a in range(len(z)) if a != i]
        positives = [p for p in others if member_labels[p] == member_labels[i]]
        if not positives:
            continue
        denominator = sum(math.exp(float(z[i] @ z[a]) / t) for a in others)
        losses.append(
            -sum(math.log(math.exp(float(z[i] @ z[p]) / t) / denominator) for p in positives) / len(positives)
        )
    return sum(losses) / len(losses)


def test_supervised_contrastive_matches_a_naive_loop() -> None:
    generator = torch.Generator().manual_seed(1)
    features = torch.randn(6, 5, generator=generator)
    anchors = torch.randn(2, 5, generator=generator)
    labels = torch.tensor([0, 1, 1, 0, 1, 1])
    value = supervised_contrastive(features, labels, anchors, temperature=0.5)
    assert value.item() == pytest.approx(naive_supcon(features, labels, anchors, 0.5), abs=1e-5)


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return torch.nn.functional.cosine_similarity(a, b, dim=-1).item()


@pytest.mark.parametrize("term", ["intra", "inter", "supcon"])
def test_gradient_step_moves_a_fake_feature_toward_its_anchor(term: str) -> None:
    feature = torch.tensor([[1.0, 0.5]], requires_grad=True)  # fake, closer to the real anchor
    labels = torch.tensor([1])
    if term == "intra":
        loss = intra_class_alignment(feature, labels, ANCHORS)
    elif term == "inter":
        loss = inter_class_separation(feature, labels, ANCHORS, margin=0.0)
    else:
        loss = supervised_contrastive(feature, labels, ANCHORS, temperature=0.5)
    loss.backward()
    assert feature.grad is not None
    moved = feature.detach() - 0.1 * feature.grad
    assert cosine(moved, ANCHORS[1]) > cosine(feature.detach(), ANCHORS[1])
    assert cosine(moved, ANCHORS[0]) < cosine(feature.detach(), ANCHORS[0])


def test_inter_class_separation_pushes_anchors_apart() -> None:
    anchors = torch.tensor([[1.0, 0.0], [0.6, 0.8]], requires_grad=True)
    inter_class_separation(torch.tensor([[0.0, -1.0]]), torch.tensor([0]), anchors, margin=0.2).backward()
    assert anchors.grad is not None
    moved = anchors.detach() - 0.1 * anchors.grad
    assert cosine(moved[0], moved[1]) < 0.6


def test_mirage_objective_combines_terms_with_weights() -> None:
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    objective = create_loss("mirage")
    terms = objective(
        logits=logits,
        features=FEATURES,
        anchors=ANCHORS,
        labels=LABELS,
        config=loss_config(w_intra=2.0, w_inter=0.5),
    )
    assert set(terms) == {"ce", "intra", "inter", "total"}
    expected = terms["ce"] + 2.0 * terms["intra"] + 0.5 * terms["inter"]
    assert terms["total"].item() == pytest.approx(expected.item(), abs=1e-6)
    supcon = objective(
        logits=logits,
        features=FEATURES,
        anchors=ANCHORS,
        labels=LABELS,
        config=loss_config(variant="supcon", w_intra=3.0),
    )
    assert set(supcon) == {"ce", "supcon", "total"}
    assert supcon["total"].item() == pytest.approx((supcon["ce"] + 3.0 * supcon["supcon"]).item(), abs=1e-6)


def test_ce_objective_and_registry() -> None:
    terms = create_loss("ce")(
        logits=torch.tensor([[0.0, 0.0]]),
        features=FEATURES[:1],
        anchors=None,
        labels=LABELS[:1],
        config=loss_config(name="ce"),
    )
    assert set(terms) == {"ce", "total"} and terms["total"].item() == pytest.approx(math.log(2), abs=1e-6)
    assert list_losses() == ["ce", "mirage"]
    with pytest.raises(ConfigError, match=r"^loss\.name: unknown loss 'focal' \(known: ce, mirage\)"):
        create_loss("focal")
