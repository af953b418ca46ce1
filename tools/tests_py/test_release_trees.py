"""The release-tree builder: the releases' exact folder names, native sizes, debris, same bytes every run."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import pytest
from mirage_detector.data.layouts.folder import FolderLayout
from PIL import Image

from release_trees import DEBRIS_KINDS, TREES, build_release_trees

TOOLS = Path(__file__).resolve().parents[1]

GENIMAGE_FOLDERS = {
    "stable_diffusion_v_1_4/imagenet_ai_0419_sdv4": 512,
    "stable_diffusion_v_1_5/imagenet_ai_0424_sdv5": 512,
    "Midjourney/imagenet_midjourney": 1024,
    "ADM/imagenet_ai_0508_adm": 256,
    "glide/imagenet_glide": 256,
    "wukong/imagenet_ai_0424_wukong": 512,
    "VQDM/imagenet_ai_0419_vqdm": 256,
    "BigGAN/imagenet_ai_0419_biggan": 128,
}
UFD_FOLDERS = {
    "guided",
    "ldm_200",
    "ldm_200_cfg",
    "ldm_100",
    "glide_100_27",
    "glide_50_27",
    "glide_100_10",
    "dalle",
    "imagenet",
    "laion",
}
CHAMELEON_REALS = {(400, 300), (1200, 900), (800, 1200), (1024, 683)}
CHAMELEON_FAKES = {((512, 512), "PNG"), ((768, 1024), "PNG"), ((1024, 576), "JPEG"), ((1024, 1024), "JPEG")}
UUID_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.(jpg|png|PNG)")
COCO_REAL_SIZES = {(640, 427), (480, 640), (640, 480)}
COCO_GENERATORS = ("flux.1-dev", "sd3.5-large")

VIDEO_CLIPS: dict[str, tuple[str, str, tuple[int, int], int | None, int]] = {
    "real/city_walk.mp4": ("mp4", "h264", (96, 64), 24, 36),
    "real/IMG_0420.MOV": ("mov", "h264", (128, 72), 30, 30),
    "real/timelapse.webm": ("webm", "vp9", (64, 64), 10, 20),
    "real/phone_vfr.mp4": ("mp4", "h264", (96, 64), None, 24),
    "fake/sora/sora_001.mp4": ("mp4", "h264", (128, 72), 30, 45),
    "fake/sora/sora_002.mp4": ("mp4", "h264", (64, 64), 24, 24),
    "fake/sora/sora_003.mp4": ("mp4", "h264", (128, 72), 24, 48),
}
"""Clip -> (container, codec, size, frame rate or None for variable, frames): what the tree must hold."""

IMAGE_DEBRIS = {"os-file", "partial-download", "truncated", "empty", "not-an-image"}
VIDEO_DEBRIS = IMAGE_DEBRIS - {"not-an-image"} | {"not-a-video", "zero-frames", "other-file"}


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The trees as the TypeScript CLI tests build them: the command, from tools/."""
    out = tmp_path_factory.mktemp("release") / "trees"
    command = [sys.executable, "-m", "release_trees", "--out", str(out)]
    done = subprocess.run(command, cwd=TOOLS, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)["trees"]


def test_every_tree_is_built_with_its_counts(built: dict[str, dict]) -> None:
    assert set(built) == set(TREES)
    genimage, forensynths, ufd = built["genimage"], built["forensynths"], built["ufd-diffusion"]
    assert genimage["counts"]["by_generator"] == dict.fromkeys(
        ["adm", "biggan", "glide", "midjourney", "sdv14", "sdv15", "vqdm", "wukong"], 8
    )
    assert genimage["counts"]["by_split"] == {"train": 32, "val": 32}
    assert "by_class" not in genimage["counts"]
    assert forensynths["counts"]["by_split"] == {"test": 56, "train": 20, "val": 20}
    classes = {"bird": 8, "car": 16, "cat": 16, "chair": 8, "horse": 12, "zebra": 4}
    assert forensynths["counts"]["by_class"] == classes
    assert ufd["counts"]["by_label"] == {"fake": 24, "real": 8}
    assert built["chameleon"]["by_generator_split_label"] == {
        "chameleon/test/fake": 4,
        "chameleon/test/real": 4,
    }
    assert built["coco-t2i"]["counts"]["by_generator"] == {"coco": 3, "flux.1-dev": 3, "sd3.5-large": 3}
    assert built["video"]["by_generator_split_label"] == {"sora/test/fake": 3, "sora/test/real": 4}
    assert set(DEBRIS_KINDS) == IMAGE_DEBRIS | VIDEO_DEBRIS
    for name, tree in built.items():
        media = "n_videos" if name == "video" else "n_images"
        assert {"n_images", "n_videos"} & set(tree) == {media}
        assert tree[media] == len(tree["records"]) == sum(tree["by_generator_split_label"].values())
        assert {d["kind"] for d in tree["debris"]} == (VIDEO_DEBRIS if name == "video" else IMAGE_DEBRIS)


