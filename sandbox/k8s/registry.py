"""Resource types: the built-in ones the emulator serves and those added by CustomResourceDefinitions."""

from __future__ import annotations

import dataclasses

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclasses.dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # "status", "scale"
    verbs: tuple[str, ...] = ALL_VERBS
    singular: str = ""
    categories: tuple[str, ...] = ()
    schema: dict | None = None  # openAPIV3Schema of a custom resource version
    crd_name: str | None = None  # set for custom resources
    # custom resources: (specReplicasPath, statusReplicasPath, labelSelectorPath) of the scale subresource
    scale_paths: tuple[str, str, str | None] | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> tuple[str, str]:
        return (self.group, self.version)

    @property
    def key(self) -> tuple[str, str]:
        """Storage key: objects of one group and plural share storage across versions."""
        return (self.group, self.plural)

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified(self) -> str:
        """``deployments.apps`` style name used in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery_entries(self) -> list[dict]:
        entry = {"name": self.plural, "singularName": self.singular or self.kind.lower(),
                 "namespaced": self.namespaced, "kind": self.kind, "verbs": list(self.verbs)}
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        entries = [entry]
        for sub in self.subresources:
            if sub == "scale":
                entries.append({"name": f"{self.plural}/scale", "singularName": "", "namespaced": self.namespaced,
                                "group": "autoscaling", "version": "v1", "kind": "Scale",
                                "verbs": ["get", "patch", "update"]})
            else:
                entries.append({"name": f"{self.plural}/{sub}", "singularName": "", "namespaced": self.namespaced,
                                "kind": self.kind, "verbs": ["get", "patch", "update"]})
        return entries


def _rt(group, version, plural, kind, namespaced, short=(), sub=(), verbs=ALL_VERBS, categories=()):
    return ResourceType(group, version, plural, kind, namespaced, tuple(short), tuple(sub), tuple(verbs),
                        categories=tuple(categories))


BUILTIN = (
    _rt("", "v1", "namespaces", "Namespace", False, ["ns"], ["status", "finalize"],
        verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    _rt("", "v1", "configmaps", "ConfigMap", True, ["cm"]),
    _rt("", "v1", "secrets", "Secret", True),
    _rt("", "v1", "services", "Service", True, ["svc"], ["status"], categories=["all"]),
    _rt("", "v1", "pods", "Pod", True, ["po"], ["status"], categories=["all"]),
    _rt("", "v1", "nodes", "Node", False, ["no"], ["status"]),
    _rt("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"]),
    _rt("", "v1", "events", "Event", True, ["ev"]),
    _rt("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["status", "scale"], categories=["all"]),
    _rt("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["status", "scale"], categories=["all"]),
    _rt("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["status"], categories=["all"]),
    _rt("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["status", "scale"], categories=["all"]),
    _rt("networking.k8s.io", "v1", "ingresses", "Ingress", True, ["ing"], ["status"]),
    _rt("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    _rt("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True, ["netpol"]),
    _rt("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["hpa"], ["status"],
        categories=["all"]),
    _rt("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], ["status"]),
    _rt("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False,
        ["crd", "crds"], ["status"]),
)

# The group versions the server prefers, in discovery order.
PREFERRED_ORDER = ("", "apps", "autoscaling", "policy", "networking.k8s.io", "apiextensions.k8s.io")


class Registry:
    """Built-in types plus whatever the stored CustomResourceDefinitions declare."""

    def __init__(self) -> None:
        self._builtin = list(BUILTIN)
        self._custom: dict[str, list[ResourceType]] = {}  # crd name -> served versions

    def all(self) -> list[ResourceType]:
        return self._builtin + [rt for versions in self._custom.values() for rt in versions]

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        for rt in self.all():
            if rt.group == group and rt.version == version and rt.plural == plural:
                return rt
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        for rt in self.all():
            if rt.api_version == api_version and rt.kind == kind:
                return rt
        return None

    def group_versions(self) -> dict[str, list[str]]:
        """group -> served versions, preferred (storage) version first."""
        groups: dict[str, list[str]] = {}
        for rt in self.all():
            versions = groups.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        ordered = {g: groups[g] for g in PREFERRED_ORDER if g in groups}
        ordered.update({g: v for g, v in sorted(groups.items()) if g not in ordered})
        return ordered

    def resources_in(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.all() if rt.group == group and rt.version == version]

    def set_crd(self, crd: dict) -> None:
        """Serve (or stop serving) the versions a CRD declares; called whenever a CRD is stored."""
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        served = []
        for version in spec.get("versions", []):
            if not version.get("served", True):
                continue
            declared = version.get("subresources") or {}
            subresources = tuple(sorted(declared.keys()))
            scale = declared.get("scale")
            scale_paths = (scale.get("specReplicasPath", ".spec.replicas"),
                           scale.get("statusReplicasPath", ".status.replicas"),
                           scale.get("labelSelectorPath")) if isinstance(scale, dict) else None
            served.append(ResourceType(
                group=spec["group"], version=version["name"], plural=names["plural"], kind=names["kind"],
                namespaced=spec.get("scope") == "Namespaced", short_names=tuple(names.get("shortNames", [])),
                subresources=subresources, singular=names.get("singular", ""),
                categories=tuple(names.get("categories", [])),
                schema=(version.get("schema") or {}).get("openAPIV3Schema"), crd_name=crd["metadata"]["name"],
                scale_paths=scale_paths))
        self._custom[crd["metadata"]["name"]] = served

    def drop_crd(self, name: str) -> None:
        self._custom.pop(name, None)
