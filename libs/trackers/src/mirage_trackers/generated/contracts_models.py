# GENERATED from libs/contracts (zod) via contracts.schema.json by tools/src/codegen. Do not edit.

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

Model = TypeAliasType("Model", Any)


QualityItem = TypeAliasType("QualityItem", Annotated[int, Field(ge=1, le=100)])


class Jpeg(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    p: Annotated[float, Field(ge=0.0, le=1.0)]
    quality: tuple[QualityItem, QualityItem]


SigmaItem = TypeAliasType("SigmaItem", Annotated[float, Field(ge=0.0, le=50.0)])


class Blur(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    p: Annotated[float, Field(ge=0.0, le=1.0)]
    sigma: tuple[SigmaItem, SigmaItem]


class Flip(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    p: Annotated[float, Field(ge=0.0, le=1.0)]


class AugmentConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    jpeg: Jpeg
    blur: Blur
    flip: Annotated[Flip | None, Field(validate_default=True)] = {"p": 0}


class Source(StrEnum):
    hub = "hub"
    local = "local"
    config = "config"


NameOrPath = TypeAliasType("NameOrPath", Annotated[str, Field(min_length=1)])


WeightsSha256 = TypeAliasType(
    "WeightsSha256", Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
)


class Metrics(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    acc: float | None
    acc_real: float | None
    acc_fake: float | None
    ap: float | None
    auc: float | None
    acc_calibrated: float | None


class Video(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    acc: float | None
    acc_real: float | None
    acc_fake: float | None
    ap: float | None
    auc: float | None
    acc_calibrated: float | None
    n_videos: Annotated[int, Field(ge=0, le=9007199254740991)]


class BundleEvalCell(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    column: Annotated[str, Field(min_length=1)]
    perturbation: Annotated[str, Field(min_length=1)]
    n: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_real: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_fake: Annotated[int, Field(ge=0, le=9007199254740991)]
    threshold: float
    metrics: Metrics
    video: Video | None


class BundleTrainPoint(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    step: Annotated[int, Field(ge=0, le=9007199254740991)]
    loss_terms: dict[str, float]
    lr: float | None
    images_per_second: float | None


class CheckpointRef(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    key: Annotated[str, Field(min_length=1)]
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    bytes: Annotated[int, Field(ge=0, le=9007199254740991)]
    step: Annotated[int, Field(ge=0, le=9007199254740991)]


class Vision(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    hidden_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    num_hidden_layers: Annotated[int, Field(gt=0, le=9007199254740991)]
    num_attention_heads: Annotated[int, Field(gt=0, le=9007199254740991)]
    intermediate_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    image_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    patch_size: Annotated[int, Field(gt=0, le=9007199254740991)]


class Text(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    hidden_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    num_hidden_layers: Annotated[int, Field(gt=0, le=9007199254740991)]
    num_attention_heads: Annotated[int, Field(gt=0, le=9007199254740991)]
    intermediate_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    max_position_embeddings: Annotated[int, Field(gt=0, le=9007199254740991)]


class ClipArchitecture(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    vision: Vision
    text: Text
    projection_dim: Annotated[int, Field(gt=0, le=9007199254740991)]


class Layout(StrEnum):
    genimage = "genimage"
    forensynths = "forensynths"
    ufd_diffusion = "ufd-diffusion"
    folder = "folder"
    manifest = "manifest"
    synthetic = "synthetic"
    video_folder = "video-folder"
    video_manifest = "video-manifest"


ByLabelAdditionalProperty = TypeAliasType(
    "ByLabelAdditionalProperty", Annotated[int, Field(ge=0, le=9007199254740991)]
)


ByGeneratorAdditionalProperty = TypeAliasType(
    "ByGeneratorAdditionalProperty", Annotated[int, Field(ge=0, le=9007199254740991)]
)


BySplitAdditionalProperty = TypeAliasType(
    "BySplitAdditionalProperty", Annotated[int, Field(ge=0, le=9007199254740991)]
)


ByClassAdditionalProperty = TypeAliasType(
    "ByClassAdditionalProperty", Annotated[int, Field(ge=0, le=9007199254740991)]
)


class Counts(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    by_label: dict[str, ByLabelAdditionalProperty]
    by_generator: dict[str, ByGeneratorAdditionalProperty]
    by_split: dict[str, BySplitAdditionalProperty]
    by_class: dict[str, ByClassAdditionalProperty] | None = None


class DatasetManifest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(pattern="^[a-z0-9][a-z0-9._-]*$")]
    version: Annotated[str, Field(min_length=1)]
    layout: Layout
    root: Annotated[str, Field(min_length=1)]
    key: Annotated[str, Field(min_length=1)]
    content_hash: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    n_images: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_videos: Annotated[int | None, Field(ge=0, le=9007199254740991)] = None
    counts: Counts


class Split(StrEnum):
    train = "train"
    val = "val"
    test = "test"


Generator = TypeAliasType("Generator", Annotated[str, Field(min_length=1)])


Class = TypeAliasType("Class", Annotated[str, Field(min_length=1)])


class DatasetRefSpec(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(min_length=1)]
    version: Annotated[str | None, Field(min_length=1)] = None
    split: Split | None = None
    generators: Annotated[list[Generator] | None, Field(min_length=1)] = None
    classes: Annotated[list[Class] | None, Field(min_length=1)] = None
    max_images: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    sample_seed: Annotated[int | None, Field(ge=0, le=9007199254740991)] = None


Generators = TypeAliasType(
    "Generators", Annotated[list[Generator], Field(min_length=1)]
)


Classes = TypeAliasType("Classes", Annotated[list[Class], Field(min_length=1)])


MaxImages = TypeAliasType("MaxImages", Annotated[int, Field(gt=0, le=9007199254740991)])


SampleSeed = TypeAliasType(
    "SampleSeed", Annotated[int, Field(ge=0, le=9007199254740991)]
)


class DatasetSelection(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    split: Split | None
    generators: Generators | None
    classes: Classes | None
    max_images: MaxImages | None
    sample_seed: SampleSeed | None


class Metric(StrEnum):
    val_auc = "val_auc"
    val_ap = "val_ap"
    val_acc = "val_acc"


class EarlyStopSpec(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    method: Literal["asha"]
    metric: Metric | None = Metric.val_auc
    grace_steps: Annotated[int, Field(gt=0, le=9007199254740991)]
    reduction_factor: Annotated[int | None, Field(ge=2, le=9007199254740991)] = 4
    evaluate_stopped: bool | None = False


class Policy(StrEnum):
    clip_resize = "clip_resize"
    center_crop = "center_crop"
    tile = "tile"


class EvalPreprocessStep(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["preprocess"]
    policy: Policy
    size: Annotated[int, Field(gt=0, le=9007199254740991)]


CalibratedThreshold = TypeAliasType(
    "CalibratedThreshold", Annotated[float, Field(ge=0.0, le=1.0)]
)


AccReal = TypeAliasType("AccReal", Annotated[float, Field(ge=0.0, le=1.0)])


AccFake = TypeAliasType("AccFake", Annotated[float, Field(ge=0.0, le=1.0)])


Acc = TypeAliasType("Acc", Annotated[float, Field(ge=0.0, le=1.0)])


Ap = TypeAliasType("Ap", Annotated[float, Field(ge=0.0, le=1.0)])


Auc = TypeAliasType("Auc", Annotated[float, Field(ge=0.0, le=1.0)])


AccCalibrated = TypeAliasType("AccCalibrated", Annotated[float, Field(ge=0.0, le=1.0)])


SkippedKey = TypeAliasType("SkippedKey", Annotated[str, Field(min_length=1)])


class Method(StrEnum):
    mirage = "mirage"
    maple = "maple"
    coop = "coop"
    univfd = "univfd"


class EvalItem(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(min_length=1)]
    version: Annotated[str | None, Field(min_length=1)] = None
    split: Split | None = None
    generators: Annotated[list[Generator] | None, Field(min_length=1)] = None
    classes: Annotated[list[Class] | None, Field(min_length=1)] = None
    max_images: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    sample_seed: Annotated[int | None, Field(ge=0, le=9007199254740991)] = None
    id: Annotated[str | None, Field(min_length=1)] = None


Seed = TypeAliasType("Seed", Annotated[int, Field(ge=0, le=9007199254740991)])


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class Precision(StrEnum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"


Priority = TypeAliasType("Priority", Annotated[int, Field(ge=1, le=5)])


class Resources(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    task_queue: Annotated[str | None, Field(min_length=1)] = "gpu"
    device: Device | None = Device.auto
    precision: Precision | None = Precision.auto
    num_workers: Annotated[int | None, Field(ge=0, le=9007199254740991)] = 0
    compile: bool | None = None
    priority: Priority | None = None


class ImagePerturbation1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["jpeg"]
    quality: Annotated[int, Field(ge=1, le=100)]


class ImagePerturbation2(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["blur"]
    sigma: Annotated[float, Field(gt=0.0, le=50.0)]


class ImagePerturbation3(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["downscale"]
    factor: Annotated[float, Field(gt=0.0, le=1.0)]


class ImagePerturbation4(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["crop"]
    size: Annotated[int, Field(gt=0, le=9007199254740991)]


ImagePerturbation = TypeAliasType("ImagePerturbation", ImagePerturbation1 | ImagePerturbation2 | ImagePerturbation3 | ImagePerturbation4)


class Name(StrEnum):
    mirage = "mirage"
    ce = "ce"


class Variant(StrEnum):
    hinge = "hinge"
    supcon = "supcon"


class LossConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Name
    w_intra: Annotated[float, Field(ge=0.0)]
    w_inter: Annotated[float, Field(ge=0.0)]
    margin: Annotated[float, Field(ge=-1.0, le=1.0)]
    variant: Variant
    temperature: Annotated[float, Field(gt=0.0)]


class Label(StrEnum):
    real = "real"
    fake = "fake"


ObjectClass = TypeAliasType("ObjectClass", Annotated[str, Field(min_length=1)])


Width = TypeAliasType("Width", Annotated[int, Field(gt=0, le=9007199254740991)])


Height = TypeAliasType("Height", Annotated[int, Field(gt=0, le=9007199254740991)])


JpegQuality = TypeAliasType("JpegQuality", Annotated[int, Field(ge=1, le=100)])


VideoId = TypeAliasType("VideoId", Annotated[str, Field(min_length=1)])


Frame = TypeAliasType("Frame", Annotated[int, Field(ge=0, le=9007199254740991)])


Timestamp = TypeAliasType("Timestamp", Annotated[float, Field(ge=0.0)])


class ManifestRecord(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    uri: Annotated[str, Field(min_length=1)]
    label: Label
    generator: Annotated[str, Field(min_length=1)]
    object_class: ObjectClass | None = None
    split: Split
    width: Width | None
    height: Height | None
    format: str | None
    jpeg_quality: JpegQuality | None
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    video_id: VideoId | None = None
    frame: Frame | None = None
    timestamp: Timestamp | None = None


class ManifestRef(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    dataset: Annotated[str, Field(min_length=1)]
    version: Annotated[str, Field(min_length=1)]
    content_hash: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    selection: DatasetSelection
    key: Annotated[str, Field(min_length=1)]
    selection_hash: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    root: Annotated[str, Field(min_length=1)]
    n_real: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_fake: Annotated[int, Field(ge=0, le=9007199254740991)]


class Name1(StrEnum):
    adamw = "adamw"
    sgd = "sgd"


Beta = TypeAliasType("Beta", Annotated[float, Field(ge=0.0, lt=1.0)])


class Optimizer(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Name1 | None = None
    lr: Annotated[float | None, Field(gt=0.0)] = None
    weight_decay: Annotated[float | None, Field(ge=0.0)] = None
    momentum: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    betas: tuple[Beta, Beta] | None = None


class Schedule(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    steps: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    warmup_steps: Annotated[int | None, Field(ge=0, le=9007199254740991)] = None
    batch_size: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    grad_clip: Annotated[float | None, Field(ge=0.0)] = None
    checkpoint_every: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    eval_batch_size: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None


class Jpeg1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    p: Annotated[float, Field(ge=0.0, le=1.0)]
    quality: tuple[QualityItem, QualityItem]


class Blur1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    p: Annotated[float, Field(ge=0.0, le=1.0)]
    sigma: tuple[SigmaItem, SigmaItem]


class Augment(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    jpeg: Jpeg1 | None = None
    blur: Blur1 | None = None
    flip: Annotated[Flip | None, Field(validate_default=True)] = {"p": 0}


class MethodOverrides(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    optimizer: Optimizer | None = None
    schedule: Schedule | None = None
    augment: Augment | None = None


class OptimizerConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Name1
    lr: Annotated[float, Field(gt=0.0)]
    weight_decay: Annotated[float, Field(ge=0.0)]
    momentum: Annotated[float, Field(ge=0.0, le=1.0)]
    betas: tuple[Beta, Beta]


class Perturbation1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["none"]


class Perturbation2(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Literal["chain"]
    steps: Annotated[list[ImagePerturbation | EvalPreprocessStep], Field(min_length=2)]


Perturbation = TypeAliasType("Perturbation", Perturbation1 | ImagePerturbation | EvalPreprocessStep | Perturbation2)


class Policy1(StrEnum):
    clip_resize = "clip_resize"
    center_crop = "center_crop"
    random_crop = "random_crop"


class Train(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    policy: Policy1
    size: Annotated[int, Field(gt=0, le=9007199254740991)]


class Policy2(StrEnum):
    clip_resize = "clip_resize"
    center_crop = "center_crop"


class Eval(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    policy: Policy2
    size: Annotated[int, Field(gt=0, le=9007199254740991)]


class SmallImages(StrEnum):
    resize_up = "resize_up"
    pad = "pad"


class PreprocessConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    train: Train
    eval: Eval
    small_images: SmallImages | None = SmallImages.pad


CtxInit = TypeAliasType("CtxInit", Annotated[str, Field(min_length=1)])


class ClassWords(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    real: Annotated[str, Field(pattern="\\S")]
    fake: Annotated[str, Field(pattern="\\S")]


class PromptConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    n_ctx: Annotated[int, Field(gt=0, le=9007199254740991)]
    ctx_init: CtxInit | None
    depth: Annotated[int, Field(ge=1, le=9007199254740991)]
    class_words: ClassWords


class Metric1(StrEnum):
    acc = "acc"
    acc_calibrated = "acc_calibrated"
    ap = "ap"
    auc = "auc"


class ReportedResultSpec(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    paper: Annotated[str, Field(min_length=1)]
    method: Annotated[str, Field(min_length=1)]
    dataset: Annotated[str, Field(min_length=1)]
    metric: Metric1 | None = Metric1.acc
    value: float
    source: str | None = None


LockSha256 = TypeAliasType(
    "LockSha256", Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
)


class RunEnvironment(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    python: Annotated[str, Field(min_length=1)]
    torch: Annotated[str, Field(min_length=1)]
    transformers: Annotated[str, Field(min_length=1)]
    numpy: Annotated[str, Field(min_length=1)]
    pillow: Annotated[str, Field(min_length=1)]
    lock_sha256: LockSha256 | None
    cuda: str | None
    cudnn: str | None
    gpu: str | None
    driver: str | None
    host: Annotated[str, Field(min_length=1)]


class ScheduleConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    steps: Annotated[int, Field(gt=0, le=9007199254740991)]
    warmup_steps: Annotated[int, Field(ge=0, le=9007199254740991)]
    batch_size: Annotated[int, Field(gt=0, le=9007199254740991)]
    grad_clip: Annotated[float, Field(ge=0.0)]
    checkpoint_every: Annotated[int, Field(gt=0, le=9007199254740991)]
    eval_batch_size: Annotated[int, Field(gt=0, le=9007199254740991)]


class SkippedImage(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    uri: str
    reason: str


GridAdditionalProperty = TypeAliasType(
    "GridAdditionalProperty",
    Annotated[list[str | float | bool | None], Field(min_length=1)],
)


class Space(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    choice: Annotated[list[str | float | bool | None], Field(min_length=1)]


class Space1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    uniform: tuple[float, float]


LogUniformItem = TypeAliasType("LogUniformItem", Annotated[float, Field(gt=0.0)])


class Space2(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    log_uniform: tuple[LogUniformItem, LogUniformItem]


class Random(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    samples: Annotated[int, Field(gt=0, le=9007199254740991)]
    seed: Annotated[int | None, Field(ge=0, le=9007199254740991)] = 0
    space: dict[str, Space | Space1 | Space2]


class SweepSpec(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    grid: dict[str, GridAdditionalProperty] | None = {}
    random: Random | None = None
    max_concurrent: Annotated[int | None, Field(gt=0, le=9007199254740991)] = 2
    runs_per_group: Annotated[int | None, Field(gt=0, le=9007199254740991)] = None
    early_stop: EarlyStopSpec | None = None


class Kind(StrEnum):
    sweep = "sweep"
    experiment = "experiment"


class Source1(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Kind
    id: Annotated[str, Field(min_length=1)]


class TrainHeartbeat(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    step: Annotated[int, Field(ge=0, le=9007199254740991)]
    total_steps: Annotated[int, Field(ge=0, le=9007199254740991)]
    loss_terms: dict[str, float]
    lr: float
    images_per_second: Annotated[float, Field(ge=0.0)]
    checkpoint: CheckpointRef | None


StopAtStep = TypeAliasType(
    "StopAtStep", Annotated[int, Field(gt=0, le=9007199254740991)]
)


class TrainMetricRecord(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    step: Annotated[int, Field(ge=0, le=9007199254740991)]
    loss_terms: dict[str, float]
    lr: float
    images_per_second: Annotated[float, Field(ge=0.0)]


ResumedFromStep = TypeAliasType(
    "ResumedFromStep", Annotated[int, Field(ge=0, le=9007199254740991)]
)


class ValMetrics(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    auc: Auc | None
    ap: Ap | None
    acc: Acc | None


class Method2(StrEnum):
    mean = "mean"
    max = "max"
    trimmed_mean = "trimmed_mean"


class VideoAggregate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    method: Method2
    trim: Annotated[float, Field(ge=0.0, lt=0.5)]


class VideoMetrics(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    aggregate: VideoAggregate
    n_videos: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_real: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_fake: Annotated[int, Field(ge=0, le=9007199254740991)]
    acc_real: AccReal | None
    acc_fake: AccFake | None
    acc: Acc | None
    ap: Ap | None
    auc: Auc | None
    acc_calibrated: AccCalibrated | None


class BackboneConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    source: Source
    name_or_path: NameOrPath | None
    config: ClipArchitecture | None
    weights_sha256: WeightsSha256 | None = None


class BundleRun(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[str, Field(min_length=1)]
    sweep_id: Annotated[str, Field(min_length=1)]
    experiment: Annotated[str, Field(min_length=1)]
    method: Annotated[str, Field(min_length=1)]
    seed: Annotated[int, Field(ge=-9007199254740991, le=9007199254740991)]
    status: Annotated[str, Field(min_length=1)]
    code_version: Annotated[str, Field(min_length=1)]
    config: dict[str, Any]
    train: list[BundleTrainPoint]
    eval: list[BundleEvalCell]


class EvaluateOutput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    run_id: Annotated[str, Field(min_length=1)]
    eval_id: Annotated[str, Field(min_length=1)]
    perturbation_id: Annotated[str, Field(min_length=1)]
    n: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_real: Annotated[int, Field(ge=0, le=9007199254740991)]
    n_fake: Annotated[int, Field(ge=0, le=9007199254740991)]
    acc_real: AccReal | None
    acc_fake: AccFake | None
    acc: Acc | None
    ap: Ap | None
    auc: Auc | None
    acc_calibrated: AccCalibrated | None
    threshold: Annotated[float, Field(ge=0.0, le=1.0)]
    calibrated_threshold: CalibratedThreshold | None
    scores_key: Annotated[str, Field(min_length=1)]
    scores_sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    skipped: list[SkippedImage]
    skipped_total: Annotated[int | None, Field(ge=0, le=9007199254740991)] = 0
    skipped_key: SkippedKey | None = None
    environment: RunEnvironment
    video: VideoMetrics | None = None


class ExperimentSpec(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(pattern="^[a-z0-9][a-z0-9._-]*$")]
    description: str | None = ""
    protocol: Annotated[str | None, Field(min_length=1)] = None
    synthetic: bool | None = False
    method: Method | None = Method.mirage
    backbone: BackboneConfig
    prompt: Annotated[PromptConfig | None, Field(validate_default=True)] = {
        "n_ctx": 4,
        "ctx_init": "a photo of a",
        "depth": 9,
        "class_words": {"real": "real", "fake": "fake"},
    }
    loss: Annotated[LossConfig | None, Field(validate_default=True)] = {
        "name": "mirage",
        "w_intra": 1,
        "w_inter": 1,
        "margin": 0.2,
        "variant": "hinge",
        "temperature": 0.07,
    }
    optimizer: Annotated[OptimizerConfig | None, Field(validate_default=True)] = {
        "name": "adamw",
        "lr": 0.002,
        "weight_decay": 0,
        "momentum": 0.9,
        "betas": [0.9, 0.999],
    }
    schedule: Annotated[ScheduleConfig | None, Field(validate_default=True)] = {
        "steps": 1000,
        "warmup_steps": 50,
        "batch_size": 32,
        "grad_clip": 1,
        "checkpoint_every": 100,
        "eval_batch_size": 128,
    }
    preprocess: Annotated[PreprocessConfig | None, Field(validate_default=True)] = {
        "train": {"policy": "random_crop", "size": 224},
        "eval": {"policy": "clip_resize", "size": 224},
        "small_images": "pad",
    }
    augment: Annotated[AugmentConfig | None, Field(validate_default=True)] = {
        "jpeg": {"p": 0, "quality": [30, 100]},
        "blur": {"p": 0, "sigma": [0, 3]},
        "flip": {"p": 0},
    }
    train: DatasetRefSpec
    val: DatasetRefSpec | None = None
    eval: Annotated[list[EvalItem], Field(min_length=1)]
    perturbations: Annotated[list[Perturbation] | None, Field(min_length=1, validate_default=True)] = [
        {"name": "none"}
    ]
    video_aggregate: Annotated[VideoAggregate | None, Field(validate_default=True)] = {
        "method": "mean",
        "trim": 0.1,
    }
    seeds: Annotated[list[Seed] | None, Field(min_length=1)] = [0]
    sweep: Annotated[SweepSpec | None, Field(validate_default=True)] = {
        "grid": {},
        "max_concurrent": 2,
        "early_stop": None,
    }
    method_overrides: Annotated[
        dict[Literal["mirage", "maple", "coop", "univfd"], MethodOverrides] | None,
        Field(validate_default=True),
    ] = {}
    resources: Annotated[Resources | None, Field(validate_default=True)] = {
        "task_queue": "gpu",
        "device": "auto",
        "precision": "auto",
        "num_workers": 0,
        "priority": None,
    }
    reported: Annotated[
        list[ReportedResultSpec] | None, Field(validate_default=True)
    ] = []
    reuse_across_environments: bool | None = False


class RunConfig(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    experiment: Annotated[str, Field(min_length=1)]
    method: Method
    backbone: BackboneConfig
    prompt: PromptConfig
    loss: LossConfig
    optimizer: OptimizerConfig
    schedule: ScheduleConfig
    preprocess: PreprocessConfig
    augment: AugmentConfig
    seed: Annotated[int, Field(ge=0, le=9007199254740991)]
    device: Device
    precision: Precision
    num_workers: Annotated[int, Field(ge=0, le=9007199254740991)]
    compile: Literal[True] | None = None


class TrackerBundle(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    format: Literal["mirage-tracker-export/1"]
    source: Source1
    runs: list[BundleRun]


class TrainInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    run_id: Annotated[str, Field(min_length=1)]
    config: RunConfig
    train_manifest: ManifestRef
    val_manifest: ManifestRef | None
    bucket: Annotated[str, Field(min_length=1)]
    checkpoint_prefix: Annotated[str, Field(min_length=1)]
    train_metrics_key: Annotated[str, Field(min_length=1)]
    code_version: Annotated[str, Field(min_length=1)]
    stop_at_step: StopAtStep | None = None


class TrainOutput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    run_id: Annotated[str, Field(min_length=1)]
    checkpoint: CheckpointRef
    checkpoints: list[CheckpointRef]
    steps: Annotated[int, Field(ge=0, le=9007199254740991)]
    final_loss_terms: dict[str, float]
    images_per_second: Annotated[float, Field(ge=0.0)]
    calibrated_threshold: CalibratedThreshold | None
    train_metrics_key: Annotated[str, Field(min_length=1)]
    n_train: Annotated[int, Field(ge=0, le=9007199254740991)]
    resumed_from_step: ResumedFromStep | None
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    skipped: list[SkippedImage]
    skipped_total: Annotated[int | None, Field(ge=0, le=9007199254740991)] = 0
    skipped_key: SkippedKey | None = None
    environment: RunEnvironment | None = None
    val_metrics: ValMetrics | None = None


class EvaluateInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    run_id: Annotated[str, Field(min_length=1)]
    config: RunConfig
    checkpoint: CheckpointRef
    eval_id: Annotated[str, Field(min_length=1)]
    manifest: ManifestRef
    perturbation: Perturbation
    calibrated_threshold: CalibratedThreshold | None
    bucket: Annotated[str, Field(min_length=1)]
    scores_key: Annotated[str, Field(min_length=1)]
    code_version: Annotated[str, Field(min_length=1)]
    video_aggregate: Annotated[VideoAggregate | None, Field(validate_default=True)] = {
        "method": "mean",
        "trim": 0.1,
    }
