"""Merge-key schema for strategic merge patch and server-side apply.

A schema is a mapping ``{path: FieldRule}``. A path is a tuple of JSON field names from the object
root; list elements are transparent (``("spec", "containers", "env")`` is the ``env`` list of every
container) and ``"*"`` matches any single field name. ``FieldRule`` says how the list (or map) at
that path behaves:

* ``FieldRule.keyed("name")`` -- ``patchStrategy:"merge" patchMergeKey:"name"``: list of objects
  merged by key. Extra SSA list-map keys and their defaults may be given
  (``keyed("containerPort", "protocol", defaults={"protocol": "TCP"})``): strategic merge patch
  only uses the first key (the patchMergeKey), server-side apply identifies items by all of them.
* ``FieldRule.set()`` -- ``patchStrategy:"merge"`` on a list of scalars (``metadata.finalizers``):
  union, order kept.
* ``FieldRule.atomic()`` -- server-side apply treats the map as one leaf (``+structType=atomic``,
  e.g. LabelSelectors, ``+mapType=atomic`` like Service ``spec.selector``); no effect on SMP.
* ``FieldRule.struct()`` -- a Go non-pointer struct (``spec``, ``spec.template.spec``,
  ``spec.strategy``): merges like any map but never gets ``".": {}`` in Update entries, because
  the apiserver's zero object already contains it. Built-in kinds only; custom resources are
  unstructured, so their ``f:spec`` does get ``"."``.

Lists without a rule are replaced whole by SMP and are atomic for SSA, exactly like fields without
``patchStrategy``/``listType`` in the Go types. ``merge_keys_for(kind)`` returns the table for a
built-in kind (the metadata rules only for anything else); ``strategic_merge_patch_for_kind`` is
what the server calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class FieldRule:
    """How the list/map at one path merges. See the module docstring."""

    list_type: str  # "map" (keyed list), "set" (list of scalars), "atomic", "struct"
    merge_key: str | None = None
    keys: tuple[str, ...] = ()
    key_defaults: tuple[tuple[str, Any], ...] = ()
    patch_merge: bool = True  # strategic merge patch merges (patchStrategy:"merge")

    @classmethod
    def keyed(cls, merge_key: str, *extra_keys: str, defaults: Mapping[str, Any] | None = None,
              patch_merge: bool = True) -> "FieldRule":
        return cls("map", merge_key, (merge_key,) + tuple(extra_keys),
                   tuple(sorted((defaults or {}).items())), patch_merge)

    @classmethod
    def set(cls) -> "FieldRule":
        return cls("set")

    @classmethod
    def atomic(cls) -> "FieldRule":
        return cls("atomic", patch_merge=False)

    @classmethod
    def struct(cls) -> "FieldRule":
        """A Go non-pointer struct: merges like any map, but is never itself a member of an Update
        field set (the zero object already has it), e.g. ``spec`` or ``spec.template.spec``."""
        return cls("struct", patch_merge=False)


Schema = Mapping[tuple, FieldRule]

_CONTAINER_RULES = {
    ("ports",): FieldRule.keyed("containerPort", "protocol", defaults={"protocol": "TCP"}),
    ("env",): FieldRule.keyed("name"),
    ("volumeMounts",): FieldRule.keyed("mountPath"),
    ("volumeDevices",): FieldRule.keyed("devicePath"),
}

_POD_SPEC_RULES: dict[tuple, FieldRule] = {
    ("volumes",): FieldRule.keyed("name"),
    ("imagePullSecrets",): FieldRule.keyed("name"),
    ("hostAliases",): FieldRule.keyed("ip"),
    ("topologySpreadConstraints",): FieldRule.keyed("topologyKey", "whenUnsatisfiable"),
    ("schedulingGates",): FieldRule.keyed("name"),
    ("resourceClaims",): FieldRule.keyed("name"),
}
for _c in ("containers", "initContainers", "ephemeralContainers"):
    _POD_SPEC_RULES[(_c,)] = FieldRule.keyed("name")
    for _sub, _rule in _CONTAINER_RULES.items():
        _POD_SPEC_RULES[(_c,) + _sub] = _rule

_METADATA_RULES: dict[tuple, FieldRule] = {
    ("finalizers",): FieldRule.set(),
    ("ownerReferences",): FieldRule.keyed("uid"),
}

_LABEL_SELECTOR = FieldRule.atomic()
_WORKLOAD_STATUS = {("status", "conditions"): FieldRule.keyed("type")}


def _under(prefix: tuple, rules: Mapping[tuple, FieldRule]) -> dict[tuple, FieldRule]:
    return {prefix + path: rule for path, rule in rules.items()}


_STRUCT = FieldRule.struct()


def _template(prefix: tuple) -> dict[tuple, FieldRule]:
    """A PodTemplateSpec at ``prefix``: its metadata and its pod spec."""
    out = _under(prefix + ("metadata",), _METADATA_RULES)
    out.update(_under(prefix + ("spec",), _POD_SPEC_RULES))
    out.update({prefix: _STRUCT, prefix + ("metadata",): _STRUCT, prefix + ("spec",): _STRUCT})
    return out


_KIND_RULES: dict[str, dict[tuple, FieldRule]] = {
    "Pod": {**_under(("spec",), _POD_SPEC_RULES),
            ("status", "conditions"): FieldRule.keyed("type"),
            ("status", "podIPs"): FieldRule.keyed("ip"),
            ("status", "hostIPs"): FieldRule.keyed("ip")},
    "PodTemplate": _template(("template",)),
    "ReplicationController": {**_template(("spec", "template")), ("spec", "selector"): FieldRule.atomic(),
                              ("status", "conditions"): FieldRule.keyed("type")},
    "Deployment": {**_template(("spec", "template")), ("spec", "selector"): _LABEL_SELECTOR, **_WORKLOAD_STATUS,
                   ("spec", "strategy"): _STRUCT},
    "ReplicaSet": {**_template(("spec", "template")), ("spec", "selector"): _LABEL_SELECTOR, **_WORKLOAD_STATUS},
    "StatefulSet": {**_template(("spec", "template")), ("spec", "selector"): _LABEL_SELECTOR, **_WORKLOAD_STATUS,
                    ("spec", "updateStrategy"): _STRUCT},
    "DaemonSet": {**_template(("spec", "template")), ("spec", "selector"): _LABEL_SELECTOR, **_WORKLOAD_STATUS,
                  ("spec", "updateStrategy"): _STRUCT},
    "Job": {**_template(("spec", "template")), ("spec", "selector"): _LABEL_SELECTOR},
    "CronJob": {**_template(("spec", "jobTemplate", "spec", "template")),
                ("spec", "jobTemplate"): _STRUCT, ("spec", "jobTemplate", "spec"): _STRUCT,
                **_under(("spec", "jobTemplate", "metadata"), _METADATA_RULES),
                ("spec", "jobTemplate", "spec", "selector"): _LABEL_SELECTOR},
    "Service": {("spec", "ports"): FieldRule.keyed("port", "protocol", defaults={"protocol": "TCP"}),
                ("spec", "selector"): FieldRule.atomic(),
                ("status", "conditions"): FieldRule.keyed("type", patch_merge=False)},
    "ServiceAccount": {("secrets",): FieldRule.keyed("name")},
    "Node": {("spec", "podCIDRs"): FieldRule.set(),
             ("status", "conditions"): FieldRule.keyed("type"),
             ("status", "addresses"): FieldRule.keyed("type")},
    "Namespace": {("status", "conditions"): FieldRule.keyed("type")},
    "NetworkPolicy": {("spec", "podSelector"): _LABEL_SELECTOR},
    "PodDisruptionBudget": {("spec", "selector"): _LABEL_SELECTOR,
                            ("status", "conditions"): FieldRule.keyed("type")},
}


#: Kinds served from Go structs: strategic merge patch works for these (and only these).
BUILTIN_KINDS: frozenset[str] = frozenset(_KIND_RULES) | frozenset({
    "ConfigMap", "Secret", "Endpoints", "Event", "LimitRange", "ResourceQuota", "PersistentVolume",
    "PersistentVolumeClaim", "Binding", "ComponentStatus", "ControllerRevision", "Ingress", "IngressClass",
    "EndpointSlice", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "VolumeAttachment", "CSIDriver", "CSINode", "CSIStorageCapacity", "PriorityClass", "RuntimeClass",
    "Lease", "HorizontalPodAutoscaler", "CertificateSigningRequest", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "CustomResourceDefinition", "APIService", "FlowSchema", "PriorityLevelConfiguration",
    "IPAddress", "ServiceCIDR",
})

#: ``{kind: {path: FieldRule}}`` for every built-in kind (metadata rules included).
BUILTIN_MERGE_KEYS: dict[str, dict[tuple, FieldRule]] = {}
for _kind in BUILTIN_KINDS:
    BUILTIN_MERGE_KEYS[_kind] = {("spec",): _STRUCT, ("status",): _STRUCT,
                                 **_under(("metadata",), _METADATA_RULES), **_KIND_RULES.get(_kind, {})}


def supports_strategic_merge(kind: str | None) -> bool:
    return kind in BUILTIN_KINDS


def merge_keys_for(kind: str | None) -> dict[tuple, FieldRule]:
    """The schema for ``kind``; for unknown kinds (custom resources) only the ObjectMeta rules
    (finalizers set, ownerReferences by uid), which is what server-side apply uses for them."""
    if kind in BUILTIN_MERGE_KEYS:
        return BUILTIN_MERGE_KEYS[kind]
    return _under(("metadata",), _METADATA_RULES)


def _lookup(schema: Schema, path: tuple) -> FieldRule | None:
    rule = schema.get(path)
    if rule is not None:
        return rule
    for pattern, rule in schema.items():
        if "*" in pattern and len(pattern) == len(path) and all(p in ("*", x) for p, x in zip(pattern, path)):
            return rule
    return None
