"""The seeded shop Ingresses on demo-eks, one seed for the whole module (each test leaves the shop's annotations
as seeded, and checks it):

- bad input refused, every case with zero writes;
- every EXAMPLES entry as written, in order in one play (plus the NLB Service the third example expects in the
  namespace payments, made by hand first);
- check mode, one patch per object, a second run with no write, and the effect proven by the AWS reachability
  oracle after the simulated controller's sync;
- replaced removing only our keys, a foreign value refused, then changed with force and put back by deleted.
"""

from __future__ import annotations

import json

from annotations_support import (  # noqa: F401 - fixtures
    ALB, K8S, MODULE, NLB, RECORD, REPLACED, AnnotationsPlayer, Estate, estate, player, service,
)

import module_steps

OFFICE = ["203.0.113.0/24"]
SEEDED = {
    "storefront": {ALB + "scheme": "internet-facing", ALB + "target-type": "instance",
                   ALB + "healthcheck-path": "/healthz", ALB + "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]'},
    "catalog": {ALB + "scheme": "internet-facing", ALB + "target-type": "instance",
                ALB + "healthcheck-path": "/healthz", ALB + "listen-ports": '[{"HTTP": 80}]'},
}


def _params(**extra) -> dict:
    return dict({"context": "demo-eks", "namespaces": ["shop"], "names": ["storefront", "catalog"]}, **extra)


BAD = [  # (params, what the message must say)
    (_params(ingress={"security_groups": ["sg-12345"]}), "ingress.security_groups[0]: sg-12345 is not a security group"),
    (_params(ingress={"inbound_cidrs": ["10.0.0.5/24"]}), "ingress.inbound_cidrs[0]: '10.0.0.5/24' is not a valid CIDR"),
    (_params(ingress={"listen_ports": [{"http": 80}]}), "did you mean HTTP?"),
    (_params(ingress={"listen_ports": [{"HTTP": 8080}, {"HTTPS": 8080}]}), "port 8080 is listed as HTTP and HTTPS"),
    (_params(ingress={"target_type": "IP"}), "target_type"),
    (_params(ingress={"security_groups": [f"sg-{i:017x}" for i in range(6)]}), "at most 5"),
    (_params(service={"load_balancer_source_ranges": ["10.0.0.0/33"]}), "load_balancer_source_ranges[0]"),
    (_params(names=["storefront", "nope"], ingress={"scheme": "internal"}), "names: nope match no selected"),
    (_params(label_selector={"match_labels": {"tier": "none"}}, ingress={"scheme": "internal"}), "matches no"),
    (_params(state="replaced"), "allow_empty=true"),
    (_params(request_timeout=0, ingress={"scheme": "internal"}), "request_timeout"),
    (_params(controller={"namespace": "kube-system", "name": "missing"}, ingress={"scheme": "internal"}),
     "no Deployment kube-system/missing"),
]


def test_bad_input_is_refused_with_zero_writes(player: AnnotationsPlayer, estate: Estate):
    """Each case fails naming what is wrong; the sandbox saw no write at all (counted once for the whole play)."""
    estate.admin.reset_calls()
    tasks = [module_steps.module_task(MODULE, i, {"params": params}) for i, (params, _words) in enumerate(BAD)]
    results = player.run_tasks(tasks, "{" + ", ".join(f"'r{i}': r{i}" for i in range(len(BAD))) + "}")
    calls = estate.admin.calls()["services"][K8S]
    assert calls["writes"] == 0 and calls["reads"] > 0
    for index, (_params_, words) in enumerate(BAD):
        result = results[f"r{index}"]
        assert result.get("failed") and not result.get("changed"), result
        assert words in result["msg"] and "Traceback" not in result["msg"], result["msg"]
    for name, seeded in SEEDED.items():
        assert estate.annotations("shop", name) == seeded


NAMES = ["office", "admin", "payments", "audit", "replaced", "forced", "current", "offline", "rollback"]


def test_the_examples_run_as_written(player: AnnotationsPlayer, estate: Estate):
    seeded = {name: estate.annotations("shop", name) for name in ("storefront", "catalog", "admin", "partner-api")}
    estate.namespace("payments")
    estate.create_all([service("payments", "gateway", nlb=True)])
    results = player.run_examples(NAMES)
    office = {o["name"]: o for o in results["office"]["objects"]}
    assert office["catalog"]["after"][ALB + "inbound-cidrs"] == "203.0.113.0/24"
    admin = {o["name"]: o for o in results["admin"]["objects"]}
    assert admin["admin"]["unowned_equal"] == [ALB + "security-groups"]  # the same groups, set by someone else
    assert admin["admin"]["owned"] == [ALB + "manage-backend-security-group-rules"]
    (gateway,) = results["payments"]["objects"]
    assert gateway["after"][NLB + "load-balancer-source-ranges"] == "192.0.2.10/32, 198.51.100.0/24"
    assert results["audit"]["problems"] == [] and not results["audit"]["changed"]
    assert results["audit"]["summary"]["selected"] == 5 and results["audit"]["api_calls"]["writes"] == 0
    (storefront,) = results["replaced"]["objects"]
    assert storefront["after"][ALB + "inbound-cidrs"] == "198.51.100.0/24, 203.0.113.0/24"
    assert results["forced"]["objects"][0]["overridden"] == [ALB + "listen-ports"]
    gathered = {g["name"]: g for g in results["current"]["gathered"]}
    assert gathered["catalog"]["ingress"]["listen_ports"] == [{"HTTPS": 443}]
    assert gathered["storefront"]["ingress"]["inbound_cidrs"] == ["198.51.100.0/24", "203.0.113.0/24"]
    assert gathered["admin"]["owned"] == [ALB + "manage-backend-security-group-rules"]
    (rendered,) = results["offline"]["rendered"]
    assert rendered["patch"]["metadata"]["annotations"][ALB + "listen-ports"] == '[{"HTTPS": 443}]'
    assert results["offline"]["api_calls"]["reads"] == 0
    assert sum(o["changed"] for o in results["rollback"]["objects"]) == 5
    for name, annotations in seeded.items():
        assert estate.annotations("shop", name) == annotations
    assert RECORD not in estate.annotations("payments", "gateway", kind="Service")


def test_annotate_check_mode_idempotence_and_reachability(player: AnnotationsPlayer, estate: Estate):
    wanted = _params(ingress={"inbound_cidrs": ["203.0.113.0/24"]})
    nothing = dict(wanted, label_selector={"match_labels": {"tier": "none"}}, allow_empty=True)
    checked, applied, again, empty = player.play([
        {"params": wanted, "check": True, "diff": True},
        {"params": _params(ingress={"inbound_cidrs": ["203.0.113.0/24 "]})},  # respelt: the same
        {"params": wanted},
        {"params": nothing},
    ])
    assert checked.changed and checked.k8s_writes == {} and not checked.result["actions"]
    assert sorted(checked.result["diff"]["after"]) == ["Ingress shop/catalog", "Ingress shop/storefront"]
    assert checked.result["diff"]["after"]["Ingress shop/catalog"][ALB + "inbound-cidrs"] == "203.0.113.0/24"
    assert applied.changed and applied.k8s_writes == {"patch ingresses": 2}, applied
    assert applied.result["summary"] == {"selected": 2, "changed": 2, "unchanged": 0, "problems": 0, "errors": 0,
                                         "conflicts": 0}
    assert [o["after"] for o in applied.result["objects"]] == [o["after"] for o in checked.result["objects"]]
    assert not again.changed and again.k8s_writes == {}, again
    assert again.calls("k8s:demo-eks", "read").get("list ingresses") == 1
    assert again.result["summary"]["unchanged"] == 2
    assert not empty.failed and not empty.changed and empty.result["summary"]["selected"] == 0, empty
    for name, seeded in SEEDED.items():
        stored = estate.annotations("shop", name)
        assert stored == dict(seeded, **{ALB + "inbound-cidrs": "203.0.113.0/24",
                                         RECORD: json.dumps([ALB + "inbound-cidrs"], separators=(",", ":"))})
    assert estate.reach("203.0.113.9", "shop/storefront", 443)
    assert not estate.reach("198.51.100.7", "shop/storefront", 443)


def test_replaced_foreign_values_force_and_rollback(player: AnnotationsPlayer, estate: Estate):
    storefront = {"context": "demo-eks", "namespaces": ["shop"], "names": ["storefront"]}
    catalog = {"context": "demo-eks", "namespaces": ["shop"], "names": ["catalog"]}
    https = {"listen_ports": [{"HTTPS": 443}]}
    more, replaced, refused, forced, rolled_back = player.play([
        {"params": dict(storefront, ingress={"inbound_cidrs": OFFICE, "ip_address_type": "ipv4"})},
        {"params": dict(storefront, ingress={"inbound_cidrs": OFFICE}, state="replaced")},
        {"params": dict(catalog, ingress=https)},
        {"params": dict(catalog, ingress=https, force=True)},
        {"params": {"context": "demo-eks", "namespaces": ["shop"], "state": "deleted"}, "diff": True},
    ])
    assert more.k8s_writes == {"patch ingresses": 1}
    (view,) = replaced.result["objects"]
    assert view["removed"] == [ALB + "ip-address-type"] and replaced.k8s_writes == {"patch ingresses": 1}
    kept = {k: v for k, v in SEEDED["storefront"].items() if k != ALB + "healthcheck-path"}  # not shown: not ours
    assert view["after"] == dict(kept, **{ALB + "inbound-cidrs": OFFICE[0], RECORD: f'["{ALB}inbound-cidrs"]'})
    assert refused.failed and refused.k8s_writes == {}
    assert "force=true" in refused.msg and '[{"HTTP": 80}]' in refused.msg and "Nothing was written" in refused.msg
    assert refused.result["conflicts"] == [{"annotation": ALB + "listen-ports", "current": '[{"HTTP": 80}]',
                                            "wanted": '[{"HTTPS": 443}]', "kind": "Ingress", "namespace": "shop",
                                            "name": "catalog"}]
    assert "Traceback" not in refused.msg
    assert forced.k8s_writes == {"patch ingresses": 1}
    (view,) = forced.result["objects"]
    assert view["overridden"] == [ALB + "listen-ports"]
    assert json.loads(view["after"][REPLACED]) == {ALB + "listen-ports": ['[{"HTTP": 80}]', '[{"HTTPS": 443}]']}
    assert rolled_back.k8s_writes == {"patch ingresses": 2}, rolled_back  # storefront and catalog
    restored = {o["name"]: o for o in rolled_back.result["objects"]}
    assert restored["catalog"]["restored"] == [ALB + "listen-ports"]
    assert restored["catalog"]["removed"] == [ALB + "inbound-cidrs"]
    assert not restored["admin"]["changed"] and not restored["partner-api"]["changed"]
    for name, seeded in SEEDED.items():
        assert estate.annotations("shop", name) == seeded
    assert estate.reach("198.51.100.7", "shop/storefront", 443)
