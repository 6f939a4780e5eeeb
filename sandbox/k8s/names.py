"""Name and label validators worded like k8s.io/apimachinery/pkg/util/validation.

Every validator takes a string and returns a list of error strings (empty when valid), exactly like
the Go functions ``IsDNS1123Subdomain``, ``IsDNS1123Label``, ``IsDNS1035Label``, ``IsQualifiedName``
and ``IsValidLabelValue``. The messages reproduce the apiserver's wording, including its quirks
(``RegexError`` joins several examples with ``',  or '`` -- two spaces -- and an empty qualified
name reports both "must be non-empty" and the regex message).

Lengths are counted in bytes of the UTF-8 encoding, as Go's ``len`` does.

``NAME_RULES`` maps a resource plural to the validator the real apiserver applies to
``metadata.name``; ``validate_name(resource, name)`` uses it with the apiserver's default (DNS-1123
subdomain, also what custom resources get) for plurals not listed. CustomResourceDefinitions are
special (the name must equal ``<spec.names.plural>.<spec.group>``): see ``crd_name``.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = [
    "DNS1123_LABEL_FMT",
    "DNS1123_SUBDOMAIN_FMT",
    "DNS1035_LABEL_FMT",
    "QUALIFIED_NAME_FMT",
    "LABEL_VALUE_FMT",
    "dns1123_subdomain",
    "dns1123_label",
    "dns1035_label",
    "qualified_name",
    "label_value",
    "path_segment_name",
    "cronjob_name",
    "crd_name",
    "NAME_RULES",
    "validate_name",
]

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + r"(\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_MAX_LENGTH = 63

_DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                      "and must start and end with an alphanumeric character")
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                          "'-' or '.', and must start and end with an alphanumeric character")
_DNS1035_LABEL_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                      "an alphabetic character, and end with an alphanumeric character")
_QUALIFIED_NAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                       "an alphanumeric character")
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                    "'.', and must start and end with an alphanumeric character")

_RE_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT)
_RE_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN_FMT)
_RE_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT)
_RE_QUALIFIED_NAME = re.compile(QUALIFIED_NAME_FMT)
_RE_LABEL_VALUE = re.compile(LABEL_VALUE_FMT)


def _blen(value: str) -> int:
    return len(value.encode("utf-8"))


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """Go's validation.RegexError, byte for byte (note the double space between examples)."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    out = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            out += " or "
        out += f"'{example}', "
    return out + f"regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def empty_error() -> str:
    return "must be non-empty"


def dns1123_label(value: str) -> list[str]:
    """RFC 1123 label (IsDNS1123Label): namespace names, among others."""
    errs = []
    if _blen(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _RE_DNS1123_LABEL.fullmatch(value):
        errs.append(regex_error(_DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def dns1123_subdomain(value: str) -> list[str]:
    """RFC 1123 subdomain (IsDNS1123Subdomain): the default for object names."""
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _RE_DNS1123_SUBDOMAIN.fullmatch(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def dns1035_label(value: str) -> list[str]:
    """RFC 1035 label (IsDNS1035Label): Service names."""
    errs = []
    if _blen(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _RE_DNS1035_LABEL.fullmatch(value):
        errs.append(regex_error(_DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def qualified_name(value: str) -> list[str]:
    """IsQualifiedName: label and annotation keys, ``[prefix/]name``."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + msg for msg in dns1123_subdomain(prefix))
    else:
        return errs + [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + empty_error())
    elif _blen(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _RE_QUALIFIED_NAME.fullmatch(name):
        errs.append("name part " + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value(value: str) -> list[str]:
    """IsValidLabelValue: empty, or at most 63 characters of ``[A-Za-z0-9_.-]`` starting/ending alphanumeric."""
    errs = []
    if _blen(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _RE_LABEL_VALUE.fullmatch(value):
        errs.append(regex_error(_LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def path_segment_name(value: str) -> list[str]:
    """path.IsValidPathSegmentName: what RBAC objects (Role, ClusterRole, bindings) are held to.

    Such names may contain ':' (e.g. ``system:aggregate-to-admin``) and upper case.
    """
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    errs = []
    for bad in ("/", "%"):
        if bad in value:
            errs.append(f"may not contain '{bad}'")
    return errs


def cronjob_name(value: str) -> list[str]:
    """CronJob names: a DNS-1123 subdomain of at most 52 characters (11 are kept for the Job suffix)."""
    errs = dns1123_subdomain(value)
    if _blen(value) > DNS1035_LABEL_MAX_LENGTH - 11:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH - 11))
    return errs


def crd_name(name: str, plural: str, group: str) -> list[str]:
    """CustomResourceDefinition ``metadata.name`` must be ``<spec.names.plural>.<spec.group>``."""
    errs = dns1123_subdomain(name)
    if name != f"{plural}.{group}":
        errs.append('must be spec.names.plural+"."+spec.group')
    return errs


Validator = Callable[[str], "list[str]"]

NAME_RULES: dict[str, Validator] = {
    "namespaces": dns1123_label,
    "services": dns1035_label,
    "pods": dns1123_subdomain,
    "configmaps": dns1123_subdomain,
    "secrets": dns1123_subdomain,
    "serviceaccounts": dns1123_subdomain,
    "endpoints": dns1123_subdomain,
    "events": dns1123_subdomain,
    "nodes": dns1123_subdomain,
    "persistentvolumes": dns1123_subdomain,
    "persistentvolumeclaims": dns1123_subdomain,
    "limitranges": dns1123_subdomain,
    "resourcequotas": dns1123_subdomain,
    "replicationcontrollers": dns1123_subdomain,
    "podtemplates": dns1123_subdomain,
    "deployments": dns1123_subdomain,
    "statefulsets": dns1123_subdomain,
    "daemonsets": dns1123_subdomain,
    "replicasets": dns1123_subdomain,
    "controllerrevisions": dns1123_subdomain,
    "jobs": dns1123_subdomain,
    "cronjobs": cronjob_name,
    "ingresses": dns1123_subdomain,
    "ingressclasses": dns1123_subdomain,
    "networkpolicies": dns1123_subdomain,
    "endpointslices": dns1123_subdomain,
    "leases": dns1123_subdomain,
    "storageclasses": dns1123_subdomain,
    "priorityclasses": dns1123_subdomain,
    "poddisruptionbudgets": dns1123_subdomain,
    "horizontalpodautoscalers": dns1123_subdomain,
    "roles": path_segment_name,
    "rolebindings": path_segment_name,
    "clusterroles": path_segment_name,
    "clusterrolebindings": path_segment_name,
}


def validate_name(resource: str, name: str) -> list[str]:
    """Errors for ``metadata.name`` of ``resource`` (plural). Unknown plurals -- including custom
    resources -- get the apiserver default, a DNS-1123 subdomain. CRDs need ``crd_name`` instead.

    The apiserver wraps each message as ``metadata.name: Invalid value: "<name>": <message>``.
    """
    return NAME_RULES.get(resource, dns1123_subdomain)(name)
