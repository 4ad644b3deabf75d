"""Just enough of Kustomize to build deploy/kubernetes overlays in a test, without kubectl.

Handles what the overlays use: resources (files and folders), namespace, labels, images,
configMapGenerator (files and literals; no hash suffix) and strategic-merge patches (maps merged,
lists of named items merged by name, other lists replaced).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]
CLUSTER_SCOPED = {"Namespace"}


def load_all(path: Path) -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def build(folder: Path) -> list[Resource]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = (folder / entry).resolve()
        resources += build(path) if path.is_dir() else load_all(path)
    resources += [config_map(folder, spec) for spec in kustomization.get("configMapGenerator", [])]
    for patch in kustomization.get("patches", []):
        apply_patch(resources, load_all(folder / patch["path"])[0])
    namespace = kustomization.get("namespace")
    for resource in resources:
        if namespace and resource["kind"] not in CLUSTER_SCOPED:
            resource["metadata"]["namespace"] = namespace
        for label in kustomization.get("labels", []):
            add_labels(resource, label)
        for image in kustomization.get("images", []):
            set_image(resource, image)
    return resources


def config_map(folder: Path, spec: dict[str, Any]) -> Resource:
    data: dict[str, str] = {}
    for literal in spec.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for entry in spec.get("files", []):
        key, _, source = entry.rpartition("=")
        path = (folder / source).resolve()
        data[key or path.name] = path.read_text(encoding="utf-8")
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": spec["name"]},
        "data": data,
    }


def find(resources: list[Resource], kind: str, name: str) -> Resource:
    for resource in resources:
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource
    raise KeyError(f"no {kind} {name}")


def apply_patch(resources: list[Resource], patch: Resource) -> None:
    target = find(resources, patch["kind"], patch["metadata"]["name"])
    merge(target, patch)


def merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merge(current, value)
        elif isinstance(current, list) and isinstance(value, list) and _named(current + value):
            by_name = {item["name"]: item for item in current}
            for item in value:
                if item["name"] in by_name:
                    merge(by_name[item["name"]], item)
                else:
                    current.append(copy.deepcopy(item))
        else:
            target[key] = copy.deepcopy(value)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "name" in item for item in items)


def add_labels(resource: Resource, label: dict[str, Any]) -> None:
    pairs = label["pairs"]
    resource["metadata"].setdefault("labels", {}).update(pairs)
    template = resource.get("spec", {}).get("template")
    if template is None or not label.get("includeTemplates", label.get("includeSelectors")):
        return
    template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
    for claim in resource["spec"].get("volumeClaimTemplates", []):
        claim.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    template = resource.get("spec", {}).get("template")
    return None if template is None else dict(template["spec"])


def set_image(resource: Resource, image: dict[str, str]) -> None:
    spec = pod_spec(resource)
    if spec is None:
        return
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        if container["image"] == image["name"]:
            container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
