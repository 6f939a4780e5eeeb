"""``python -m sandbox up | down | status | seed | settle | lbc | reset | calls | faults | reach | serve``."""

from __future__ import annotations

import argparse
import json
import sys

from sandbox import config, process, state
from sandbox.client import AdminClient, SandboxUnavailable


def _print(data) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


def _client() -> AdminClient:
    endpoints = state.read_json("endpoints.json")
    if process.running_pid() is None or not endpoints:
        raise SandboxUnavailable("the sandbox is not running: start it with `python -m sandbox up`")
    return AdminClient(endpoints["admin"])


def cmd_up(args) -> int:
    already = process.running_pid()
    pid = process.start(config.Ports(args.base_port))
    print(f"sandbox {'already running' if already else 'started'} (pid {pid}); "
          f"source {state.path('env')} to use it")
    return 0


def cmd_down(args) -> int:
    pid = process.stop()
    print(f"sandbox stopped (pid {pid})" if pid else "sandbox was not running")
    return 0


def cmd_status(args) -> int:
    pid = process.running_pid()
    status = {"running": pid is not None, "pid": pid, "state_dir": str(config.state_dir())}
    if pid is not None:
        status["health"] = _client().health()
    _print(status)
    return 0 if pid is not None else 3


def cmd_seed(args) -> int:
    from sandbox.seed import alibaba, aws, k8s  # boto3 import is slow; only here

    endpoints = _client().health()["endpoints"]
    client = _client()
    ids = aws.seed(endpoints["aws"])
    alibaba_ids = alibaba.seed(endpoints["slb"])
    k8s_ids = k8s.seed(endpoints, aws_ids=ids, alibaba_ids=alibaba_ids)
    _run_controller_once(client)
    ids = aws.controller_ids(endpoints["aws"], ids)
    state.path("seed.json").write_text(json.dumps({"aws": ids, "alibaba": alibaba_ids, "k8s": k8s_ids},
                                                  indent=2) + "\n")
    client.settle()  # the CCM works on its own threads: its calls belong to the seeding
    seeding_calls = client.reset_calls()["totals"]
    print(f"seeded the AWS estate of {ids['cluster_name']}, the CLB {alibaba_ids['db_load_balancer_id']} and the "
          f"Kubernetes estates of "
          f"{', '.join(k8s_ids)} ({seeding_calls['writes']} writes, {seeding_calls['reads']} reads; counters reset)")
    _print({"aws": ids, "alibaba": alibaba_ids, "k8s": {name: {k: v for k, v in made.items() if k != "objects"}
                                for name, made in k8s_ids.items()}})
    return 0


def _run_controller_once(client: AdminClient) -> None:
    """Run the load balancer controller once on the seeded cluster: it makes what it owns on AWS."""
    client.settle()
    done = client.lbc_sync()
    if not all(made.get("running") and not made.get("errors") for made in done.values()):
        raise RuntimeError(f"the load balancer controller could not build the seeded estate: {done}")


def cmd_reset(args) -> int:
    _client().reset()
    state.path("seed.json").unlink(missing_ok=True)
    print("sandbox reset: every emulated resource, the call counters and the fault plan are cleared")
    return cmd_seed(args) if args.seed else 0


