"""Validation with the real server's field paths and wording; each check returns causes.

A cause is ``(field, reason, message)``; ``api`` turns a non-empty list into a 422 Invalid Status.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re

from sandbox.k8s import names, selectors

Cause = tuple[str, str, str]


def required(field: str) -> Cause:
    return (field, "FieldValueRequired", "Required value")


def invalid(field: str, value, message: str) -> Cause:
    return (field, "FieldValueInvalid", f"Invalid value: {json.dumps(value)}: {message}")


def unsupported(field: str, value, supported) -> Cause:
    options = ", ".join(json.dumps(s) for s in supported)
    return (field, "FieldValueNotSupported", f"Unsupported value: {json.dumps(value)}: supported values: {options}")


def immutable(field: str, value) -> Cause:
    return (field, "FieldValueInvalid", f"Invalid value: {json.dumps(value)}: field is immutable")


def metadata(rt, obj: dict) -> list[Cause]:
    meta = obj.get("metadata", {})
    causes: list[Cause] = []
    name = meta.get("name", "")
    if rt.crd_name is None and rt.plural != "customresourcedefinitions":
        rule = names.NAME_RULES.get(rt.plural, names.dns1123_subdomain)
        causes += [invalid("metadata.name", name, msg) for msg in rule(name)]
    else:
        causes += [invalid("metadata.name", name, msg) for msg in names.dns1123_subdomain(name)]
    for key, value in (meta.get("labels") or {}).items():
        causes += [invalid("metadata.labels", key, msg) for msg in names.qualified_name(key)]
        if not isinstance(value, str):
            causes.append(invalid(f"metadata.labels.{key}", value, "must be a string"))
        else:
            causes += [invalid("metadata.labels", value, msg) for msg in names.label_value(value)]
    for key, value in (meta.get("annotations") or {}).items():
        causes += [invalid("metadata.annotations", key, msg) for msg in names.qualified_name(key.lower())]
        if not isinstance(value, str):
            causes.append(invalid(f"metadata.annotations.{key}", value, "must be a string"))
    return causes


def _label_selector(field: str, selector) -> list[Cause]:
    if selector is None:
        return []
    try:
        selectors.label_selector_from_object(selector)
    except selectors.SelectorError as exc:
        return [invalid(field, selector, str(exc))]
    return []


def _containers(field: str, containers, required_list: bool = True) -> list[Cause]:
    if not containers:
        return [required(field)] if required_list else []
    causes: list[Cause] = []
    seen = set()
    for index, container in enumerate(containers):
        path = f"{field}[{index}]"
        name = container.get("name")
        if not name:
            causes.append(required(f"{path}.name"))
        else:
            causes += [invalid(f"{path}.name", name, msg) for msg in names.dns1123_label(name)]
            if name in seen:
                causes.append((f"{path}.name", "FieldValueDuplicate", f"Duplicate value: {json.dumps(name)}"))
            seen.add(name)
        if not container.get("image"):
            causes.append(required(f"{path}.image"))
        for p_index, port in enumerate(container.get("ports", [])):
            number = port.get("containerPort")
            if not isinstance(number, int) or not 1 <= number <= 65535:
                causes.append(invalid(f"{path}.ports[{p_index}].containerPort", number,
                                      "must be between 1 and 65535, inclusive"))
    return causes


def pod_spec(field: str, spec: dict | None) -> list[Cause]:
    if spec is None:
        return [required(field)]
    causes = _containers(f"{field}.containers", spec.get("containers"))
    causes += _containers(f"{field}.initContainers", spec.get("initContainers"), required_list=False)
    restart = spec.get("restartPolicy")
    if restart is not None and restart not in ("Always", "OnFailure", "Never"):
        causes.append(unsupported(f"{field}.restartPolicy", restart, ["Always", "OnFailure", "Never"]))
    return causes


def workload(obj: dict, old: dict | None, kind: str) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
        causes.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    selector = spec.get("selector")
    if selector is None:
        causes.append(required("spec.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(invalid("spec.selector", selector, "empty selector is invalid for deployment"
                              if kind == "Deployment" else "empty selector is invalid"))
    else:
        causes += _label_selector("spec.selector", selector)
    template = spec.get("template")
    if template is None:
        causes.append(required("spec.template"))
    else:
        labels = (template.get("metadata") or {}).get("labels") or {}
        if selector and (selector.get("matchLabels") or selector.get("matchExpressions")):
            try:
                if not selectors.label_selector_from_object(selector).matches(labels):
                    causes.append(invalid("spec.template.metadata.labels", labels,
                                          "`selector` does not match template `labels`"))
            except selectors.SelectorError:
                pass
        causes += pod_spec("spec.template.spec", template.get("spec"))
        restart = (template.get("spec") or {}).get("restartPolicy", "Always")
        if restart != "Always":
            causes.append(unsupported("spec.template.spec.restartPolicy", restart, ["Always"]))
    if old is not None and old.get("spec", {}).get("selector") != spec.get("selector"):
        causes.append(immutable("spec.selector", spec.get("selector")))
    if kind == "StatefulSet" and old is not None:
        for field in ("serviceName", "podManagementPolicy", "volumeClaimTemplates"):
            if old.get("spec", {}).get(field) != spec.get(field):
                causes.append(("spec", "FieldValueForbidden",
                               "Forbidden: updates to statefulset spec for fields other than 'replicas', "
                               "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                               "and 'minReadySeconds' are forbidden"))
                break
    return causes


SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]


def service(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        return [unsupported("spec.type", kind, SERVICE_TYPES)]
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and kind != "ExternalName" and not headless:
        causes.append(required("spec.ports"))
    if kind == "ExternalName" and not spec.get("externalName"):
        causes.append(required("spec.externalName"))
    for index, port in enumerate(ports):
        path = f"spec.ports[{index}]"
        if len(ports) > 1 and not port.get("name"):
            causes.append(required(f"{path}.name"))
        number = port.get("port")
        if not isinstance(number, int) or not 1 <= number <= 65535:
            causes.append(invalid(f"{path}.port", number, "must be between 1 and 65535, inclusive"))
        if port.get("protocol", "TCP") not in PROTOCOLS:
            causes.append(unsupported(f"{path}.protocol", port.get("protocol"), PROTOCOLS))
        node_port = port.get("nodePort")
        if node_port is not None:
            if kind not in ("NodePort", "LoadBalancer"):
                causes.append(("%s.nodePort" % path, "FieldValueForbidden",
                               "Forbidden: may not be used when `type` is 'ClusterIP'"))
            elif not isinstance(node_port, int) or not 30000 <= node_port <= 32767:
                causes.append(invalid(f"{path}.nodePort", node_port,
                                      "provided port is not in the valid range. The range of valid ports is "
                                      "30000-32767"))
    if old is not None:
        old_ip = old.get("spec", {}).get("clusterIP")
        if old_ip and spec.get("clusterIP") not in (None, old_ip) and kind != "ExternalName":
            causes.append(immutable("spec.clusterIP", spec.get("clusterIP")))
    for index, cidr in enumerate(spec.get("loadBalancerSourceRanges") or []):
        causes += _cidr(f"spec.loadBalancerSourceRanges[{index}]", cidr)
    return causes


def _cidr(field: str, value) -> list[Cause]:
    try:
        ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        return [invalid(field, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    return []


def _policy_peers(field: str, peers) -> list[Cause]:
    causes: list[Cause] = []
    for index, peer in enumerate(peers or []):
        path = f"{field}[{index}]"
        has_block = "ipBlock" in peer
        has_selector = "podSelector" in peer or "namespaceSelector" in peer
        if has_block == has_selector:
            causes.append((path, "FieldValueForbidden",
                           "Forbidden: must specify a peer" if not has_block else
                           "Forbidden: may not specify more than 1 peer type"))
            continue
        if has_block:
            block = peer["ipBlock"]
            if not block.get("cidr"):
                causes.append(required(f"{path}.ipBlock.cidr"))
                continue
            cidr_causes = _cidr(f"{path}.ipBlock.cidr", block["cidr"])
            causes += cidr_causes
            for e_index, except_cidr in enumerate(block.get("except") or []):
                e_causes = _cidr(f"{path}.ipBlock.except[{e_index}]", except_cidr)
                causes += e_causes
                if not e_causes and not cidr_causes:
                    outer, inner = ipaddress.ip_network(block["cidr"]), ipaddress.ip_network(except_cidr)
                    if inner.version != outer.version or not inner.subnet_of(outer) or inner == outer:
                        causes.append(invalid(f"{path}.ipBlock.except[{e_index}]", except_cidr,
                                              "must be a strict subset of `cidr`"))
        causes += _label_selector(f"{path}.podSelector", peer.get("podSelector"))
        causes += _label_selector(f"{path}.namespaceSelector", peer.get("namespaceSelector"))
    return causes


def _policy_ports(field: str, ports) -> list[Cause]:
    causes: list[Cause] = []
    for index, port in enumerate(ports or []):
        path = f"{field}[{index}]"
        if port.get("protocol", "TCP") not in PROTOCOLS:
            causes.append(unsupported(f"{path}.protocol", port.get("protocol"), PROTOCOLS))
        number = port.get("port")
        if isinstance(number, int) and not 1 <= number <= 65535:
            causes.append(invalid(f"{path}.port", number, "must be between 1 and 65535, inclusive"))
        end = port.get("endPort")
        if end is not None:
            if not isinstance(number, int):
                causes.append(required(f"{path}.port"))
            elif not isinstance(end, int) or end < number:
                causes.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
    return causes


def networkpolicy(obj: dict) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes = _label_selector("spec.podSelector", spec.get("podSelector"))
    for index, kind in enumerate(spec.get("policyTypes") or []):
        if kind not in ("Ingress", "Egress"):
            causes.append(unsupported(f"spec.policyTypes[{index}]", kind, ["Egress", "Ingress"]))
    for index, rule in enumerate(spec.get("ingress") or []):
        causes += _policy_peers(f"spec.ingress[{index}].from", rule.get("from"))
        causes += _policy_ports(f"spec.ingress[{index}].ports", rule.get("ports"))
    for index, rule in enumerate(spec.get("egress") or []):
        causes += _policy_peers(f"spec.egress[{index}].to", rule.get("to"))
        causes += _policy_ports(f"spec.egress[{index}].ports", rule.get("ports"))
    return causes


def horizontalpodautoscaler(obj: dict) -> list[Cause]:
    """autoscaling/v2 HorizontalPodAutoscaler: the target and the replica bounds (metrics are not checked)."""
    spec = obj.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    causes = [required(f"spec.scaleTargetRef.{field}") for field in ("kind", "name") if not target.get(field)]
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if not isinstance(low, int) or isinstance(low, bool) or low < 1:
        causes.append(invalid("spec.minReplicas", low, "must be greater than or equal to 1"))
    if high is None:
        causes.append(required("spec.maxReplicas"))
    elif not isinstance(high, int) or isinstance(high, bool) or high < 1:
        causes.append(invalid("spec.maxReplicas", high, "must be greater than 0"))
    elif isinstance(low, int) and high < low:
        causes.append(invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`"))
    return causes


_PERCENT = re.compile(r"^[0-9]+%$")


def poddisruptionbudget(obj: dict) -> list[Cause]:
    """policy/v1 PodDisruptionBudget: one of minAvailable and maxUnavailable, each a count or a percentage."""
    spec = obj.get("spec") or {}
    causes = _label_selector("spec.selector", spec.get("selector"))
    if "minAvailable" in spec and "maxUnavailable" in spec:
        causes.append(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
    for field in ("minAvailable", "maxUnavailable"):
        value = spec.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not (isinstance(value, int) and value >= 0 or
                                           isinstance(value, str) and _PERCENT.match(value)):
            causes.append(invalid(f"spec.{field}", value, "must be a non-negative integer or a percentage"))
    return causes


_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def configmap(obj: dict) -> list[Cause]:
    causes = []
    for section in ("data", "binaryData"):
        for key in obj.get(section) or {}:
            if not _CONFIG_KEY.match(key) or len(key) > 253:
                causes.append(invalid(f"{section}", key, "a valid config key must consist of alphanumeric "
                                      "characters, '-', '_' or '.'"))
    return causes


def immutable_data(obj: dict, old: dict | None) -> list[Cause]:
    """ConfigMaps and Secrets marked ``immutable: true`` keep their data and the flag for ever."""
    if old is None or not old.get("immutable"):
        return []
    forbidden = "Forbidden: field is immutable when `immutable` is set"
    causes = [("immutable", "FieldValueForbidden", forbidden)] if not obj.get("immutable") else []
    for field in ("data", "binaryData"):
        if (obj.get(field) or {}) != (old.get(field) or {}):
            causes.append((field, "FieldValueForbidden", forbidden))
    return causes


def secret_data(obj: dict) -> list[Cause]:
    causes = []
    for key, value in (obj.get("data") or {}).items():
        try:
            base64.b64decode(str(value), validate=True)
        except (ValueError, binascii.Error):
            causes.append(invalid(f"data[{key}]", "<secret contents redacted>", "illegal base64 data"))
    return causes


def crd(obj: dict, old: dict | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    names_ = spec.get("names") or {}
    causes: list[Cause] = []
    for field in ("group", "scope"):
        if not spec.get(field):
            causes.append(required(f"spec.{field}"))
    for field in ("plural", "kind"):
        if not names_.get(field):
            causes.append(required(f"spec.names.{field}"))
    if spec.get("scope") and spec["scope"] not in ("Cluster", "Namespaced"):
        causes.append(unsupported("spec.scope", spec["scope"], ["Cluster", "Namespaced"]))
    if spec.get("group") and names_.get("plural"):
        expected = f"{names_['plural']}.{spec['group']}"
        if obj["metadata"].get("name") != expected:
            causes.append(invalid("metadata.name", obj["metadata"].get("name"),
                                  'must be spec.names.plural+"."+spec.group'))
    versions = spec.get("versions") or []
    if not versions:
        causes.append(required("spec.versions"))
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(invalid("spec.versions", [v.get("name") for v in versions],
                              "must have exactly one version marked as storage version"))
    if old is not None and old.get("spec", {}).get("scope") != spec.get("scope"):
        causes.append(immutable("spec.scope", spec.get("scope")))
    return causes


def for_kind(rt, obj: dict, old: dict | None) -> list[Cause]:
    """Kind-specific validation of built-in types; custom resources use their CRD schema."""
    if rt.schema is not None:
        return schema(rt.schema, obj)
    kind = rt.kind
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        return workload(obj, old, kind)
    if kind == "Pod":
        return pod_spec("spec", obj.get("spec"))
    if kind == "Service":
        return service(obj, old)
    if kind == "NetworkPolicy":
        return networkpolicy(obj)
    if kind == "HorizontalPodAutoscaler":
        return horizontalpodautoscaler(obj)
    if kind == "PodDisruptionBudget":
        return poddisruptionbudget(obj)
    if kind == "ConfigMap":
        return configmap(obj) + immutable_data(obj, old)
    if kind == "Secret":
        return configmap(obj) + secret_data(obj) + immutable_data(obj, old)
    if kind == "CustomResourceDefinition":
        return crd(obj, old)
    return []


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def schema(spec: dict, obj: dict) -> list[Cause]:
    """Validate a custom resource against its CRD's openAPIV3Schema (the structural subset)."""
    causes: list[Cause] = []
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    properties = {k: v for k, v in (spec.get("properties") or {}).items() if k not in ("apiVersion", "kind",
                                                                                        "metadata")}
    _check({**spec, "properties": properties, "required": [r for r in spec.get("required", [])
                                                           if r not in ("apiVersion", "kind", "metadata")]},
           body, "", causes)
    return causes


