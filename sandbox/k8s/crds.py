"""The Terway CustomResourceDefinitions the emulated ACK clusters serve: PodNetworking and PodENI.

Transcribed from the Go types of AliyunContainerService/terway
(``pkg/apis/network.alibabacloud.com/v1beta1/types.go``) the way controller-gen v0.17.2 renders them
in ``pkg/apis/crds/``: ``+kubebuilder:default`` markers become ``default``, ``Enum`` markers
``enum``, fields without ``omitempty`` are ``required``, and both kinds have the status
subresource. Long upstream descriptions are shortened. ``crd_manifests()`` returns fresh copies,
ready to POST to ``/apis/apiextensions.k8s.io/v1/customresourcedefinitions``.
"""

from __future__ import annotations

import copy

GROUP = "network.alibabacloud.com"
VERSION = "v1beta1"
CONTROLLER_GEN = "v0.17.2"

_STR = {"type": "string"}
_STR_LIST = {"items": {"type": "string"}, "type": "array"}


def _label_selector() -> dict:
    """metav1.LabelSelector as controller-gen renders it (atomic-list markers dropped)."""
    return {
        "description": "A label selector is a label query over a set of resources. The result of matchLabels and "
                       "matchExpressions are ANDed. An empty label selector matches all objects. A null label "
                       "selector matches no objects.",
        "properties": {
            "matchExpressions": {
                "description": "matchExpressions is a list of label selector requirements. The requirements are "
                               "ANDed.",
                "items": {
                    "description": "A label selector requirement is a selector that contains values, a key, and "
                                   "an operator that relates the key and values.",
                    "properties": {
                        "key": {"description": "key is the label key that the selector applies to.",
                                "type": "string"},
                        "operator": {"description": "operator represents a key's relationship to a set of values. "
                                                    "Valid operators are In, NotIn, Exists and DoesNotExist.",
                                     "type": "string"},
                        "values": {"description": "values is an array of string values.",
                                   **copy.deepcopy(_STR_LIST)},
                    },
                    "required": ["key", "operator"],
                    "type": "object",
                },
                "type": "array",
            },
            "matchLabels": {"additionalProperties": {"type": "string"},
                            "description": "matchLabels is a map of {key,value} pairs.", "type": "object"},
        },
        "type": "object",
        "x-kubernetes-map-type": "atomic",
    }


def _allocation_type() -> dict:
    return {
        "description": "AllocationType ip type and release strategy",
        "properties": {
            "releaseAfter": {"description": "Go duration, e.g. 5m0s", "type": "string"},
            "releaseStrategy": {"description": "ReleaseStrategy is the type for ip release strategy",
                                "enum": ["TTL", "Never"], "type": "string"},
            "type": {"default": "Elastic", "description": "IPAllocType is the type for ip alloc strategy",
                     "enum": ["Elastic", "Fixed"], "type": "string"},
        },
        "type": "object",
    }


def _meta_properties() -> dict:
    return {
        "apiVersion": {"description": "APIVersion defines the versioned schema of this representation of an "
                                      "object.", "type": "string"},
        "kind": {"description": "Kind is a string value representing the REST resource this object represents.",
                 "type": "string"},
        "metadata": {"type": "object"},
    }


