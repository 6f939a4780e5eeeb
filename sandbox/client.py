"""A tiny client for the admin API, used by the CLI and by tests."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from sandbox import config


def is_client_service(name: str) -> bool:
    """Whether a service of the call accounting is one a client calls (ec2, elbv2, eks, sts, slb, k8s:<cluster>),
    not the sandbox's own simulated controllers and oracles (ec2:lbc, elbv2:lbc, slb:ccm, ec2:oracle, ...),
    which act in the background."""
    return ":" not in name or name.startswith("k8s:")


class SandboxUnavailable(RuntimeError):
    """The admin API did not answer."""


class AdminClient:
    def __init__(self, base_url: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url or os.environ.get("KUBEGUARD_SANDBOX_ADMIN_URL") or config.url(
            config.Ports(config.base_port()).admin)
        self.timeout = timeout

    def _request(self, method: str, route: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.base_url + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise ValueError(f"{method} {route}: HTTP {exc.code}: {detail.strip()}") from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise SandboxUnavailable(f"sandbox admin API at {self.base_url} did not answer: {exc}") from exc

    def health(self) -> dict:
        return self._request("GET", "/health")

    def calls(self) -> dict:
        return self._request("GET", "/calls")

    def call_log(self) -> list[dict]:
        """The calls since the last reset, oldest first: {seq, service, action, kind, fault}."""
        return self._request("GET", "/calls/log")["calls"]

    def client_call_log(self) -> list[dict]:
        """``call_log`` without the calls of the sandbox's own controllers and oracles (``is_client_service``)."""
        return [call for call in self.call_log() if is_client_service(call["service"])]

    def reset_calls(self) -> dict:
        """Reset the counters; returns the counts as they were."""
        return self._request("POST", "/calls/reset")

    def faults(self) -> dict:
        return self._request("GET", "/faults")

    def set_faults(self, rules: list[dict], seed: int = 0) -> dict:
        return self._request("PUT", "/faults", {"rules": rules, "seed": seed})

    def clear_faults(self) -> dict:
        return self._request("DELETE", "/faults")

    def settings(self, service: str) -> dict:
        return self._request("GET", f"/settings/{service}")

    def set_settings(self, service: str, changes: dict) -> dict:
        """Change some quotas or timings of a service (``slb``); a reset restores the defaults."""
        return self._request("PUT", f"/settings/{service}", changes)

    def settle(self, timeout: float = 30.0) -> dict:
        """Wait until the simulated controllers (the CCM, the load balancer controller) have nothing queued;
        fails after ``timeout``."""
        return self._request("POST", f"/settle?timeout={timeout}")

    def lbc_sync(self) -> dict:
        """One sync of the simulated AWS Load Balancer Controller on each EKS cluster: what it did, per cluster."""
        return self._request("POST", "/lbc/sync")

    def reset(self) -> dict:
        """Drop every emulated resource, the counters and the fault plan."""
        return self._request("POST", "/reset")
