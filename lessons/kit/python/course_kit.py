"""The Python lesson kit: everything a lesson's server needs that the lesson
does not ask the learner to write (the Python twin of lessons/kit/kit.h).

A lesson's server.py subclasses UserService or ChatService and overrides the
lesson's RPCs; every other RPC keeps working, served by the course's Python
reference (harness/interop/python_server.py), so the lesson's checks can set
up their data (for example create users before they test GetUser).

    import course_kit as kit

    class Lesson(kit.UserService):
        def GetUser(self, request, context):
            ...

    if __name__ == "__main__":
        kit.main(users=Lesson)

The server takes the flags of the C++ lesson servers (--listen, --token,
--seed, --log), prints `listening on HOST:PORT` once it serves, and ends on
SIGTERM or SIGINT after at most 5 s for the calls in flight.

It runs on Debian's /usr/bin/python3 with python3-grpcio and
python3-protobuf, and with PYTHONPATH=lessons/kit/python:build/python (the
modules that `cmake --build build --target course-python-protos` generates).
"""
import argparse, importlib.util, os, signal, sys, threading
from concurrent import futures

try:
    import grpc
except ImportError:
    sys.exit("course_kit: cannot import grpc. Run Debian's /usr/bin/python3 (a python3 earlier "
             "on PATH may lack it), and install python3-grpcio and python3-protobuf.")

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
try:
    from course.v1 import course_pb2, course_pb2_grpc
except ImportError:  # not on PYTHONPATH: try the default build folder
    sys.path.append(os.path.join(_REPO, "build", "python"))
    try:
        from course.v1 import course_pb2, course_pb2_grpc
    except ImportError:
        sys.exit("course_kit: the generated Python modules are missing. Build them with "
                 "`cmake --build build --target course-python-protos` and put build/python "
                 "on PYTHONPATH.")
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1 import reflection_pb2
from grpc_reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2


