"""deploy/k8s: every manifest valid against the Kubernetes schemas (kubernetes-validate ships them: offline), for the
CPU base and the GPU and shared-files overlays, and consistent with the service: probes on its endpoints, the drain budget, the
image's user, the queue-depth metric's real name, settings that app/settings.py accepts. docker-compose.yml and the
manifests as strict YAML readers read them."""
from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from nmt.app.metrics import Metrics
from nmt.app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes still commonly run that has everything used here (autoscaling/v2 since 1.23, policy/v1
# PodDisruptionBudget since 1.21), and the newest the package knows.
VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]


def merge(base, patch):
    """Kustomize's strategic merge, as far as these manifests use it: maps merge key by key, lists of named maps
    (containers, volumes) merge by name, anything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        return base | {key: merge(base[key], value) if key in base else value for key, value in patch.items()}
    if isinstance(base, list) and isinstance(patch, list) and all(isinstance(x, dict) and "name" in x for x in base + patch):
        named = {x["name"]: x for x in base}
        merged = [merge(x, next((p for p in patch if p["name"] == x["name"]), {})) for x in base]
        return merged + [p for p in patch if p["name"] not in named]
    return patch


def build(directory: Path) -> list[dict]:
    """`kubectl kustomize directory`, for resources, patches and images: the documents it would apply."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    docs = []
    for resource in spec.get("resources", []):
        path = (directory / resource).resolve()
        docs += build(path) if path.is_dir() else list(yaml.safe_load_all(path.read_text()))
    for entry in spec.get("patches", []):
        patch = yaml.safe_load((directory / entry["path"]).read_text())
        docs = [merge(d, patch) if same_object(d, patch) else d for d in docs]
    for image in spec.get("images", []):
        for container in (c for d in docs for c in containers(d)):
            name, _, tag = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    return docs


def same_object(a: dict, b: dict) -> bool:
    return (a["kind"], a["metadata"]["name"]) == (b["kind"], b["metadata"]["name"])


def containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"] if doc["kind"] == "Deployment" else []


def one(docs: list[dict], kind: str) -> dict:
    (doc,) = [d for d in docs if d["kind"] == kind]
    return doc


CPU, GPU, FILES = build(K8S), build(K8S / "gpu"), build(K8S / "shared-files")
QUEUE_HPA = yaml.safe_load((K8S / "hpa-queue-depth.yaml").read_text())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("doc", CPU + GPU + FILES + [QUEUE_HPA], ids=lambda d: f"{d['kind']}")
def test_valid_against_the_schemas(doc, version):
    kubernetes_validate.validate(doc, version, strict=True)  # raises on an unknown field or a wrong type


def test_every_manifest_is_applied_or_documented():
    applied = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    assert applied - listed == {"hpa-queue-depth.yaml"}  # the option that replaces hpa.yaml
    assert {d["kind"] for d in CPU} == {"ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler",
                                        "PodDisruptionBudget"}


