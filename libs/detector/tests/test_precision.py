"""The model path's precision and kernels: bf16 weights cast once, SDPA attention, no host sync in a step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import torch
from tiny_setup import tiny_config_dict

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig, parse_run_config
from mirage_detector.engine.optim import build_optimizer
from mirage_detector.engine.prepare import prepare_detector
from mirage_detector.engine.runtime import resolve_runtime
from mirage_detector.engine.train import _train_step
from mirage_detector.methods import create_method, list_methods

BF16 = resolve_runtime("cpu", "bf16")
FP32 = resolve_runtime("cpu", "fp32")


def _config(method: str) -> RunConfig:
    return parse_run_config(
        tiny_config_dict(method=method, loss__name="mirage" if method == "mirage" else "ce")
    )


def _pixels(batch: int = 6) -> torch.Tensor:
    return torch.randn(batch, 3, 32, 32, generator=torch.Generator().manual_seed(1))


def test_every_attention_call_goes_through_sdpa(
    tiny_backbone: ClipBackbone, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tiny_backbone.attention_implementations == ("sdpa", "sdpa")
    calls: list[torch.dtype] = []
    real = torch.nn.functional.scaled_dot_product_attention

    def counting(query: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        calls.append(query.dtype)
        return real(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention", counting)
    detector = create_method(_config("maple"), tiny_backbone).eval()
    with torch.no_grad():
        detector(_pixels())
    # one call per layer of each tower: text (anchors) then vision
    assert len(calls) == tiny_backbone.text_layers + tiny_backbone.vision_layers


@pytest.mark.parametrize("method", list_methods())
def test_bf16_holds_frozen_weights_in_bf16_and_trainables_in_fp32(
    method: str, tiny_backbone: ClipBackbone
) -> None:
    detector = prepare_detector(create_method(_config(method), tiny_backbone), BF16)
    frozen = {n: p.dtype for n, p in detector.backbone.model.named_parameters()}
    assert frozen.pop("logit_scale") == torch.float32  # exp(bf16 4.6052) would be 98.9 or 102, not 100
    assert set(frozen.values()) == {torch.bfloat16}
    trainable = detector.trainable_tensors()
    assert trainable and {p.dtype for p in trainable.values()} == {torch.float32}
    optimizer = build_optimizer(_config(method).optimizer, trainable)
    assert {p.dtype for group in optimizer.param_groups for p in group["params"]} == {torch.float32}
    # the caller's backbone is not cast under it: a shared fp32 backbone stays fp32
    assert tiny_backbone.weight_dtype == torch.float32
    assert detector.backbone is not tiny_backbone


def test_bf16_runs_the_residual_stream_and_layernorms_in_bf16(tiny_backbone: ClipBackbone) -> None:
    detector = prepare_detector(create_method(_config("mirage"), tiny_backbone), BF16).eval()
    seen: list[torch.dtype] = []
    norms = [m for m in detector.backbone.model.vision_model.modules() if isinstance(m, torch.nn.LayerNorm)]
    handles = [m.register_forward_hook(lambda _m, _i, out: seen.append(out.dtype)) for m in norms]
    with torch.inference_mode(), BF16.autocast():
        output = detector(_pixels())
    for handle in handles:
        handle.remove()
    # autocast alone would run every LayerNorm (and so the residual stream) in fp32
    assert seen and set(seen) == {torch.bfloat16}
    assert output.logits.dtype == torch.float32 and output.p_fake.dtype == torch.float32


@pytest.mark.parametrize("method", list_methods())
def test_bf16_scores_and_gradients_follow_fp32(method: str, tiny_backbone: ClipBackbone) -> None:
    config = _config(method)
    reference = create_method(config, tiny_backbone)
    detector = prepare_detector(create_method(config, tiny_backbone), BF16)
    pixels, labels = _pixels(), torch.tensor([0, 1, 0, 1, 0, 1])
    ours = detector(pixels, labels)
    with BF16.autocast():
        theirs = reference(pixels, labels)
    expected = reference(pixels, labels)
    assert ours.losses is not None and expected.losses is not None
    # bf16's 8-bit mantissa through two tiny layers: about 1e-2 on p_fake, measured 6e-3 at most
    assert (ours.p_fake - expected.p_fake).abs().max() < 3e-2
    assert (theirs.p_fake - expected.p_fake).abs().max() < 3e-2
    ours.losses["total"].backward()
    grads = [p.grad for p in detector.trainable_tensors().values()]
    assert all(g is not None and g.dtype == torch.float32 and torch.isfinite(g).all() for g in grads)


def test_fp32_prepare_changes_nothing(tiny_backbone: ClipBackbone) -> None:
    config = _config("mirage")
    plain = create_method(config, tiny_backbone).eval()
    prepared = prepare_detector(create_method(config, tiny_backbone), FP32).eval()
    assert prepared.backbone is tiny_backbone
    pixels = _pixels()
    with torch.no_grad():
        assert torch.equal(plain(pixels).logits, prepared(pixels).logits)


@contextmanager
def _host_reads_forbidden(allowed: set[int]) -> Iterator[None]:
    """Make every tensor-to-host read raise (on CUDA each synchronises the step), except ``allowed`` ids."""
    saved = {name: getattr(torch.Tensor, name) for name in ("item", "cpu", "tolist", "numpy", "__bool__")}

    def guard(name: str) -> object:
        def read(tensor: torch.Tensor, *args: object, **kwargs: object) -> object:
            if id(tensor) not in allowed:
                raise AssertionError(f"Tensor.{name} inside a step")
            return saved[name](tensor, *args, **kwargs)

        return read

    try:
        for name in saved:
            setattr(torch.Tensor, name, guard(name))
        yield
    finally:
        for name, method in saved.items():
            setattr(torch.Tensor, name, method)


@pytest.mark.parametrize("runtime", [FP32, BF16], ids=["fp32", "bf16"])
@pytest.mark.parametrize("method", list_methods())
def test_train_and_eval_steps_never_read_a_tensor_on_the_host(
    method: str, runtime: object, tiny_backbone: ClipBackbone
) -> None:
    assert runtime is FP32 or runtime is BF16
    config = _config(method)
    detector = prepare_detector(create_method(config, tiny_backbone), runtime)
    optimizer = build_optimizer(config.optimizer, detector.trainable_tensors())
    batch = {"pixel_values": _pixels(), "labels": torch.tensor([0, 1, 0, 1, 0, 1])}
    _train_step(detector, optimizer, batch, runtime, 1.0, 6)  # creates the optimizer state
    # AdamW's step counters are host tensors by design (PyTorch keeps them on the CPU): reading one waits
    # for nothing
    steps = {id(state["step"]) for state in optimizer.state.values() if "step" in state}
    with _host_reads_forbidden(steps):
        _train_step(detector, optimizer, batch, runtime, 1.0, 6)
        detector.eval()
        with torch.inference_mode(), runtime.autocast():
            detector(batch["pixel_values"])
            detector(batch["pixel_values"])  # anchors cached
