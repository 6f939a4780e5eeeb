import pytest
from hypothesis import given, settings, strategies as st

from sandbox.k8s import names

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
QNAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


@pytest.mark.parametrize("value, ok", [
    ("example.com", True), ("a", True), ("0", True), ("a-b.c-d", True), ("a" * 253, True),
    ("", False), ("Example.com", False), ("-a", False), ("a-", False), ("a..b", False), (".a", False),
    ("a_b", False), ("a/b", False), ("a.b.", False),
])
def test_dns1123_subdomain(value, ok):
    errs = names.dns1123_subdomain(value)
    assert (errs == []) is ok
    if not ok:
        assert errs == [SUBDOMAIN_MSG]


def test_subdomain_too_long_reports_length_first():
    assert names.dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]
    assert names.dns1123_subdomain("A" * 254) == ["must be no more than 253 characters", SUBDOMAIN_MSG]


@pytest.mark.parametrize("value, errs", [
    ("default", []), ("kube-system", []), ("1abc", []), ("a" * 63, []),
    ("a" * 64, ["must be no more than 63 characters"]),
    ("my.ns", [LABEL_MSG]), ("UPPER", [LABEL_MSG]), ("", [LABEL_MSG]),
])
def test_dns1123_label(value, errs):
    assert names.dns1123_label(value) == errs


@pytest.mark.parametrize("value, errs", [
    ("web", []), ("my-svc-1", []), ("1web", [DNS1035_MSG]), ("web.x", [DNS1035_MSG]), ("web-", [DNS1035_MSG]),
])
def test_dns1035_label(value, errs):
    assert names.dns1035_label(value) == errs


@pytest.mark.parametrize("value, errs", [
    ("app", []), ("app.kubernetes.io/name", []), ("My_Key.1", []), ("a" * 63, []),
    ("", ["name part must be non-empty", QNAME_MSG]),
    ("-app", [QNAME_MSG]),
    ("/app", ["prefix part must be non-empty"]),
    ("app/", ["name part must be non-empty", QNAME_MSG]),
    ("Example.com/app", ["prefix part " + SUBDOMAIN_MSG]),
    ("a" * 64, ["name part must be no more than 63 characters"]),
])
def test_qualified_name(value, errs):
    assert names.qualified_name(value) == errs


def test_qualified_name_with_two_slashes():
    (err,) = names.qualified_name("a/b/c")
    assert err.startswith("a qualified name must consist of alphanumeric characters")
    assert err.endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")


@pytest.mark.parametrize("value, errs", [
    ("", []), ("prod", []), ("v1.2_3-x", []), ("a" * 63, []),
    ("a" * 64, ["must be no more than 63 characters"]),
    ("-x", [VALUE_MSG]), ("x y", [VALUE_MSG]), ("x/y", [VALUE_MSG]),
])
def test_label_value(value, errs):
    assert names.label_value(value) == errs


def test_length_is_counted_in_bytes_like_go():
    assert names.label_value("é" * 32) == ["must be no more than 63 characters", VALUE_MSG]


@pytest.mark.parametrize("resource, name, valid", [
    ("namespaces", "team-a", True), ("namespaces", "team.a", False),
    ("services", "web", True), ("services", "1web", False),
    ("pods", "web.1", True), ("configmaps", "Cfg", False), ("deployments", "a.b", True),
    ("networkpolicies", "deny-all", True), ("ingresses", "x" * 254, False),
    ("clusterroles", "system:aggregate-to-admin", True), ("roles", "a/b", False),
    ("cronjobs", "c" * 52, True), ("cronjobs", "c" * 53, False),
    ("widgets", "my.widget", True), ("widgets", "My", False),  # custom resources: subdomain
])
def test_validate_name(resource, name, valid):
    assert (names.validate_name(resource, name) == []) is valid


def test_name_rules_table():
    assert names.NAME_RULES["namespaces"] is names.dns1123_label
    assert names.NAME_RULES["services"] is names.dns1035_label
    for plural in ("pods", "configmaps", "secrets", "deployments", "statefulsets", "daemonsets", "replicasets",
                   "ingresses", "networkpolicies", "serviceaccounts", "ingressclasses", "nodes", "events"):
        assert names.NAME_RULES[plural] is names.dns1123_subdomain


def test_crd_name():
    assert names.crd_name("widgets.example.com", "widgets", "example.com") == []
    assert names.crd_name("widget.example.com", "widgets", "example.com") == ['must be spec.names.plural+"."+spec.group']


def test_path_segment_name():
    assert names.path_segment_name("..") == ["may not be '..'"]
    assert names.path_segment_name("a%b/c") == ["may not contain '/'", "may not contain '%'"]


_label = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)


@settings(deadline=None)
@given(st.lists(_label, min_size=1, max_size=5))
def test_dotted_labels_are_subdomains(parts):
    value = ".".join(parts)
    assert names.dns1123_subdomain(value) == ([] if len(value) <= 253 else ["must be no more than 253 characters"])
    assert names.dns1123_label(parts[0]) == []


@settings(deadline=None)
@given(st.text(max_size=80))
def test_validators_never_crash_and_agree_with_regex(value):
    import re
    ok = re.fullmatch(names.LABEL_VALUE_FMT, value) is not None and len(value.encode()) <= 63
    assert (names.label_value(value) == []) is ok