def test_folder_names_are_the_releases(built: dict[str, dict]) -> None:
    genimage = Path(built["genimage"]["root"])
    for archive in GENIMAGE_FOLDERS:
        for split in ("train", "val"):
            assert (genimage / archive / split / "ai").is_dir() and (
                genimage / archive / split / "nature"
            ).is_dir()
    forensynths = Path(built["forensynths"]["root"])
    assert {p.name for p in forensynths.iterdir()} == {"train", "val", "test"}
    assert (forensynths / "test" / "stylegan" / "car" / "1_fake").is_dir()
    assert (forensynths / "test" / "biggan" / "0_real").is_dir()
    ufd = Path(built["ufd-diffusion"]["root"])
    assert {p.name for p in ufd.iterdir()} == UFD_FOLDERS


def test_images_have_native_sizes_and_imagenet_like_reals(built: dict[str, dict]) -> None:
    root = Path(built["genimage"]["root"])
    real_sides, qualities = [], set()
    for record in built["genimage"]["records"]:
        with Image.open(root / record["uri"]) as image:
            if record["label"] == "fake":
                archive = "/".join(record["uri"].split("/")[:2])
                assert image.format == "PNG" and image.size == (GENIMAGE_FOLDERS[archive],) * 2
            else:
                assert image.format == "JPEG" and record["uri"].endswith(".JPEG")
                real_sides.extend(image.size)
                qualities.add(_jpeg_quality_bucket(image))
    assert min(real_sides) < 224 and max(real_sides) <= 500 and min(real_sides) >= 180
    assert len(qualities) > 1


def _jpeg_quality_bucket(image: Image.Image) -> int:
    # The first luminance table entry differs between qualities; enough to see that they vary.
    return image.quantization[0][0]  # type: ignore[attr-defined]


def test_same_bytes_on_every_run(built: dict[str, dict], tmp_path: Path) -> None:
    # A second build, in this process, against the command's: every file of every tree, clips included
    # (libx264 and libvpx-vp9 at one thread, bitexact muxers, are byte-deterministic).
    build_release_trees(tmp_path)
    for tree in TREES:
        assert tree_digest(tmp_path / tree) == tree_digest(Path(built[tree]["root"])), tree


