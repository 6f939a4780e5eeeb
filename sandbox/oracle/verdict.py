"""An answer of the oracle: reachable or not, by which path, hop by hop, and what decided."""

from __future__ import annotations

import dataclasses

IPVS = "ipvs"  # kube-proxy short-circuits the load-balancer IP inside the Service's own cluster
CLB = "clb"  # out of the cluster, through the CLB listener and its access control
NONE = "none"  # the connection never got that far


@dataclasses.dataclass(frozen=True)
class Hop:
    where: str
    what: str


@dataclasses.dataclass
class Verdict:
    source: str
    target: str
    port: int
    reachable: bool = False
    path: str = NONE
    decided_by: str = ""
    hops: list[Hop] = dataclasses.field(default_factory=list)

    def hop(self, where: str, what: str) -> None:
        self.hops.append(Hop(where, what))

    def decide(self, reachable: bool, decided_by: str, path: str | None = None) -> Verdict:
        self.reachable, self.decided_by = reachable, decided_by
        if path:
            self.path = path
        return self

    def trace(self) -> str:
        lines = [f"{self.source} -> {self.target}:{self.port}: "
                 f"{'REACHABLE' if self.reachable else 'NOT REACHABLE'} via {self.path}"]
        lines += [f"  {i}. [{hop.where}] {hop.what}" for i, hop in enumerate(self.hops, 1)]
        lines.append(f"  decided by: {self.decided_by}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "port": self.port, "reachable": self.reachable,
                "path": self.path, "decided_by": self.decided_by,
                "hops": [dataclasses.asdict(hop) for hop in self.hops]}

    def __str__(self) -> str:
        return self.trace()
