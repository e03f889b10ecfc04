"""The plumbing of python_contract_check.py: generated protos, a server to
start, a channel, the client API, and the reporting of results.

Kept apart from the checks so that they read as the contract's rules. The
generated modules (pb, status_pb2, ed_pb2, health_pb2) are set by
load_protos(); read them through this module (kit.pb), since load_protos
rebinds them after the checks' module has imported this one.
"""
import importlib.util, os, queue, re, select, subprocess, threading, time, uuid

import grpc

SC = grpc.StatusCode
T = 5.0  # default deadline of every RPC, in seconds
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = uuid.uuid4().hex[:10]  # makes emails and rooms unique to this run
pb = status_pb2 = ed_pb2 = health_pb2 = None
results = []


class CannotRun(Exception):
    pass


# ---------------------------------------------------------------- plumbing
def load_protos(proto_root, out):
    cmd = ["protoc", "--python_out=" + out, "-I", proto_root, "-I", "/usr/share/grpc-proto",
           "course/v1/course.proto", "google/rpc/status.proto", "google/rpc/error_details.proto",
           "grpc/health/v1/health.proto"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise CannotRun("protoc failed: " + r.stderr.strip())

    def load(rel, name):  # by path: a generated grpc/ or google/ package would shadow the real ones
        spec = importlib.util.spec_from_file_location(name, os.path.join(out, rel))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    global pb, status_pb2, ed_pb2, health_pb2
    pb = load("course/v1/course_pb2.py", "course_pb2")
    status_pb2 = load("google/rpc/status_pb2.py", "rpc_status_pb2")
    ed_pb2 = load("google/rpc/error_details_pb2.py", "rpc_error_details_pb2")
    health_pb2 = load("grpc/health/v1/health_pb2.py", "health_v1_pb2")


def start_server(binary, extra=()):
    p = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--quiet", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    buf, end = b"", time.monotonic() + 10
    while b"\n" not in buf and time.monotonic() < end:
        if select.select([p.stdout], [], [], 0.5)[0]:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
    if b"\n" not in buf:
        p.kill()
        raise CannotRun(f"{binary} printed no listening line (got {buf!r})")
    line, p.extra = buf.split(b"\n", 1)
    line = line.decode()
    m = re.fullmatch(r"listening on (127\.0\.0\.1):(\d+)", line)
    return p, line, (f"127.0.0.1:{m.group(2)}" if m else None)


def connect(target):
    ch = grpc.insecure_channel(target)
    try:
        grpc.channel_ready_future(ch).result(timeout=5)
    except grpc.FutureTimeoutError:
        raise CannotRun(f"cannot connect to {target}")
    return ch


class Api:
    """Callables for every method, built with the generic channel API (no grpc_tools)."""
    def __init__(self, ch):
        def m(kind, path, req, resp):
            return getattr(ch, kind)(path, request_serializer=req.SerializeToString if req else None,
                                     response_deserializer=resp.FromString if resp else None)
        u = "/course.v1.UserService/"
        self.get = m("unary_unary", u + "GetUser", pb.GetUserRequest, pb.User)
        self.list = m("unary_stream", u + "ListUsers", pb.ListUsersRequest, pb.User)
        self.create = m("stream_unary", u + "CreateUsers", pb.CreateUserRequest, pb.CreateUsersResponse)
        self.uchat = m("stream_stream", u + "Chat", pb.Message, pb.Message)
        self.chat = m("stream_stream", "/course.v1.ChatService/Chat", pb.Message, pb.Message)
        self.health = m("unary_unary", "/grpc.health.v1.Health/Check",
                        health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse)
        self.raw = lambda kind, path: getattr(ch, kind)(path)  # bytes in, bytes out


def fmt(x, top=True):
    """Short text for status codes, RpcErrors and containers of them."""
    if isinstance(x, SC):
        return x.name
    if isinstance(x, grpc.RpcError):
        return f"{x.code().name}({x.details()!r})"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(fmt(i, False) for i in x) + ")"
    return repr(x) if isinstance(x, bytes) or (isinstance(x, str) and not top) else str(x)


def report(rule, desc, ok, expected=None, got=None):
    print(f"PASS {rule} {desc}" if ok else f"FAIL {rule} {desc}: expected {fmt(expected)} got {fmt(got)}",
          flush=True)
    results.append(ok)


def expect(rule, desc, expected, got):
    report(rule, desc, expected == got, expected, got)


def outcome(fn):
    """(status code, value or RpcError) of calling fn."""
    try:
        return SC.OK, fn()
    except grpc.RpcError as e:
        return e.code(), e


def bad_request_fields(err):
    """Field names of the BadRequest in the grpc-status-details-bin trailer, or None."""
    for k, v in (err.trailing_metadata() or ()):
        if k == "grpc-status-details-bin":
            fields, br = [], ed_pb2.BadRequest()
            for d in status_pb2.Status.FromString(v).details:
                if d.Unpack(br):  # False unless the Any holds a google.rpc.BadRequest
                    fields += [fv.field for fv in br.field_violations]
            return fields
    return None


def expect_bad_request(rule, desc, fn, field):
    code, err = outcome(fn)
    got = (code, bad_request_fields(err) if code != SC.OK else None)
    report(rule, desc, code == SC.INVALID_ARGUMENT and got[1] is not None and field in got[1],
           (SC.INVALID_ARGUMENT, [field]), got)


_n = [0]
def email(label="u"):
    _n[0] += 1
    return f"{label}-{RUN}-{_n[0]}@example.com"


def U(name, mail):
    return pb.CreateUserRequest(name=name, email=mail)


def create(api, reqs, md=None, timeout=T):
    return outcome(lambda: list(api.create(iter(reqs), timeout=timeout, metadata=md).ids))


def list_users(api, **kw):
    return [u for u in api.list(pb.ListUsersRequest(**kw), timeout=T)]


class Stream:
    """A bidi call fed from a queue, read by a thread; nothing blocks past the deadline."""
    def __init__(self, method):
        self.out, self.got = queue.Queue(), queue.Queue()
        self.call = method(self._requests(), timeout=T)
        threading.Thread(target=self._read, daemon=True).start()

    def _requests(self):  # None, or T seconds without anything to send, half-closes
        try:
            while (m := self.out.get(timeout=T)) is not None:
                yield m
        except queue.Empty:
            return

    def _read(self):
        try:
            for m in self.call:
                self.got.put(m)
            self.got.put(SC.OK)
        except grpc.RpcError as e:
            self.got.put(e.code())

    def send(self, room, text, sender="py"):
        self.out.put(pb.Message(room=room, sender=sender, text=text, seq=999))

    def close(self):
        self.out.put(None)

    def recv(self, n):
        """The next n items: Message objects, or a StatusCode when the call ended."""
        items = []
        for _ in range(n):
            try:
                items.append(self.got.get(timeout=T))
            except queue.Empty:
                items.append("nothing within %gs" % T)
            if not isinstance(items[-1], pb.Message):
                break
        return items


def summary(items):
    return [(m.seq, m.sender, m.text) if isinstance(m, pb.Message) else m for m in items]