def _crd(plural: str, kind: str, scope: str, schema: dict) -> dict:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}",
                     "annotations": {"controller-gen.kubebuilder.io/version": CONTROLLER_GEN}},
        "spec": {
            "group": GROUP,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "scope": scope,
            "versions": [{"name": VERSION, "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}],
        },
    }


def podnetworking_crd() -> dict:
    spec = {
        "description": "PodNetworkingSpec defines the desired state of PodNetworking",
        "properties": {
            "allocationType": _allocation_type(),
            "eniOptions": {
                "default": {"eniType": "Default"},
                "properties": {
                    "eniType": {"default": "Default", "description": "ENIAttachType",
                                "enum": ["Trunk", "ENI", "Default"], "type": "string"},
                },
                "required": ["eniType"],
                "type": "object",
            },
            "securityGroupIDs": copy.deepcopy(_STR_LIST),
            "selector": {
                "description": "Selector is for pod or namespace",
                "properties": {"namespaceSelector": _label_selector(), "podSelector": _label_selector()},
                "type": "object",
            },
            "vSwitchOptions": copy.deepcopy(_STR_LIST),
            "vSwitchSelectOptions": {
                "default": {"vSwitchSelectionPolicy": "ordered"},
                "properties": {
                    "vSwitchSelectionPolicy": {"default": "ordered", "description": "SelectionPolicy",
                                               "enum": ["ordered", "random", "most"], "type": "string"},
                },
                "type": "object",
            },
        },
        "required": ["eniOptions"],
        "type": "object",
    }
    status = {
        "description": "PodNetworkingStatus defines the observed state of PodNetworking",
        "properties": {
            "message": {"description": "Message for the status", "type": "string"},
            "status": {"description": "Status is the status for crd", "type": "string"},
            "updateAt": {"description": "UpdateAt the time status updated", "format": "date-time",
                         "type": "string"},
            "vSwitches": {
                "description": "vSwitches list for vSwitches",
                "items": {"description": "VSwitch VSwitch info",
                          "properties": {"id": dict(_STR), "zone": dict(_STR)}, "type": "object"},
                "type": "array",
            },
        },
        "type": "object",
    }
    schema = {"description": "PodNetworking is the Schema for the PodNetworking API",
              "properties": {**_meta_properties(), "spec": spec, "status": status}, "type": "object"}
    return _crd("podnetworkings", "PodNetworking", "Cluster", schema)


def podeni_crd() -> dict:
    allocation = {
        "description": "Allocation for eni record",
        "properties": {
            "allocationType": _allocation_type(),
            "defaultRoute": {"type": "boolean"},
            "eni": {
                "description": "ENI eni info",
                "properties": {
                    "attachmentOptions": {"properties": {"trunk": {"type": "boolean"}}, "type": "object"},
                    "id": dict(_STR),
                    "mac": dict(_STR),
                    "resourceGroupID": dict(_STR),
                    "securityGroupIDs": copy.deepcopy(_STR_LIST),
                    "vSwitchID": dict(_STR),
                    "vpcID": dict(_STR),
                    "zone": dict(_STR),
                },
                "type": "object",
            },
            "extraConfig": {"additionalProperties": {"type": "string"}, "type": "object"},
            "extraRoutes": {"items": {"properties": {"dst": dict(_STR)}, "type": "object"}, "type": "array"},
            "interface": dict(_STR),
            "ipv4": dict(_STR),
            "ipv4CIDR": dict(_STR),
            "ipv6": dict(_STR),
            "ipv6CIDR": dict(_STR),
        },
        "type": "object",
    }
    spec = {
        "description": "PodENISpec defines the desired state of PodENI",
        "properties": {
            "allocations": {"description": "Allocation store the state for eni", "items": allocation,
                            "type": "array"},
            "zone": {"description": "Zone zone", "type": "string"},
        },
        "type": "object",
    }
    status = {
        "description": "PodENIStatus defines the observed state of PodENI",
        "properties": {
            "eniInfos": {
                "additionalProperties": {
                    "properties": {
                        "id": dict(_STR),
                        "networkCardIndex": {"type": "integer"},
                        "status": {"description": "ENIBindStatus is the current status for the eni",
                                   "type": "string"},
                        "type": {"description": "ENIType for this eni, only Secondary and Member is supported",
                                 "enum": ["Secondary", "Trunk", "Primary", "Member"], "type": "string"},
                        "vid": {"type": "integer"},
                    },
                    "type": "object",
                },
                "description": "ENIInfos is the status after eni is attached, it is indexed by eni id",
                "type": "object",
            },
            "instanceID": {"description": "InstanceID for ecs", "type": "string"},
            "msg": {"description": "Msg additional info", "type": "string"},
            "phase": {"description": "Phase is the status for the eni binding", "type": "string"},
            "podLastSeen": {"description": "PodLastSeen is the timestamp when pod resource last seen",
                            "format": "date-time", "type": "string"},
            "trunkENIID": {"description": "TrunkENIID is the trunk eni id", "type": "string"},
        },
        "type": "object",
    }
    schema = {"description": "PodENI is the Schema for the podenis API",
              "properties": {**_meta_properties(), "spec": spec, "status": status}, "type": "object"}
    return _crd("podenis", "PodENI", "Namespaced", schema)


def crd_manifests() -> list[dict]:
    """Both CRDs, PodNetworking first (fresh dicts; callers may mutate them)."""
    return [podnetworking_crd(), podeni_crd()]