def test_bad_input_exits_2_without_overwriting(tmp_path: Path) -> None:
    (tmp_path / "genimage").mkdir()
    (tmp_path / "genimage" / "keep.txt").write_text("mine")
    command = [sys.executable, "-m", "release_trees", "--out", str(tmp_path), "--which", "genimage"]
    done = subprocess.run(command, cwd=TOOLS, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("error:") and "genimage" in done.stderr
    assert [p.name for p in (tmp_path / "genimage").iterdir()] == ["keep.txt"]
    command = [sys.executable, "-m", "release_trees", "--out", str(tmp_path / "x"), "--which", "lsun"]
    done = subprocess.run(command, cwd=TOOLS, capture_output=True, text=True)
    assert done.returncode == 2 and "unknown tree(s) lsun" in done.stderr


def test_png_fakes_decode_whole(built: dict[str, dict]) -> None:
    root = Path(built["ufd-diffusion"]["root"])
    for record in built["ufd-diffusion"]["records"]:
        with Image.open(io.BytesIO((root / record["uri"]).read_bytes())) as image:
            image.load()


def test_chameleon_is_the_test_release_with_varied_sizes(built: dict[str, dict]) -> None:
    tree = built["chameleon"]
    root = Path(tree["root"])
    assert {p.name for p in root.iterdir()} == {"test", "__MACOSX"}
    assert {p.name for p in (root / "test").iterdir()} == {"0_real", "1_fake"}
    reals, fakes = set(), set()
    for record in tree["records"]:
        folder, name = record["uri"].rsplit("/", 1)
        assert UUID_NAME.fullmatch(name) and (record["generator"], record["split"]) == ("chameleon", "test")
        with Image.open(root / record["uri"]) as image:
            if record["label"] == "real":
                assert folder == "test/0_real" and image.format == "JPEG"
                reals.add(image.size)
            else:
                assert folder == "test/1_fake"
                fakes.add((image.size, image.format))
    assert reals == CHAMELEON_REALS and fakes == CHAMELEON_FAKES


def test_coco_t2i_has_one_fake_per_caption_and_generator(built: dict[str, dict]) -> None:
    tree = built["coco-t2i"]
    root = Path(tree["root"])
    assert {p.name for p in root.iterdir()} == {"coco", "captions.json", *COCO_GENERATORS}
    captions = json.loads((root / "captions.json").read_text())
    stems: dict[str, set[str]] = {}
    for record in tree["records"]:
        folder, name = record["uri"].rsplit("/", 1)
        stem, _, suffix = name.partition(".")
        assert re.fullmatch(r"\d{12}", stem)
        stems.setdefault(folder, set()).add(stem)
        with Image.open(root / record["uri"]) as image:
            if record["label"] == "real":
                assert (folder, record["generator"], suffix) == ("coco/val2017", "coco", "jpg")
                assert image.format == "JPEG" and image.size in COCO_REAL_SIZES
            else:
                assert folder == record["generator"] and suffix.lower() == "png"
                assert image.format == "PNG" and image.size == (1024, 1024)
    assert set(stems) == {"coco/val2017", *COCO_GENERATORS}
    assert all(found == set(captions) for found in stems.values()) and len(captions) == 3
    assert all(isinstance(text, str) and text for text in captions.values())


def test_folder_layout_reads_them_with_the_readme_options(built: dict[str, dict]) -> None:
    coco = {"real_generator": "coco", "real_dir": "coco/val2017"}
    registrations = [
        ("chameleon", {"generator": "chameleon", "real_dir": "test/0_real", "fake_dir": "test/1_fake"}),
        *(("coco-t2i", {"generator": g, **coco, "fake_dir": g}) for g in COCO_GENERATORS),
    ]
    for name, options in registrations:
        tree = built[name]
        folders = (options["real_dir"] + "/", options["fake_dir"] + "/")
        result = FolderLayout(**options).scan(tree["root"])
        found = sorted((r.uri, r.generator, r.label_name) for r in result.records)
        expected = [(r["uri"], r["generator"], r["label"]) for r in tree["records"]]
        assert found == sorted(e for e in expected if e[0].startswith(folders)), options
        listed = {d["path"] for d in tree["debris"] if d["kind"] != "os-file"}
        assert {s.path for s in result.skipped} == {path for path in listed if path.startswith(folders)}


def test_video_clips_have_their_codecs_rates_and_decoded_timestamps(built: dict[str, dict]) -> None:
    tree = built["video"]
    root = Path(tree["root"])
    assert {p.name for p in root.iterdir()} == {"real", "fake"}
    assert {p.name for p in (root / "fake").iterdir()} == {"sora"}
    assert {r["uri"] for r in tree["records"]} == set(VIDEO_CLIPS)
    for record in tree["records"]:
        container_name, codec, size, fps, n_frames = VIDEO_CLIPS[record["uri"]]
        assert (record["generator"], record["split"], record["object_class"]) == ("sora", "test", None)
        assert record["label"] == ("real" if record["uri"].startswith("real/") else "fake")
        with av.open(str(root / record["uri"])) as container:
            assert container_name in container.format.name.split(",")
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.width, stream.height) == (codec, *size)
            ticks = [frame.pts for frame in container.decode(stream)]
            timestamps = [float((tick - ticks[0]) * stream.time_base) for tick in ticks]
        assert record["n_frames"] == len(timestamps) == n_frames
        assert record["timestamps"] == timestamps
        gaps = {round(1 / (b - a)) for a, b in itertools.pairwise(timestamps)}
        assert gaps == ({fps} if fps else {10, 30}), record["uri"]
        assert 1.0 <= timestamps[-1] + min(Fraction(1, g) for g in gaps) <= 2.0


def test_debris_lie_where_the_summary_says(built: dict[str, dict]) -> None:
    for name, tree in built.items():
        root = Path(tree["root"])
        on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        sidecars = {"captions.json"} if name == "coco-t2i" else set()
        debris = {d["path"]: d["kind"] for d in tree["debris"]}
        assert on_disk == {r["uri"] for r in tree["records"]} | set(debris) | sidecars, name
        for path, kind in debris.items():
            _assert_debris(root / path, kind)


def _assert_debris(path: Path, kind: str) -> None:
    data = path.read_bytes()
    if kind == "os-file":
        assert path.name.startswith(".") or path.name in {"Thumbs.db", "desktop.ini"}
    elif kind == "partial-download":
        assert path.suffix in {".part", ".crdownload"} and data
    elif kind == "empty":
        assert data == b""
    elif kind in {"not-an-image", "not-a-video"}:
        assert data.startswith(b"<html>")
    elif kind == "truncated" and path.suffix == ".mp4":
        with pytest.raises(av.error.InvalidDataError):
            av.open(str(path)).close()
    elif kind == "truncated":
        with pytest.raises(OSError), Image.open(path) as image:
            image.load()
    elif kind == "zero-frames":
        with av.open(str(path)) as container:
            assert len(container.streams.video) == 1 and not list(container.decode(video=0))
    else:
        assert kind == "other-file" and path.name == "thumbnail.jpg"
        assert any(path.parent.glob("*.mp4"))
        with Image.open(path) as image:
            assert image.format == "JPEG"
