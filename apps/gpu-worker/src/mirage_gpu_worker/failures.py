"""Translation of detector and input errors into Temporal failures the orchestrator can act on.

A failure whose retry would fail the same way (bad config, missing data, NaN loss, OOM at this batch size,
corrupt checkpoint, contract violation, foreign code version) is non-retryable and typed by its cause, so the
workflow records it instead of burning its retry budget. Anything else (S3 or network trouble, a killed
process) stays retryable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from mirage_detector.data.loading import MissingOpenerError
from mirage_detector.data.perturbations import PerturbationSpecError
from mirage_detector.data.records import ManifestError
from mirage_detector.errors import DetectorError
from mirage_detector.generated.contracts_models import BackboneConfig
from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError, CancelledError

from mirage_gpu_worker.backbone_identity import BackboneMismatchError, check_backbone_identity
from mirage_gpu_worker.contracts import ContractViolation, validate_contract
from mirage_gpu_worker.manifests import EmptySelectionError
from mirage_gpu_worker.payloads import to_json_payload
from mirage_gpu_worker.s3 import IntegrityError, ObjectNotFoundError

CODE_VERSION_MISMATCH = "CodeVersionMismatch"
WORKER_SHUTDOWN = "WorkerShutdown"
ModelT = TypeVar("ModelT", bound=BaseModel)


def non_retryable(error_type: str, message: str) -> ApplicationError:
    """A failure Temporal must not retry; `error_type` is what the workflow matches on."""
    return ApplicationError(f"{error_type}: {message}", type=error_type, non_retryable=True)


def check_code_version(planned: str, code_version: str) -> None:
    """Refuse, non-retryably, a payload planned at another detector code version than the worker's."""
    if planned != code_version:
        raise non_retryable(
            CODE_VERSION_MISMATCH,
            f"code_version: the run asks for {planned!r} but this worker runs "
            f"{code_version!r}; a number must not be attributed to code that did not produce it",
        )


def check_backbone(backbone: BackboneConfig) -> None:
    """Refuse, non-retryably, a local backbone folder whose files differ from the planned weights_sha256."""
    try:
        check_backbone_identity(backbone)
    except BackboneMismatchError as error:
        raise non_retryable("ConfigError", str(error)) from None


def contract_failure(error: ContractViolation) -> ApplicationError:
    """A payload that breaks its contract (the message names each offending field)."""
    return non_retryable("ContractViolation", str(error))


def _described(name: str, error: ValidationError) -> ContractViolation:
    fields = "; ".join(
        f"{'.'.join(map(str, problem['loc'])) or '(root)'}: {problem['msg']}" for problem in error.errors()
    )
    return ContractViolation(f"{name} is invalid: {fields}")


@contextmanager
def building_output(name: str) -> Iterator[None]:
    """Around building an output model: a field it refuses is a worker bug, as in validate_output."""
    try:
        yield
    except ValidationError as error:
        raise non_retryable(
            "ContractViolation", f"the worker produced an invalid {name}: {_described(name, error)}"
        ) from None


def validate_output(name: str, output: BaseModel) -> None:
    """An output that breaks its contract is a worker bug: recomputing it would break it again. Checked on
    the JSON the Temporal edge will send, against the same schema the TS side reads it with."""
    try:
        validate_contract(name, to_json_payload(output))
    except ContractViolation as error:
        raise non_retryable("ContractViolation", f"the worker produced an invalid {name}: {error}") from None


def data_failure(error: Exception, what: str) -> ApplicationError | None:
    """The non-retryable failure for a broken input artifact (`what` names it: "train_manifest"), or None.

    IntegrityError on a checkpoint is a CheckpointError; on anything else a DatasetError.
    """
    if isinstance(error, ManifestError | EmptySelectionError | MissingOpenerError):
        return non_retryable("DatasetError", f"{what}: {error}")
    if isinstance(error, ObjectNotFoundError | IntegrityError):
        kind = "CheckpointError" if what.startswith("checkpoint") else "DatasetError"
        return non_retryable(kind, f"{what}: {error}")
    if isinstance(error, PerturbationSpecError):
        return non_retryable("ConfigError", f"{what}: {error}")
    return None


def detector_failure(error: BaseException) -> ApplicationError | None:
    """The non-retryable failure for a DetectorError (type = its class name), or None for other errors."""
    if isinstance(error, DetectorError):
        return non_retryable(type(error).__name__, str(error))
    return None


def validate_input(name: str, payload: object) -> None:
    """An activity input that breaks its contract fails non-retryably, naming each offending field."""
    try:
        validate_contract(name, payload)
    except ContractViolation as error:
        raise contract_failure(error) from None


def parse_input(name: str, model: type[ModelT], payload: object) -> ModelT:
    """The model of an activity input: the JSON Schema check first (its messages name each offending dotted
    field, as the TS side's do), then the generated model; either failing is a non-retryable violation."""
    validate_input(name, payload)
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise contract_failure(_described(name, error)) from None


@contextmanager
def typed_failures() -> Iterator[None]:
    """Around an activity's work: Temporal failures pass through, detector errors become typed non-retryable
    failures, anything else stays retryable."""
    try:
        yield
    except (ApplicationError, CancelledError):
        raise
    except Exception as error:
        failure = detector_failure(error)
        if failure is not None:
            raise failure from error
        raise