def _check(spec: dict, value, path: str, causes: list[Cause]) -> None:
    if value is None:
        if not spec.get("nullable"):
            causes.append(invalid(path or "<root>", value, "must not be null") if path else required("<root>"))
        return
    kind = spec.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind in _TYPES:
        ok = isinstance(value, _TYPES[kind])
    else:
        ok = True
    if not ok:
        causes.append((path, "FieldValueTypeInvalid", f"Invalid value: {json.dumps(value)}: {path} in body must "
                                                      f"be of type {kind}: \"{type(value).__name__}\""))
        return
    if "enum" in spec and value not in spec["enum"]:
        causes.append(unsupported(path, value, spec["enum"]))
    if isinstance(value, str):
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            causes.append(("%s" % path, "FieldValueTooLong", f"Too long: may not be more than {spec['maxLength']} "
                                                             f"bytes"))
        if "pattern" in spec and not re.search(spec["pattern"], value):
            causes.append(invalid(path, value, f"{path} in body should match '{spec['pattern']}'"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            causes.append(invalid(path, value, f"{path} in body should be greater than or equal to "
                                               f"{spec['minimum']}"))
        if "maximum" in spec and value > spec["maximum"]:
            causes.append(invalid(path, value, f"{path} in body should be less than or equal to {spec['maximum']}"))
    if isinstance(value, list):
        if "maxItems" in spec and len(value) > spec["maxItems"]:
            causes.append((path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most "
                                                      f"{spec['maxItems']} items"))
        if "minItems" in spec and len(value) < spec["minItems"]:
            causes.append(invalid(path, value, f"{path} in body should have at least {spec['minItems']} items"))
        for index, item in enumerate(value):
            if isinstance(spec.get("items"), dict):
                _check(spec["items"], item, f"{path}[{index}]", causes)
    if isinstance(value, dict):
        for name in spec.get("required", []):
            if name not in value:
                causes.append(required(f"{path}.{name}" if path else name))
        for name, item in value.items():
            sub = (spec.get("properties") or {}).get(name)
            if sub is None and isinstance(spec.get("additionalProperties"), dict):
                sub = spec["additionalProperties"]
            if sub is not None:
                _check(sub, item, f"{path}.{name}" if path else name, causes)


def prune(spec: dict, value):
    """Drop fields a structural schema does not declare, unless it preserves unknown fields."""
    if isinstance(value, dict) and spec.get("type") == "object":
        if spec.get("x-kubernetes-preserve-unknown-fields"):
            return value
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        if props is None and not isinstance(extra, dict):
            return value if extra in (True, None) and props is None and "type" not in spec else {}
        out = {}
        for key, item in value.items():
            if props and key in props:
                out[key] = prune(props[key], item)
            elif isinstance(extra, dict):
                out[key] = prune(extra, item)
        return out
    if isinstance(value, list) and isinstance(spec.get("items"), dict):
        return [prune(spec["items"], item) for item in value]
    return value


def dropped_fields(original, pruned, path: str = "") -> list[str]:
    """Dotted paths of the fields ``prune`` removed (for fieldValidation Strict/Warn)."""
    if isinstance(original, dict) and isinstance(pruned, dict):
        out = []
        for key, value in original.items():
            child = f"{path}.{key}" if path else key
            out += [child] if key not in pruned else dropped_fields(value, pruned[key], child)
        return out
    if isinstance(original, list) and isinstance(pruned, list):
        return [field for index, (a, b) in enumerate(zip(original, pruned))
                for field in dropped_fields(a, b, f"{path}[{index}]")]
    return []
