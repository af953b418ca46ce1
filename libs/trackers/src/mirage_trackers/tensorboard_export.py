"""TensorBoard: one event-file folder per run under the log dir, so TensorBoard lists our runs as its runs.

Written with TensorBoard's own event writer and protos (no TensorFlow, no torch): scalars for the curves and
the per-generator metrics, the config as text, and the flattened config as hparams for the HParams dashboard.
"""

from __future__ import annotations

import json
from pathlib import Path

from .bundle import ExportRun, TrackerBundle, last_step
from .names import eval_metrics, flatten_config, train_scalars
from .result import ExportResult

# Flushing once at close instead of every 2 minutes: an export writes everything at once and then exits.
_FLUSH_SECS = 3600


def export_tensorboard(bundle: TrackerBundle, out: Path) -> ExportResult:
    """Writes `out/<run id>/events.out.tfevents.*` for every run of the bundle."""
    # TensorBoard's generated protobuf modules ship no type stubs: pyright cannot see their message classes.
    from tensorboard.compat.proto.event_pb2 import Event  # pyright: ignore[reportAttributeAccessIssue]
    from tensorboard.compat.proto.summary_pb2 import Summary  # pyright: ignore[reportAttributeAccessIssue]
    from tensorboard.plugins.hparams.summary_v2 import hparams_pb
    from tensorboard.plugins.text.summary_v2 import text_pb
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    def scalar_event(tag: str, step: int, value: float) -> Event:
        summary = Summary(value=[Summary.Value(tag=tag, simple_value=value)])
        return Event(step=step, summary=summary)

    def write_run(run: ExportRun) -> int:
        writer = EventFileWriter(str(out / run.id), max_queue_size=1024, flush_secs=_FLUSH_SECS)
        try:
            config_text = "```json\n" + json.dumps(run.config, indent=2, sort_keys=True) + "\n```"
            writer.add_event(Event(step=0, summary=text_pb("config", config_text)))
            hparams = {**flatten_config(run.config), "sweep": run.sweep_id, "status": run.status}
            writer.add_event(Event(step=0, summary=hparams_pb(hparams, trial_id=run.id)))
            points = 0
            for scalar in train_scalars(run):
                writer.add_event(scalar_event(scalar.name, scalar.step, scalar.value))
                points += 1
            for name, value in eval_metrics(run).items():
                writer.add_event(scalar_event(name, last_step(run), value))
                points += 1
            return points
        finally:
            writer.close()

    points = sum(write_run(run) for run in bundle.runs)
    return ExportResult(
        tracker="tensorboard",
        location=str(out),
        runs=len(bundle.runs),
        points=points,
        open_command=f"tensorboard --logdir {out}",
    )
