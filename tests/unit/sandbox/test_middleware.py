from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from sandbox.proxy.adapter import READ, THROTTLE, WRITE, Call, ErrorResponse
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware


class EchoAdapter:
    """Reads are GET, writes are anything else; /health is not a call."""

    def classify(self, environ, body):
        if environ["PATH_INFO"] == "/health":
            return None
        kind = READ if environ["REQUEST_METHOD"] == "GET" else WRITE
        return Call("echo", environ["PATH_INFO"].strip("/"), kind)

    def supported_faults(self, call):
        return (THROTTLE,)

    def render_fault(self, kind, call):
        return ErrorResponse("SlowDown", 429, (("Content-Type", "text/plain"),), b"slow down")


@Request.application
def echo(request):
    return Response(request.get_data())


def make(rules=None, seed=0):
    ledger, plan = CallLedger(), FaultPlan()
    if rules:
        plan.configure(rules, seed=seed)
    return Client(AccountingMiddleware(echo, EchoAdapter(), ledger, plan)), ledger


def test_body_reaches_the_service_intact_and_calls_are_counted():
    client, ledger = make()
    response = client.post("/things", data=b"payload-123")
    assert response.status_code == 200 and response.data == b"payload-123"
    client.get("/things")
    client.get("/health")
    snap = ledger.snapshot()
    assert snap["totals"] == {"reads": 1, "writes": 1, "faults": 0}


def test_injected_fault_short_circuits_and_is_counted_by_code():
    client, ledger = make([{"throttle": 1.0}])
    response = client.get("/things")
    assert response.status_code == 429
    assert response.data == b"slow down"
    assert response.headers["Content-Length"] == str(len(b"slow down"))
    assert ledger.snapshot()["services"]["echo"]["faults"] == {"SlowDown": 1}


def test_non_calls_are_neither_counted_nor_faulted():
    client, ledger = make([{"throttle": 1.0}])
    assert client.get("/health").status_code == 200
    assert ledger.snapshot()["totals"]["reads"] == 0