def _load_reference():
    """The Python reference server, as a module. It is one self-contained
    file written from the contract alone; the kit reuses its store, chat hub,
    validation, health, reflection and request-id interceptor, handing it the
    generated modules instead of letting it run protoc itself."""
    path = os.path.join(_REPO, "harness", "interop", "python_server.py")
    spec = importlib.util.spec_from_file_location("course_python_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.pb, module.status_pb2, module.ed_pb2 = course_pb2, status_pb2, error_details_pb2
    module.health_pb2, module.refl_pb2 = health_pb2, reflection_pb2
    module.refl_alpha_pb2 = reflection_v1alpha_pb2
    module.QUIET = True
    return module


reference = _load_reference()
pb = course_pb2
StatusCode = grpc.StatusCode

# The contract's limits (course.proto), for the lessons to use.
MAX_NAME_BYTES = reference.MAX_NAME
MAX_EMAIL_BYTES = reference.MAX_EMAIL
MAX_BATCH = reference.MAX_BATCH
MAX_ROOM_BYTES = reference.MAX_ROOM
MAX_TEXT_BYTES = reference.MAX_TEXT
MAX_WAITING = reference.MAX_WAITING
MAX_INTERVAL_MS = reference.MAX_INTERVAL_MS


class Shared:
    """What every service of a lesson server shares (kit.h's Context).

    store: users by id. get(id) -> User or None; next_after(id) -> the user
        with the smallest id above `id`, or None; email_taken(folded) -> bool;
        commit(requests) -> (ids, None), or (None, email) when an email was
        taken meanwhile. Thread-safe.
    hub: the chat rooms that the kit's Chat methods serve.
    token: --token, or None."""

    def __init__(self, token=None):
        self.store = reference.Store()
        self.hub = reference.Hub()
        self.token = token


# ---------------------------------------------------------------- statuses
def unimplemented(context, todo):
    """Ends the call with UNIMPLEMENTED naming the task to do (raises). Stubs
    call it so that an untouched exercise fails with a clear pointer."""
    context.abort(StatusCode.UNIMPLEMENTED, "not written yet: " + todo)


def invalid_field(context, field, description):
    """Ends the call with INVALID_ARGUMENT whose details (the trailer
    grpc-status-details-bin) are a google.rpc.Status packing a
    google.rpc.BadRequest that names `field` (raises). Lesson 06 shows how
    it is built."""
    reference.fail(context, StatusCode.INVALID_ARGUMENT, description, field)


def end_now(context, code, message):
    """Ends a call with `code` at once, from any thread, even while its
    handler is stuck in a yield that flow control holds back. grpcio's
    context.abort works only in the handler's own thread, and cancel() always
    says CANCELLED; this cancels the call underneath with a status (lesson 10
    ends a slow reader's stream with it)."""
    reference.end_now(context, code, message)


def user_problem(request):
    """The rule C1 a CreateUserRequest breaks, as (field, why), or None; the
    field is "name" or "email" (lesson 04 writes this check itself)."""
    return reference.invalid_user_field(request)


def ascii_fold(text):
    """ASCII letters to lower case, everything else unchanged (rule C3)."""
    return reference.ascii_fold(text)


# ---------------------------------------------------------------- services
class UserService(course_pb2_grpc.UserServiceServicer):
    """course.v1.UserService with every RPC served by the reference; a
    lesson overrides its own. reference_checks_token: whether the
    reference's CreateUsers enforces --token (M2); lesson 08 passes False
    and checks the token itself."""

    def __init__(self, shared, reference_checks_token=True):
        self.shared = shared
        self._reference = reference.UserService(
            shared.store, shared.hub, shared.token if reference_checks_token else None)

    @property
    def store(self):
        return self.shared.store

    @property
    def token(self):
        return self.shared.token

    def GetUser(self, request, context):
        return self._reference.GetUser(request, context)

    def ListUsers(self, request, context):
        return self._reference.ListUsers(request, context)

    def CreateUsers(self, request_iterator, context):
        return self._reference.CreateUsers(request_iterator, context)

    def Chat(self, request_iterator, context):
        return _messages(self.shared.hub.serve(request_iterator, context))


class ChatService(course_pb2_grpc.ChatServiceServicer):
    """course.v1.ChatService served by the reference's hub, which it shares
    with UserService.Chat; the chat lessons override Chat."""

    def __init__(self, shared):
        self.shared = shared

    def Chat(self, request_iterator, context):
        return _messages(self.shared.hub.serve(request_iterator, context))


def _messages(serialized):
    # The reference's hub yields each message serialized once for all members.
    for data in serialized:
        yield pb.Message.FromString(data)


# ---------------------------------------------------------------- serving
def _reflection_handlers(services):
    modules = [course_pb2, status_pb2, error_details_pb2, health_pb2, reflection_pb2,
               reflection_v1alpha_pb2]
    reflection = reference.Reflection(modules, services)
    handler = grpc.stream_stream_rpc_method_handler(
        reflection.ServerReflectionInfo, reflection_pb2.ServerReflectionRequest.FromString,
        reflection_pb2.ServerReflectionResponse.SerializeToString)
    return [grpc.method_handlers_generic_handler(name, {"ServerReflectionInfo": handler})
            for name in reference.REFLECTION_SERVICES]


def parse_flags(argv=None):
    parser = argparse.ArgumentParser(description="a lesson's course.v1 server, in Python")
    parser.add_argument("--listen", default="127.0.0.1:50051",
                        help="HOST:PORT; port 0 picks a free port")
    parser.add_argument("--token", default=None, help="the token CreateUsers wants (M2)")
    parser.add_argument("--seed", type=int, default=0, help="create N users at start")
    parser.add_argument("--log", action="store_true", help="log one line per call to stderr")
    parser.add_argument("--quiet", action="store_true",
                        help="accepted for compatibility with the reference (the default)")
    args = parser.parse_args(argv)
    host, sep, port = args.listen.rpartition(":")
    if not sep or not host or not port.isdigit():
        parser.error("--listen wants HOST:PORT")
    if not 0 <= args.seed <= 1000000:
        parser.error("--seed must be 0..1000000")
    return args


def main(users=UserService, chat=ChatService, interceptors=(), reference_interceptors=True,
         argv=None):
    """The usual end of a lesson's server.py: `kit.main(users=MyUsers)`.

    users, chat: what builds each service from the Shared state: usually
    the class itself, or a lambda when the services share more (lesson 10's
    hub).
    interceptors: grpc.ServerInterceptor objects of the lesson's own.
    reference_interceptors: the reference's request-id echo (M1) and call
    log; the interceptor lesson turns them off and brings its own."""
    args = parse_flags(argv)
    reference.QUIET = not args.log
    shared = Shared(args.token)
    if args.seed:
        shared.store.commit([pb.CreateUserRequest(name=f"Seed User {i}",
                                                  email=f"seed{i}@example.org")
                             for i in range(1, args.seed + 1)])
    stopping = threading.Event()
    chain = list(interceptors)
    if reference_interceptors:
        chain.append(reference.RequestIdInterceptor())
    # A Chat stream holds a worker (its writer) and a reader thread of its
    # own; a pausing ListUsers holds a worker too. Plenty for the checks.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), interceptors=chain,
                         handlers=_reflection_handlers(
                             [reference.USER_SERVICE, reference.CHAT_SERVICE,
                              reference.HEALTH_SERVICE, *reference.REFLECTION_SERVICES]))
    course_pb2_grpc.add_UserServiceServicer_to_server(users(shared), server)
    course_pb2_grpc.add_ChatServiceServicer_to_server(chat(shared), server)
    health_pb2_grpc.add_HealthServicer_to_server(reference.Health(stopping), server)
    port = server.add_insecure_port(args.listen)
    if port == 0:
        sys.exit(f"{sys.argv[0]}: cannot listen on {args.listen}")

    signalled = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: signalled.set())
    server.start()
    print(f"listening on {args.listen.rpartition(':')[0]}:{port}", flush=True)
    while not signalled.wait(1.0):
        pass
    stopping.set()
    server.stop(grace=5).wait()  # no new calls; those in flight get up to 5 s
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # do not wait for the threads of abandoned calls
