"""Every registered method: same output type in train and eval, trainable set, loss goes down."""

from __future__ import annotations

import pytest
import torch
from tiny_setup import SeparableImages, method_config_dict, tiny_config_dict

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import parse_run_config
from mirage_detector.errors import CheckpointError, ConfigError
from mirage_detector.methods import DetectorOutput, create_method, list_methods

ALL_METHODS = list_methods()


def test_registry_has_the_four_methods() -> None:
    assert ALL_METHODS == ["coop", "maple", "mirage", "univfd"]


def separable_batch(size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    items = [SeparableImages(size)[i] for i in range(size)]
    return torch.stack([i["pixel_values"] for i in items]), torch.tensor([i["label"] for i in items])


@pytest.mark.parametrize("method", ALL_METHODS)
def test_forward_has_one_output_type(method: str, tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(method_config_dict(method)), tiny_backbone)
    pixels, labels = separable_batch(4)
    detector.train()
    trained = detector(pixels, labels)
    detector.eval()
    with torch.no_grad():
        scored = detector(pixels)
    for output in (trained, scored):
        assert isinstance(output, DetectorOutput)
        assert output.logits.shape == (4, 2) and output.p_fake.shape == (4,)
        assert torch.allclose(output.features.norm(dim=-1), torch.ones(4), atol=1e-5)
        assert (output.anchors is None) == (method == "univfd")
    assert trained.losses is not None and "total" in trained.losses
    assert scored.losses is None
    assert torch.allclose(trained.p_fake, scored.p_fake, atol=1e-6)
    assert torch.allclose(scored.p_fake, scored.logits.softmax(-1)[:, 1])


@pytest.mark.parametrize("method", ALL_METHODS)
def test_only_prompts_or_head_are_trainable(method: str, tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(method_config_dict(method)), tiny_backbone)
    names = list(detector.trainable_tensors())
    assert names and not any(name.startswith("backbone.") for name in names)
    expected_prefix = "head." if method == "univfd" else "prompts."
    assert all(name.startswith(expected_prefix) for name in names)
    has_couplings = any("couplings" in name for name in names)
    assert has_couplings == (method in ("mirage", "maple"))


@pytest.mark.parametrize("method", ALL_METHODS)
def test_loss_decreases_on_a_separable_batch(method: str, tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(method_config_dict(method)), tiny_backbone).train()
    optimizer = torch.optim.AdamW(detector.trainable_tensors().values(), lr=0.01)
    pixels, labels = separable_batch()
    losses = []
    for _ in range(15):
        output = detector(pixels, labels)
        assert output.losses is not None
        losses.append(output.losses["total"].item())
        output.losses["total"].backward()
        optimizer.step()
        optimizer.zero_grad()
    assert losses[-1] < 0.8 * losses[0], losses


def test_anchors_are_cached_only_while_evaluating_without_gradients(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone).eval()
    pixels, _ = separable_batch(2)
    with torch.no_grad():
        first = detector(pixels).anchors
        assert detector(pixels).anchors is first
    detector.train()
    with torch.no_grad():
        assert detector(pixels).anchors is not first
    detector.eval()
    with torch.no_grad():
        cached = detector(pixels).anchors
        with torch.no_grad():
            detector.trainable_tensors()["prompts.context"].add_(1.0)
        detector.load_trainable({k: v.detach().clone() for k, v in detector.trainable_tensors().items()})
        assert not torch.allclose(detector(pixels).anchors, cached)


def test_method_and_loss_must_agree(tiny_backbone: ClipBackbone) -> None:
    with pytest.raises(ConfigError, match=r"^loss\.name: method 'maple' trains with 'ce', got 'mirage'"):
        create_method(parse_run_config(tiny_config_dict(method="maple")), tiny_backbone)
    with pytest.raises(ConfigError, match=r"^method: Input should be 'mirage', .* \(got \"npr\"\)"):
        create_method(parse_run_config(tiny_config_dict(method="npr")), tiny_backbone)


def test_load_trainable_is_strict(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone)
    state = {k: v.detach().clone() for k, v in detector.trainable_tensors().items()}
    extra = {**state, "prompts.extra": torch.zeros(1)}
    with pytest.raises(CheckpointError, match=r"unexpected \['prompts.extra'\]"):
        detector.load_trainable(extra)
    missing = dict(state)
    del missing["prompts.context"]
    with pytest.raises(CheckpointError, match=r"missing \['prompts.context'\]"):
        detector.load_trainable(missing)
    state["prompts.context"] = torch.zeros(2, 2)
    with pytest.raises(CheckpointError, match=r"tensor 'prompts.context': checkpoint shape \(2, 2\)"):
        detector.load_trainable(state)


def random_images(count: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(count, 3, 32, 32, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("method", ALL_METHODS)
def test_logits_and_p_fake_are_fp32_under_bf16_autocast(method: str, tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(method_config_dict(method)), tiny_backbone).eval()
    pixels = random_images(512)
    with torch.inference_mode():
        reference = detector(pixels)
        detector.invalidate_cache()  # anchors from the bf16 text tower too, as in a bf16 evaluation
        with torch.autocast("cpu", dtype=torch.bfloat16):
            mixed = detector(pixels)
    assert mixed.logits.dtype == mixed.p_fake.dtype == mixed.features.dtype == torch.float32
    # bf16 logits gave 61-77 distinct values out of 512 here
    assert len(set(mixed.p_fake.tolist())) >= 500
    assert torch.allclose(mixed.p_fake, mixed.logits.softmax(-1)[:, 1], atol=1e-7, rtol=0)
    if mixed.anchors is not None:
        # the cosine head is exact fp32 arithmetic on the bf16 backbone's features
        scale = tiny_backbone.logit_scale().float()
        assert torch.allclose(mixed.logits, scale * mixed.features @ mixed.anchors.T, atol=1e-6, rtol=0)
    # what remains against the all-fp32 run is the bf16 backbone itself (about 1e-3 on this tiny CLIP)
    assert (mixed.p_fake - reference.p_fake).abs().max() < 5e-3


def test_512_distinct_images_get_512_distinct_scores_under_bf16(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone).eval()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        output = detector(random_images(512))
    p_fake = output.p_fake.tolist()
    assert len(set(p_fake)) == 512
    # within 1e-4 (in fact to fp32 rounding) of the fp32 head applied to the same backbone output
    with torch.autocast("cpu", enabled=False):
        exact = (tiny_backbone.logit_scale() * output.features @ output.anchors.T).softmax(-1)[:, 1]
    assert (output.p_fake - exact).abs().max() < 1e-4