def calls_table(snapshot: dict) -> str:
    """The counts as an aligned text table: one row per service and action, then the totals."""
    rows = [("service", "action", "kind", "calls", "faults")]
    for service, data in snapshot["services"].items():
        for action, entry in data["actions"].items():
            faults = ", ".join(f"{code}={n}" for code, n in sorted(entry["faults"].items())) or "-"
            rows.append((service, action, entry["kind"], str(entry["calls"]), faults))
    totals = snapshot["totals"]
    rows.append(("total", "", "", f"{totals['reads']} reads, {totals['writes']} writes", str(totals["faults"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def cmd_calls(args) -> int:
    client = _client()
    snapshot = client.reset_calls() if args.reset else client.calls()
    if args.format == "table":
        print(calls_table(snapshot))
    else:
        _print(snapshot)
    return 0


def cmd_faults(args) -> int:
    client = _client()
    if args.action == "show":
        _print(client.faults())
    elif args.action == "clear":
        _print(client.clear_faults())
    else:
        if args.file:
            with open(args.file, encoding="utf-8") as handle:
                plan = json.load(handle)
            _print(client.set_faults(plan.get("rules", []), seed=plan.get("seed", args.seed)))
        else:
            rule = {"service": args.service, "action": args.call, "kind": args.kind, "throttle": args.throttle,
                    "server_error": args.server_error, "conflict": args.conflict, "latency_ms": args.latency_ms}
            _print(client.set_faults([rule], seed=args.seed))
    return 0


def reach_question(args) -> tuple[str, str, str] | None:
    """The AWS form of `reach` as (source, target, protocol), or None for the Kubernetes form.

    With an AWS client (--from-cidr, --from-sg, --from-instance), --to-service names the Service whose NLB is
    asked about; with --from-pod it is the Kubernetes form. Mixing the forms, or half an AWS question, is a bad
    question (ValueError: exit code 1).
    """
    source = args.from_cidr or args.from_sg or args.from_instance
    target = args.to_ingress or args.to_instance or args.to_ip or (args.to_service if source else None)
    if source is None and target is None:
        if not args.from_pod or not (args.to_service or args.to_pod):
            raise ValueError("reach needs --from-pod with --to-service or --to-pod, or an AWS client "
                             "(--from-cidr, --from-sg, --from-instance) with --to-ingress, --to-service, "
                             "--to-instance or --to-ip")
        return None
    if args.from_pod or args.to_pod:
        raise ValueError("the Kubernetes form (--from-pod, --to-pod) and the AWS form do not mix")
    if source is None or target is None:
        raise ValueError("the AWS form needs one of --from-cidr/--from-sg/--from-instance and one of "
                         "--to-ingress/--to-service/--to-instance/--to-ip")
    return source, target, args.protocol.lower()


def cmd_reach(args) -> int:
    """0 when the connection gets through, 3 when it does not (1 is an error of the command itself).

    The AWS oracle finds an Ingress's or a Service's load balancer through that cluster's Kubernetes API when the
    sandbox serves the cluster (the status hostname, as `kubectl get` shows it), else by the controller's tags.
    """
    from sandbox.oracle import reach, reach_aws, reach_pod

    aws_question = reach_question(args)
    endpoints = _client().health()["endpoints"]
    if aws_question:
        source, target, protocol = aws_question
        kube = endpoints.get(f"k8s:{target.split('/')[0]}") if target.count("/") == 2 else None
        verdict = reach_aws(endpoints["aws"], source, target, args.port, protocol,
                            target_kind="service" if args.to_service else "ingress", kube_endpoint=kube)
    elif args.to_pod:
        verdict = reach_pod(endpoints, args.from_pod, args.to_pod, args.port, args.protocol)
    else:
        verdict = reach(endpoints, args.from_pod, args.to_service, args.port, protocol=args.protocol)
    if args.format == "json":
        _print(verdict.as_dict())
    else:
        print(verdict.trace())
    return 0 if verdict.reachable else 3


def cmd_lbc(args) -> int:
    """``lbc sync``: one reconcile of the simulated AWS Load Balancer Controller; prints what it did."""
    _print(_client().lbc_sync())
    return 0


def cmd_settle(args) -> int:
    """Wait until the simulated controllers (CCM, load balancer controller) have nothing queued; 0 when they
    settled in time, 3 when not."""
    try:
        answer = AdminClient(_client().base_url, timeout=args.timeout + 10).settle(args.timeout)
    except ValueError as exc:  # 504: not settled in time
        if "HTTP 504" not in str(exc):
            raise
        answer = {"settled": False}
    _print(answer)
    return 0 if answer.get("settled") else 3


def cmd_serve(args) -> int:
    from sandbox import server

    server.serve(config.Ports(args.base_port))
    return 0


def _reach_parser(verbs) -> None:
    """`reach`: the Kubernetes form (--from-pod, --to-service | --to-pod) or the AWS form (--from-cidr | --from-sg |
    --from-instance, --to-ingress | --to-service | --to-instance | --to-ip); `reach_question` rejects mixtures."""
    reach = verbs.add_parser("reach", help="would a pod reach a load-balancer Service or a pod, or an AWS client an "
                                           "Ingress's ALB, a Service's NLB, an instance or a pod IP, and along which "
                                           "path")
    source = reach.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-pod", metavar="CLUSTER/NS/POD")
    source.add_argument("--from-cidr", metavar="CIDR", help="AWS: a client address or range, e.g. 203.0.113.9")
    source.add_argument("--from-sg", metavar="SG_ID", help="AWS: a client carrying this security group")
    source.add_argument("--from-instance", metavar="INSTANCE_ID", help="AWS: an instance (its primary ENI)")
    target = reach.add_mutually_exclusive_group(required=True)
    target.add_argument("--to-service", metavar="CLUSTER/NS/SVC", help="a Service: with --from-pod its load balancer "
                                                                       "or cluster IP; with an AWS client its NLB")
    target.add_argument("--to-pod", metavar="CLUSTER/NS/POD")
    target.add_argument("--to-ingress", metavar="CLUSTER/NS/NAME", help="AWS: the ALB of an Ingress (of its "
                                                                        "IngressGroup), e.g. demo-eks/shop/storefront")
    target.add_argument("--to-instance", metavar="INSTANCE_ID", help="AWS: an instance (its primary ENI)")
    target.add_argument("--to-ip", metavar="ADDRESS", help="AWS: an address held by an ENI (a pod IP on a node)")
    reach.add_argument("--port", type=int, required=True)
    reach.add_argument("--protocol", choices=("TCP", "UDP", "SCTP"), default="TCP")
    reach.add_argument("--format", choices=("text", "json"), default="text")
    reach.set_defaults(func=cmd_reach)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m sandbox", description="kubeguard.netsec local emulated clouds")
    verbs = top.add_subparsers(dest="verb", required=True)
    for name, func, text in (
        ("up", cmd_up, "start the sandbox in the background and wait until it answers"),
        ("serve", cmd_serve, "run the sandbox in the foreground (what `up` starts)"),
    ):
        sub = verbs.add_parser(name, help=text)
        sub.add_argument("--base-port", type=int, default=config.base_port(),
                         help=f"admin API port; services use the following ports (default {config.base_port()})")
        sub.set_defaults(func=func)
    verbs.add_parser("down", help="stop the sandbox").set_defaults(func=cmd_down)
    verbs.add_parser("status", help="is it running, and where").set_defaults(func=cmd_status)
    verbs.add_parser("seed", help="create the insecure 'before' estate").set_defaults(func=cmd_seed)
    lbc = verbs.add_parser("lbc", help="the simulated AWS Load Balancer Controller on demo-eks")
    lbc.add_argument("action", choices=("sync",), help="sync: one reconcile of its security groups and load "
                                                        "balancers, now")
    lbc.set_defaults(func=cmd_lbc)
    settle = verbs.add_parser("settle", help="wait until the simulated controllers have nothing queued")
    settle.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    settle.set_defaults(func=cmd_settle)
    reset = verbs.add_parser("reset", help="drop every emulated resource, counters and faults")
    reset.add_argument("--seed", action="store_true", help="seed again after the reset")
    reset.set_defaults(func=cmd_reset)
    calls = verbs.add_parser("calls", help="API calls per service and action, reads and writes, faults")
    calls.add_argument("--reset", action="store_true", help="print the counts, then reset them")
    calls.add_argument("--format", choices=("json", "table"), default="json")
    calls.set_defaults(func=cmd_calls)
    faults = verbs.add_parser("faults", help="show, set or clear injected faults")
    faults.add_argument("action", choices=("show", "set", "clear"))
    faults.add_argument("--throttle", type=float, default=0.0, help="rate of throttling errors (0-1)")
    faults.add_argument("--server-error", type=float, default=0.0, help="rate of 5xx errors (0-1)")
    faults.add_argument("--conflict", type=float, default=0.0, help="rate of 409 conflicts where the API has them")
    faults.add_argument("--latency-ms", type=int, default=0, help="latency added to every matching call")
    faults.add_argument("--service", default="*", help="glob on the service, e.g. ec2 or 'k8s:*'")
    faults.add_argument("--call", default="*", help="glob on the action, e.g. 'Describe*'")
    faults.add_argument("--kind", choices=("read", "write", "any"), default="any")
    faults.add_argument("--seed", type=int, default=0, help="random seed, for repeatable faults")
    faults.add_argument("--file", help="a JSON plan {seed, rules: [...]} instead of one rule from flags")
    faults.set_defaults(func=cmd_faults)
    _reach_parser(verbs)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (SandboxUnavailable, RuntimeError, ValueError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
