"""Opt-in torch.compile (``RunConfig.compile``): compiled and eager give the same scores and gradients.

CPU inductor compiles C++ kernels, so these tests need a C compiler; without one they skip and say so. A
cold compile of the tiny CLIP takes about two minutes on two cores (inductor's cache makes reruns seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_setup import tiny_config_dict, write_png_records

from mirage_detector import evaluate, load_checkpoint, parse_run_config, run_config_json, train
from mirage_detector.backbone import ClipBackbone
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine.prepare import prepare_detector
from mirage_detector.engine.runtime import resolve_runtime
from mirage_detector.errors import ConfigError
from mirage_detector.methods import create_method

# inductor (torch.compile's CPU backend) builds C++ with gcc: a machine without one fails here, loudly
# measured 2.7e-7 on p_fake: the compiled graph fuses the same fp32 operations in another order
SCORE_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def trained(
    tiny_backbone: ClipBackbone, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[ImageRecord]]:
    folder = tmp_path_factory.mktemp("compile")
    records = write_png_records(folder / "images", 11)
    config = parse_run_config(
        tiny_config_dict(method="maple", loss__name="ce", schedule__steps=4, schedule__checkpoint_every=4)
    )
    result = train(config, records, checkpoint_dir=folder / "ck", backbone=tiny_backbone)
    assert result.checkpoint_path is not None
    return result.checkpoint_path, records


def test_compiled_evaluation_scores_like_eager_with_one_batch_shape(
    trained: tuple[Path, list[ImageRecord]],
) -> None:
    checkpoint, records = trained
    # 11 records in batches of 4: the last batch is short
    run = run_config_json(load_checkpoint(checkpoint).config)
    run["schedule"]["eval_batch_size"] = 4
    eager = evaluate(parse_run_config(run), checkpoint, records)
    torch._dynamo.reset()
    before = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    compiled = evaluate(parse_run_config({**run, "compile": True}), checkpoint, records)
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"] - before
    assert [s.index for s in compiled.scores] == [s.index for s in eager.scores]
    worst = max(abs(a.p_fake - b.p_fake) for a, b in zip(compiled.scores, eager.scores, strict=True))
    assert worst < SCORE_TOLERANCE
    # the text tower once and the vision tower once: the short last batch is padded, not recompiled
    assert graphs == 2


def test_compiled_training_forward_gives_the_eager_loss_and_gradients(tiny_backbone: ClipBackbone) -> None:
    config = parse_run_config(tiny_config_dict(method="maple", loss__name="ce"))
    runtime = resolve_runtime("cpu", "fp32")
    pixels = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    labels = torch.tensor([0, 1, 0, 1])
    results = []
    for compile in (False, True):
        detector = prepare_detector(create_method(config, tiny_backbone), runtime, compile=compile).train()
        assert detector.backbone.compiled is compile
        output = detector(pixels, labels)
        assert output.losses is not None
        output.losses["total"].backward()
        grads = {name: p.grad for name, p in detector.trainable_tensors().items()}
        results.append((output.losses["total"].detach(), grads))
    # the compiled adapter is a new one over the same weights: the shared backbone stays eager
    assert not tiny_backbone.compiled
    (loss_eager, grads_eager), (loss_compiled, grads_compiled) = results
    assert torch.allclose(loss_compiled, loss_eager, atol=SCORE_TOLERANCE)
    for name, grad in grads_eager.items():
        assert grad is not None and grads_compiled[name] is not None
        assert torch.allclose(grads_compiled[name], grad, atol=1e-4, rtol=1e-3), name


def test_cuda_graphs_need_compile_and_cuda(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone)
    with pytest.raises(ConfigError, match="cuda_graphs"):
        prepare_detector(detector, resolve_runtime("cpu", "fp32"), compile=True, cuda_graphs=True)
