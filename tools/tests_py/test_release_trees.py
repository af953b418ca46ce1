"""The release-tree builder: the releases' exact folder names, native sizes, debris, same bytes every run."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
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
    for tree in built.values():
        assert tree["n_images"] == len(tree["records"]) == sum(tree["by_generator_split_label"].values())
        assert {d["kind"] for d in tree["debris"]} == set(DEBRIS_KINDS)


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


def test_same_bytes_on_every_run(tmp_path: Path) -> None:
    build_release_trees(tmp_path / "a")
    build_release_trees(tmp_path / "b")
    for tree in TREES:
        assert tree_digest(tmp_path / "a" / tree) == tree_digest(tmp_path / "b" / tree)


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
