"""The run boundary: one exit_json or fail_json, whatever happens, with the partial result and a clean msg."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError


class Ended(Exception):
    """What exit_json/fail_json raise here (AnsibleModule exits the process)."""

    def __init__(self, kind, fields):
        super().__init__(kind)
        self.kind, self.fields = kind, fields


class FakeModule:
    params = {}
    check_mode = False
    _diff = False

    def __init__(self):
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)

    def exit_json(self, **fields):
        raise Ended("exit", fields)

    def fail_json(self, **fields):
        raise Ended("fail", fields)


class Backend:
    def __init__(self, where, reads=0, writes=0, known=None):
        self.where = where
        self.calls = CallCounter()
        for _ in range(reads):
            self.calls.add("list Pod", False)
        for _ in range(writes):
            self.calls.add("patch Pod", True)
        self.known = known

    def describe(self, exc):
        return f"described: {exc}" if self.known and isinstance(exc, self.known) else None


def ended(work):
    module = FakeModule()
    with pytest.raises(Ended) as caught:
        run_module(module, work)
    return caught.value, module


def test_success_returns_the_result_with_the_calls_of_every_backend_and_the_warnings():
    def work(run):
        run.attach(Backend("API a", reads=2))
        run.attach(Backend("API b", reads=1, writes=1))
        run.result.update(changed=True, warnings_found=["careful"])

    end, module = ended(work)
    assert end.kind == "exit" and end.fields["changed"] is True
    assert end.fields["api_calls"] == {"reads": 3, "writes": 1, "by_operation": {"list Pod": 3, "patch Pod": 1}}
    assert module.warnings == ["careful"]


def test_an_input_error_before_any_backend_names_only_the_option():
    def work(run):
        raise InputError("rules[3].cidr", "10.0.0.0/33 is not a valid CIDR")

    end, _module = ended(work)
    assert end.kind == "fail" and end.fields["msg"] == "rules[3].cidr: 10.0.0.0/33 is not a valid CIDR"
    assert "Traceback" in end.fields["exception"] and end.fields["changed"] is False


def test_an_error_after_writes_keeps_the_partial_result_and_says_where():
    def work(run):
        run.attach(Backend("context ack-app of kubeconfig 'config' in /k", writes=2))
        run.result.update(actions=[{"action": "create"}], msg="not a field", failed="nor this")
        raise OperationError("timed out after 5s waiting for pods")

    end, _module = ended(work)
    assert end.fields["msg"] == "timed out after 5s waiting for pods (context ack-app of kubeconfig 'config' in /k)"
    assert end.fields["changed"] is True and end.fields["actions"] == [{"action": "create"}]
    assert end.fields["api_calls"]["writes"] == 2


def test_an_api_error_names_its_endpoint_once():
    def work(run):
        run.attach(Backend("AWS region us-east-1, endpoint https://ec2.us-east-1.amazonaws.com"))
        raise ApiError(
            "describe_cluster",
            "No cluster found for name: demo-eks",
            code="ResourceNotFoundException",
            where="AWS region us-east-1, endpoint https://eks.us-east-1.amazonaws.com",
        )

    end, _module = ended(work)
    assert end.fields["msg"] == (
        "describe_cluster failed: ResourceNotFoundException: No cluster found for name: "
        "demo-eks (AWS region us-east-1, endpoint https://eks.us-east-1.amazonaws.com)"
    )


def test_a_library_error_is_described_by_its_backend():
    def work(run):
        run.attach(Backend("Kubernetes API https://k:6443", known=ConnectionError))
        raise ConnectionError("refused")

    end, _module = ended(work)
    assert end.fields["msg"] == "described: refused (Kubernetes API https://k:6443)"


def test_anything_else_is_an_unexpected_error_with_its_traceback_kept_out_of_msg():
    def work(run):
        run.attach(Backend("Kubernetes API https://k:6443"))
        return {}["missing"]

    end, _module = ended(work)
    assert end.fields["msg"].startswith("unexpected KeyError: 'missing' (Kubernetes API https://k:6443)")
    assert "bug in kubeguard.netsec" in end.fields["msg"] and "Traceback" not in end.fields["msg"]
    assert "KeyError" in end.fields["exception"]


def test_a_traceback_a_library_put_in_its_own_text_never_reaches_msg():
    def work(run):
        run.attach(Backend("Kubernetes API https://k:6443", known=ConnectionError))
        raise ConnectionError('404\nReason: Not Found\nOriginal traceback: \n  File "client.py", line 54, in inner')

    end, _module = ended(work)
    assert end.fields["msg"] == "described: 404\nReason: Not Found (Kubernetes API https://k:6443)"


class AwsShapedModule(FakeModule):
    """What amazon.aws's AnsibleAWSModule does with warnings: it keeps what warn() is given and passes it to
    exit_json again as ``warnings``, which ansible-core 2.19+ reports as a deprecation on every run."""

    def __init__(self):
        super().__init__()
        self._module = FakeModule()

    def warn(self, text):
        self.warnings.append(text)
        self._module.warn(text)

    def exit_json(self, **fields):
        if self.warnings:
            fields["warnings"] = list(self.warnings)
        raise Ended("exit", fields)


def test_warnings_go_to_the_wrapped_ansible_module_so_none_is_passed_to_exit_json():
    module = AwsShapedModule()
    with pytest.raises(Ended) as caught:
        run_module(module, lambda run: run.result.update(warnings_found=["careful"]))
    assert module._module.warnings == ["careful"]
    assert "warnings" not in caught.value.fields
