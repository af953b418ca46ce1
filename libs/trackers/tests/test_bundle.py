from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import bundle_json

from mirage_trackers import BundleError, last_step, load_bundle, parse_bundle
from mirage_trackers.names import eval_metrics, flatten_config, mlflow_safe, train_scalars


def test_parses_runs_curves_and_cells() -> None:
    raw = bundle_json(n_runs=3, steps=5)
    bundle = parse_bundle(raw)
    assert [r.id for r in bundle.runs] == [r["id"] for r in raw["runs"]]
    run = bundle.runs[0]
    assert [p.step for p in run.train] == [1, 2, 3, 4, 5]
    assert last_step(run) == 5
    assert run.eval[-1].video is not None and run.eval[0].video is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda b: b.update(format="other/1"), "bundle.format"),
        (lambda b: b["runs"][1].pop("seed"), r"^bundle.runs\[1\].seed: Field required"),
        (
            lambda b: b["runs"][0]["train"][2].update(step="3"),
            r"^bundle.runs\[0\].train\[2\].step: Input should be a valid integer",
        ),
        (lambda b: b["runs"][0]["eval"][0]["metrics"].update(acc="x"), r"eval\[0\].metrics.acc"),
        (lambda b: b["source"].update(kind="table"), "bundle.source.kind"),
    ],
)
def test_a_broken_bundle_names_its_field(edit, message: str) -> None:
    raw = bundle_json(steps=3)
    edit(raw)
    with pytest.raises(BundleError, match=message):
        parse_bundle(raw)


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text('{"format": ')
    with pytest.raises(BundleError, match=r"bundle.json: not JSON"):
        load_bundle(path)
    with pytest.raises(BundleError, match=r"missing.json: cannot read"):
        load_bundle(tmp_path / "missing.json")


def test_names_follow_the_train_metrics_terms_and_cells(bundle) -> None:
    run = bundle.runs[0]
    names = {s.name for s in train_scalars(run)}
    assert names == {
        "loss/ce",
        "loss/intra",
        "loss/inter",
        "loss/total",
        "train/lr",
        "train/images_per_second",
    }
    metrics = eval_metrics(run)
    cell = run.eval[1]
    assert metrics["eval/sdv14/jpeg(quality=75)/acc"] == cell.metrics.acc
    assert "eval/sdv14/none/acc_calibrated" not in metrics  # null stays out, not 0
    assert metrics["eval/sora-frames/none/video/n_videos"] == 12
    assert mlflow_safe("eval/sdv14/jpeg(quality=75)/acc") == "eval/sdv14/jpeg_quality_75_/acc"


def test_flattened_config_has_dotted_keys_and_json_lists(bundle) -> None:
    flat = flatten_config(bundle.runs[0].config)
    assert flat["loss.w_intra"] == 1.0
    assert flat["backbone.config.vision.patch_size"] == 8
    assert json.loads(str(flat["optimizer.betas"])) == [0.9, 0.999]
    assert flat["backbone.name_or_path"] == "null"