def test_probes():
    (container,) = containers(one(CPU, "Deployment"))
    probes = {kind: container[kind] for kind in ("startupProbe", "readinessProbe", "livenessProbe")}
    assert {kind: p["httpGet"]["path"] for kind, p in probes.items()} == {
        "startupProbe": "/health", "readinessProbe": "/ready", "livenessProbe": "/health"}
    startup = probes["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120  # as the image's HEALTHCHECK start-period
    assert all(p["httpGet"]["port"] == container["ports"][0]["name"] for p in probes.values())


def test_drain_fits_the_grace_period():
    pod = one(CPU, "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    sleep = container["lifecycle"]["preStop"]["exec"]["command"]
    assert sleep[0] == "sleep"
    drain_s = float(one(CPU, "ConfigMap")["data"]["NMT_REQUEST_TIMEOUT_S"])  # nmt serve's graceful-shutdown bound
    assert pod["terminationGracePeriodSeconds"] >= int(sleep[1]) + drain_s + 5


def test_runs_as_the_images_user():
    uid = int(re.search(r"useradd --uid (\d+)", (ROOT / "Dockerfile").read_text())[1])
    pod = one(CPU, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == uid
    (container,) = pod["containers"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"requests", "limits"} <= container["resources"].keys()


def test_tmp_holds_the_files_kept_for_download():
    """Translated files wait for download in /tmp (app/filestore.py), the one writable place of the read-only root:
    past the emptyDir's sizeLimit the kubelet evicts the pod. 64Mi held six files of NMT_MAX_FILE_BYTES (10 MB)
    of the NMT_STORED_FILES (100) kept."""
    pod = one(CPU, "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", volume["emptyDir"]["sizeLimit"]).groups()
    settings = Settings(**{key[4:].lower(): value for key, value in one(CPU, "ConfigMap")["data"].items()})
    kept = settings.stored_files * settings.max_file_bytes
    assert int(number) * {"Mi": 2**20, "Gi": 2**30}[unit] >= 1.5 * kept  # and room for PDFs' fonts and uploads


def test_the_shared_files_overlay_mounts_one_claim_for_every_replica_where_nmt_files_dir_points(tmp_path):
    """deploy/k8s/shared-files: translated files that any pod serves (NMT_FILES_DIR, app/filestore.py)."""
    pod = one(FILES, "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    settings = one(FILES, "ConfigMap")["data"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == settings["NMT_FILES_DIR"]]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    claim = one(FILES, "PersistentVolumeClaim")
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # pods on any node, all writing
    assert {m["mountPath"] for m in container["volumeMounts"]} == {"/tmp", "/files"}  # the base's /tmp kept
    assert one(FILES, "Deployment")["spec"]["replicas"] >= 2 and settings.items() > one(CPU, "ConfigMap")["data"].items()
    Settings(**{key[4:].lower(): value for key, value in settings.items()} | {"files_dir": tmp_path})


def test_service_hpa_and_pdb_select_the_deployment():
    deployment = one(CPU, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert one(CPU, "Service")["spec"]["selector"].items() <= labels.items()
    assert one(CPU, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for hpa in (one(CPU, "HorizontalPodAutoscaler"), QUEUE_HPA):
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                 "name": deployment["metadata"]["name"]}
        assert hpa["spec"]["minReplicas"] >= 2  # with the PDB's maxUnavailable 1, a drain never empties it


def test_autoscaling_metrics():
    cpu = one(CPU, "HorizontalPodAutoscaler")["spec"]["metrics"]
    assert [(m["type"], m["resource"]["name"]) for m in cpu] == [("Resource", "cpu")]
    pods = [m["pods"]["metric"]["name"] for m in QUEUE_HPA["spec"]["metrics"] if m["type"] == "Pods"]
    exported = Metrics().render()[0].decode()
    assert pods and all(re.search(rf"^# TYPE {name} gauge$", exported, re.M) for name in pods)


def test_settings_are_the_services():
    data = one(CPU, "ConfigMap")["data"]
    assert all(key.startswith("NMT_") and key[4:].lower() in Settings.model_fields for key in data)
    Settings(**{key[4:].lower(): value for key, value in data.items()})  # the values validate too


def test_gpu_overlay():
    (container,) = containers(one(GPU, "Deployment"))
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert container["image"] == "nmt:gpu" and one(GPU, "ConfigMap")["data"]["NMT_DEVICE"] == "cuda"
    assert container["readinessProbe"] == containers(one(CPU, "Deployment"))[0]["readinessProbe"]  # merged, not lost


class UniqueKeys(yaml.SafeLoader):
    """A key given twice in one mapping, `<<` included, refused as go-yaml v3 refuses it (docker compose 2.17+,
    kubectl): PyYAML merges both `<<` and keeps the last of other keys, so a file it reads may not load there."""

    def construct_mapping(self, node, deep=False):
        keys = [key.value for key, _ in node.value]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        if twice:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {twice}", node.start_mark)
        return super().construct_mapping(node, deep)


@pytest.mark.parametrize("path", [ROOT / "docker-compose.yml", *sorted(K8S.rglob("*.yaml"))], ids=lambda p: p.name)
def test_no_key_given_twice(path):
    """`<<: *nmt` and `<<: *build` in one service: docker compose up failed with 'mapping key "<<" already defined'."""
    list(yaml.load_all(path.read_text(), Loader=UniqueKeys))
