#!/usr/bin/python3
"""A course.v1 server in Python, written from proto/course/v1/course.proto alone.

Why this exists: the harness's checks were written next to the C++ reference
server, so a check that demands more than the contract (a C++ quirk) would go
unnoticed. This server is an independent implementation in another language,
using nothing but Debian's python3-grpcio and python3-protobuf; the harness
must pass it on every check (no false alarms).

Usage:
  /usr/bin/python3 harness/interop/python_server.py [--listen HOST:PORT] [--token T]
      [--seed N] [--quiet] [--proto-root DIR]
  build/harness/course-cli conform \
      --server-cmd "/usr/bin/python3 harness/interop/python_server.py --token T" --token T

Rules implemented (see course.proto): G1-G3, L1-L3, C1-C8, H1-H6, M1, M2, S1-S4.
"""
import argparse, bisect, collections, importlib.util, os, shutil, signal, subprocess
import sys, tempfile, threading
from concurrent import futures

import grpc

SC = grpc.StatusCode
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRPC_PROTO = "/usr/share/grpc-proto"

MAX_NAME = 100            # C1, bytes
MAX_EMAIL = 254           # C1, bytes
MAX_BATCH = 10000         # C7
MAX_ROOM = 64             # H1, bytes
MAX_TEXT = 4096           # H1, bytes
MAX_WAITING = 1024        # H6: more than this many waiting messages ends a stream
MAX_INTERVAL_MS = 10000   # L1

USER_SERVICE = "course.v1.UserService"
CHAT_SERVICE = "course.v1.ChatService"
HEALTH_SERVICE = "grpc.health.v1.Health"
REFLECTION_SERVICES = ("grpc.reflection.v1.ServerReflection",
                       "grpc.reflection.v1alpha.ServerReflection")

# Generated modules, loaded at start (see load_protos).
pb = status_pb2 = ed_pb2 = health_pb2 = refl_pb2 = refl_alpha_pb2 = None
QUIET = False


def log(text):
    if not QUIET:
        print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- protos
PROTOS = [  # (include root key, file)
    ("course", "course/v1/course.proto"),
    ("course", "google/rpc/status.proto"),
    ("course", "google/rpc/error_details.proto"),
    ("grpc", "grpc/health/v1/health.proto"),
    ("grpc", "grpc/reflection/v1alpha/reflection.proto"),
    ("grpc", "grpc/reflection/v1/reflection.proto"),
]


def load_protos(proto_root, out):
    """protoc --python_out into `out`, then load each module by path.

    By path, not by import: a generated grpc/ or google/ package would shadow
    the real grpc and google.protobuf packages."""
    cmd = ["protoc", "--python_out=" + out, "-I", proto_root, "-I", GRPC_PROTO]
    cmd += [f for _, f in PROTOS]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("protoc failed: " + r.stderr.strip())

    def load(rel, name):
        path = os.path.join(out, rel[:-len(".proto")] + "_pb2.py")
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    global pb, status_pb2, ed_pb2, health_pb2, refl_pb2, refl_alpha_pb2
    pb = load("course/v1/course.proto", "course_v1_course_pb2")
    status_pb2 = load("google/rpc/status.proto", "google_rpc_status_pb2")
    ed_pb2 = load("google/rpc/error_details.proto", "google_rpc_error_details_pb2")
    health_pb2 = load("grpc/health/v1/health.proto", "grpc_health_v1_health_pb2")
    refl_alpha_pb2 = load("grpc/reflection/v1alpha/reflection.proto",
                          "grpc_reflection_v1alpha_reflection_pb2")
    refl_pb2 = load("grpc/reflection/v1/reflection.proto", "grpc_reflection_v1_reflection_pb2")
    return [pb, status_pb2, ed_pb2, health_pb2, refl_alpha_pb2, refl_pb2]


# ---------------------------------------------------------------- errors
class Abort(Exception):
    """Raised by validation helpers; turned into a status by fail()."""
    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def fail(context, code, message, field=None):
    """Ends the call with `code`. The trailer grpc-status-details-bin carries a
    google.rpc.Status with the same code and message and, for an error about
    one request field, a google.rpc.BadRequest naming it."""
    rich = status_pb2.Status(code=code.value[0], message=message)
    if field is not None:
        bad = ed_pb2.BadRequest()
        bad.field_violations.add(field=field, description=message)
        rich.details.add().Pack(bad)
    context.set_trailing_metadata((("grpc-status-details-bin", rich.SerializeToString()),))
    context.abort(code, message)  # raises


def ascii_fold(text):
    """ASCII letters to lower case; every other character unchanged (C3)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_ASCII_WHITESPACE = set(" \t\n\v\f\r")


def invalid_user_field(request):
    """The C1 rule a CreateUserRequest breaks, as (field, message), or None."""
    name_bytes = len(request.name.encode("utf-8"))
    if name_bytes == 0:
        return "name", "name must not be empty"
    if name_bytes > MAX_NAME:
        return "name", f"name is {name_bytes} bytes, more than {MAX_NAME}"
    email = request.email
    email_bytes = len(email.encode("utf-8"))
    if email_bytes > MAX_EMAIL:
        return "email", f"email is {email_bytes} bytes, more than {MAX_EMAIL}"
    if any(c in _ASCII_WHITESPACE for c in email):
        return "email", "email contains whitespace"
    if email.count("@") != 1:
        return "email", "email must contain exactly one '@'"
    local, domain = email.split("@")
    if not local:
        return "email", "email has an empty local part"
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        return "email", "email domain needs a '.' that is neither first nor last"
    return None


# ---------------------------------------------------------------- users
class Store:
    """Users by id. Ids come from one counter and are never reused, so the
    list of ids is ascending by construction."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = {}
        self.ids = []
        self.emails = set()   # ascii_fold(email) of every stored user
        self.next_id = 1

    def get(self, user_id):
        with self.lock:
            return self.users.get(user_id)

    def next_after(self, after_id):
        with self.lock:
            i = bisect.bisect_right(self.ids, after_id)
            return self.users[self.ids[i]] if i < len(self.ids) else None

    def email_taken(self, folded):
        with self.lock:
            return folded in self.emails

    def commit(self, batch):
        """Stores every request of `batch` or none: returns (ids, None), or
        (None, email) when an email was taken meanwhile by another call."""
        with self.lock:
            for request in batch:
                if ascii_fold(request.email) in self.emails:
                    return None, request.email
            ids = []
            for request in batch:
                user_id, self.next_id = self.next_id, self.next_id + 1
                self.users[user_id] = pb.User(id=user_id, name=request.name,
                                              email=request.email)
                self.ids.append(user_id)
                self.emails.add(ascii_fold(request.email))
                ids.append(user_id)
            return ids, None


def really_half_closed(request_iterator):
    """Returns when the client really half-closed; raises grpc.RpcError when
    the request stream ended because the client cancelled (C4).

    grpcio's synchronous request iterator cannot always tell the two apart:
    gRPC Core ends the pending receive with "no more messages" in both cases,
    and says "cancelled" in a separate event. When the iterator sees the
    receive first (a common race), it stops as if the client had half-closed.
    Asking for one more message settles it: that receive completes after the
    cancel event, which gRPC Core queued first and grpcio handles in order, so
    the iterator raises grpc.RpcError for a cancelled call, and stops again
    at once for a half-closed one."""
    for _ in request_iterator:
        pass  # nothing can follow the end of the stream


class UserService:
    def __init__(self, store, hub, token):
        self.store, self.hub, self.token = store, hub, token

    def GetUser(self, request, context):
        if request.id <= 0:
            fail(context, SC.INVALID_ARGUMENT, f"id must be > 0, got {request.id}", "id")
        user = self.store.get(request.id)
        if user is None:
            fail(context, SC.NOT_FOUND, f"no user with id {request.id}")
        return user

    def ListUsers(self, request, context):
        if request.page_size < 0:
            fail(context, SC.INVALID_ARGUMENT,
                 f"page_size must be >= 0, got {request.page_size}", "page_size")
        if not 0 <= request.interval_ms <= MAX_INTERVAL_MS:
            fail(context, SC.INVALID_ARGUMENT,
                 f"interval_ms must be 0..{MAX_INTERVAL_MS}, got {request.interval_ms}",
                 "interval_ms")
        ended = threading.Event()   # set when the call ends: cancel, deadline, shutdown
        if not context.add_callback(ended.set):
            return
        after, sent = request.after_id, 0
        while request.page_size == 0 or sent < request.page_size:
            user = self.store.next_after(after)
            if user is None:
                return
            # L3: a wait that the end of the call interrupts at once.
            if sent > 0 and request.interval_ms > 0 and ended.wait(request.interval_ms / 1000):
                return
            if not context.is_active():
                return
            yield user  # sent now, one by one, not collected into a burst
            after, sent = user.id, sent + 1

    def CreateUsers(self, request_iterator, context):
        if self.token is not None:  # M2, before any request is read (C8)
            values = [v for k, v in context.invocation_metadata() if k == "authorization"]
            if not values:
                fail(context, SC.UNAUTHENTICATED, "missing `authorization` metadata")
            if values != ["Bearer " + self.token]:
                fail(context, SC.PERMISSION_DENIED, "wrong `authorization` token")
        batch, seen = [], set()
        # The batch waits aside; it is stored only after a real half-close
        # (C4): a cancel makes the iterator, or really_half_closed, raise.
        for i, request in enumerate(request_iterator):
            bad = invalid_user_field(request)
            if bad is not None:                                    # C1, C2
                fail(context, SC.INVALID_ARGUMENT, f"users[{i}]: {bad[1]}",
                     f"users[{i}].{bad[0]}")
            folded = ascii_fold(request.email)
            if folded in seen or self.store.email_taken(folded):   # C3
                fail(context, SC.ALREADY_EXISTS, f"email {request.email} is already taken")
            if i >= MAX_BATCH:                                      # C7
                fail(context, SC.RESOURCE_EXHAUSTED,
                     f"more than {MAX_BATCH} requests in one call")
            seen.add(folded)
            batch.append(request)
        really_half_closed(request_iterator)  # raises grpc.RpcError after a cancel
        ids, taken = self.store.commit(batch)
        if taken is not None:
            fail(context, SC.ALREADY_EXISTS, f"email {taken} is already taken")
        return pb.CreateUsersResponse(ids=ids)

    def Chat(self, request_iterator, context):
        return self.hub.serve(request_iterator, context)


# ---------------------------------------------------------------- chat
class Room:
    __slots__ = ("seq", "members")

    def __init__(self):
        self.seq = 0
        self.members = {}  # Member -> None, in join order


OPEN, CLOSING, DEAD = "open", "closing", "dead"
END_OK = object()  # queued on half-close: the writer ends the call OK here


class EndWith:
    """Queued on an invalid message: the writer ends the call with this error."""
    def __init__(self, code, message, field):
        self.code, self.message, self.field = code, message, field


class Member:
    """One Chat stream: its rooms and the messages waiting to be written."""

    def __init__(self, hub, context):
        self.context = context
        self.cond = threading.Condition(hub.lock)
        self.queue = collections.deque()
        self.rooms = set()
        self.state = OPEN
        self.overflowed = False


class Hub:
    """The rooms shared by ChatService.Chat and UserService.Chat. One lock
    numbers a message and queues it for every member, so every member sees a
    room's messages in the same gap-free order (H3, H4)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rooms = {}

    def _leave_all(self, member):  # with self.lock held
        for name in member.rooms:
            self.rooms[name].members.pop(member, None)
        member.rooms.clear()

    def publish(self, member, message):
        """Numbers `message` and queues it for its room. False when `member`
        no longer takes part."""
        overflowed = []
        with self.lock:
            if member.state is not OPEN:
                return False
            room = self.rooms.get(message.room)
            if room is None:
                room = self.rooms[message.room] = Room()
            if member not in room.members:       # H2: joins with its first message
                room.members[member] = None
                member.rooms.add(message.room)
            room.seq += 1
            out = pb.Message(room=message.room, sender=message.sender, text=message.text,
                             seq=room.seq).SerializeToString()
            for m in room.members:
                m.queue.append(out)
                if len(m.queue) > MAX_WAITING:   # H6: a slow reader
                    overflowed.append(m)
                else:
                    m.cond.notify()
            for m in overflowed:
                self._leave_all(m)
                m.state, m.overflowed = DEAD, True
                m.queue.clear()
                m.cond.notify()
        for m in overflowed:
            end_now(m.context, SC.RESOURCE_EXHAUSTED,
                    f"more than {MAX_WAITING} messages waiting for this stream: "
                    "it reads too slowly")
        return True

    def close(self, member, marker):
        """Leaves every room; the writer delivers what is queued, then `marker`."""
        with self.lock:
            if member.state is OPEN:
                self._leave_all(member)
                member.state = CLOSING
                member.queue.append(marker)
                member.cond.notify()

    def drop(self, member):
        """The call is over (finished, cancelled, deadline, shutdown)."""
        with self.lock:
            self._leave_all(member)
            member.state = DEAD
            member.queue.clear()
            member.cond.notify()

    def serve(self, request_iterator, context):
        member = Member(self, context)
        if not context.add_callback(lambda: self.drop(member)):
            return iter(())
        reader = threading.Thread(target=self._read, args=(member, request_iterator),
                                  name="chat-reader", daemon=True)
        reader.start()
        return self._write(member, context)

    def _read(self, member, request_iterator):
        """Reads the client's messages as they come, whatever the writer does."""
        try:
            for message in request_iterator:
                room_bytes = len(message.room.encode("utf-8"))
                text_bytes = len(message.text.encode("utf-8"))
                bad = None
                if room_bytes == 0 or room_bytes > MAX_ROOM:
                    bad = ("room", f"room must be 1..{MAX_ROOM} bytes, got {room_bytes}")
                elif text_bytes == 0 or text_bytes > MAX_TEXT:
                    bad = ("text", f"text must be 1..{MAX_TEXT} bytes, got {text_bytes}")
                if bad is not None:                                   # H1
                    self.close(member, EndWith(SC.INVALID_ARGUMENT, bad[1], bad[0]))
                    return
                if not self.publish(member, message):
                    return
        except grpc.RpcError:
            return  # cancelled: drop() runs from the call's callback
        except Exception as e:  # pylint: disable=broad-except
            log(f"chat reader: {e!r}")
            self.close(member, EndWith(SC.INTERNAL, "internal error", None))
            return
        self.close(member, END_OK)  # H5: the echoes so far, then OK

    def _write(self, member, context):
        while True:
            with self.lock:
                while not member.queue and member.state is OPEN:
                    member.cond.wait()
                item = member.queue.popleft() if member.queue else None
                overflowed = member.overflowed
            if item is None:  # dead
                if overflowed:  # in case end_now could not end the call itself
                    fail(context, SC.RESOURCE_EXHAUSTED,
                         f"more than {MAX_WAITING} messages waiting for this stream")
                return
            if item is END_OK:
                return
            if isinstance(item, EndWith):
                fail(context, item.code, item.message, item.field)
            yield item  # already serialized: one serialization for all members


def end_now(context, code, message):
    """Ends a call at once with `code`, from any thread, even while its writer
    is blocked on a slow reader's flow control. grpcio's ServicerContext has no
    public call for this (abort works only in the handler's own thread, and
    cancel() always says CANCELLED), so it cancels the underlying C-core call
    with a status; when that is not available the writer ends the call as soon
    as it gets the chance."""
    try:
        context._rpc_event.call.cancel(code.value[0], message)  # pylint: disable=protected-access
    except Exception as e:  # pylint: disable=broad-except
        log(f"cannot end the call at once ({e!r}); it ends at its next write")


# ---------------------------------------------------------------- health (S1)
class Health:
    SERVING_NAMES = ("", USER_SERVICE, CHAT_SERVICE)

    def __init__(self, stopping):
        self.stopping = stopping

    def Check(self, request, context):
        if request.service not in self.SERVING_NAMES:
            fail(context, SC.NOT_FOUND, f"unknown service {request.service!r}")
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    def Watch(self, request, context):
        status = (health_pb2.HealthCheckResponse.SERVING
                  if request.service in self.SERVING_NAMES
                  else health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
        ended = threading.Event()
        if not context.add_callback(ended.set):
            return
        yield health_pb2.HealthCheckResponse(status=status)
        while not ended.wait(0.5):
            if self.stopping.is_set():
                yield health_pb2.HealthCheckResponse(
                    status=health_pb2.HealthCheckResponse.NOT_SERVING)
                return


# ---------------------------------------------------------------- reflection (S2)
class Reflection:
    """grpc.reflection.v1 and v1alpha (the same messages on the wire)."""

    def __init__(self, modules, services):
        self.services = services
        self.by_name = {}    # file name -> FileDescriptor
        self.by_symbol = {}  # fully qualified symbol -> FileDescriptor

        def add_file(fd):
            if fd.name in self.by_name:
                return
            self.by_name[fd.name] = fd
            for dep in fd.dependencies:
                add_file(dep)
            for message in fd.message_types_by_name.values():
                add_message(fd, message)
            for enum in fd.enum_types_by_name.values():
                add_enum(fd, enum)
            for service in fd.services_by_name.values():
                self.by_symbol[service.full_name] = fd
                for method in service.methods:
                    self.by_symbol[method.full_name] = fd
            for ext in fd.extensions_by_name.values():
                self.by_symbol[ext.full_name] = fd

        def add_enum(fd, enum):
            self.by_symbol[enum.full_name] = fd
            scope = enum.full_name.rpartition(".")[0]  # values live beside their enum
            for value in enum.values:
                self.by_symbol[f"{scope}.{value.name}" if scope else value.name] = fd

        def add_message(fd, message):
            self.by_symbol[message.full_name] = fd
            for field in message.fields:
                self.by_symbol[field.full_name] = fd
            for oneof in message.oneofs:
                self.by_symbol[oneof.full_name] = fd
            for nested in message.nested_types:
                add_message(fd, nested)
            for enum in message.enum_types:
                add_enum(fd, enum)
            for ext in message.extensions:
                self.by_symbol[ext.full_name] = fd

        for module in modules:
            add_file(module.DESCRIPTOR)

    def _with_dependencies(self, fd):
        out, seen = [], set()

        def visit(f):
            if f.name in seen:
                return
            seen.add(f.name)
            out.append(f.serialized_pb)
            for dep in f.dependencies:
                visit(dep)
        visit(fd)
        return out

    def answer(self, request):
        R = refl_pb2
        response = R.ServerReflectionResponse(valid_host=request.host, original_request=request)
        kind = request.WhichOneof("message_request")

        def not_found(what):
            response.error_response.error_code = SC.NOT_FOUND.value[0]
            response.error_response.error_message = what
            return response

        if kind == "list_services":
            for name in self.services:
                response.list_services_response.service.add(name=name)
        elif kind == "file_by_filename":
            fd = self.by_name.get(request.file_by_filename)
            if fd is None:
                return not_found(f"no file {request.file_by_filename}")
            response.file_descriptor_response.file_descriptor_proto.extend(
                self._with_dependencies(fd))
        elif kind == "file_containing_symbol":
            fd = self.by_symbol.get(request.file_containing_symbol.lstrip("."))
            if fd is None:
                return not_found(f"no symbol {request.file_containing_symbol}")
            response.file_descriptor_response.file_descriptor_proto.extend(
                self._with_dependencies(fd))
        elif kind == "file_containing_extension":
            return not_found("no extensions are known")
        elif kind == "all_extension_numbers_of_type":
            name = request.all_extension_numbers_of_type.lstrip(".")
            if name not in self.by_symbol:
                return not_found(f"no type {name}")
            response.all_extension_numbers_response.base_type_name = name
        else:
            response.error_response.error_code = SC.INVALID_ARGUMENT.value[0]
            response.error_response.error_message = "empty reflection request"
        return response

    def ServerReflectionInfo(self, request_iterator, context):
        for request in request_iterator:
            yield self.answer(request)


# ---------------------------------------------------------------- M1, logging
class RequestIdInterceptor(grpc.ServerInterceptor):
    """M1: echoes `x-request-id` in the initial metadata of every call that
    reaches a handler, and in the trailers of an error (a trailers-only
    response has no initial metadata). Also logs one line per call."""

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None:
            return None  # unknown method: grpcio answers UNIMPLEMENTED (S3)
        rid = next((v for k, v in details.invocation_metadata if k == "x-request-id"), None)
        method = details.method
        echo = (("x-request-id", rid),) if rid is not None else None

        def on_error(context, e):
            if echo is not None:
                context.set_trailing_metadata(tuple(context.trailing_metadata() or ()) + echo)
            code = context.code() if isinstance(e, Exception) and not isinstance(
                e, grpc.RpcError) else "CANCELLED"
            log(f"{method} -> {getattr(code, 'name', code)}")

        def unary(behavior):
            def wrapped(request, context):
                try:
                    response = behavior(request, context)
                except Exception as e:
                    on_error(context, e)
                    raise
                if echo is not None:
                    context.send_initial_metadata(echo)
                log(f"{method} -> OK")
                return response
            return wrapped

        def streaming(behavior):
            def wrapped(request, context):
                if echo is not None:
                    context.send_initial_metadata(echo)
                try:
                    yield from behavior(request, context)
                except Exception as e:
                    on_error(context, e)
                    raise
                log(f"{method} -> {'OK' if context.is_active() else 'CANCELLED'}")
            return wrapped

        kw = dict(request_deserializer=handler.request_deserializer,
                  response_serializer=handler.response_serializer)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **kw)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), **kw)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), **kw)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), **kw)


# ---------------------------------------------------------------- assembly
def handlers(users, health, reflection):
    def ser(cls):
        return cls.SerializeToString

    def chat_handler():
        # Responses are serialized once in the hub, so no serializer here.
        return grpc.stream_stream_rpc_method_handler(
            users.Chat, request_deserializer=pb.Message.FromString)

    user = grpc.method_handlers_generic_handler(USER_SERVICE, {
        "GetUser": grpc.unary_unary_rpc_method_handler(
            users.GetUser, pb.GetUserRequest.FromString, ser(pb.User)),
        "ListUsers": grpc.unary_stream_rpc_method_handler(
            users.ListUsers, pb.ListUsersRequest.FromString, ser(pb.User)),
        "CreateUsers": grpc.stream_unary_rpc_method_handler(
            users.CreateUsers, pb.CreateUserRequest.FromString, ser(pb.CreateUsersResponse)),
        "Chat": chat_handler(),
    })
    chat = grpc.method_handlers_generic_handler(CHAT_SERVICE, {"Chat": chat_handler()})
    hc = health_pb2
    health_h = grpc.method_handlers_generic_handler(HEALTH_SERVICE, {
        "Check": grpc.unary_unary_rpc_method_handler(
            health.Check, hc.HealthCheckRequest.FromString, ser(hc.HealthCheckResponse)),
        "Watch": grpc.unary_stream_rpc_method_handler(
            health.Watch, hc.HealthCheckRequest.FromString, ser(hc.HealthCheckResponse)),
    })
    refl = [grpc.method_handlers_generic_handler(name, {
        "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
            reflection.ServerReflectionInfo, refl_pb2.ServerReflectionRequest.FromString,
            ser(refl_pb2.ServerReflectionResponse)),
    }) for name in REFLECTION_SERVICES]
    return [user, chat, health_h] + refl


def main():
    global QUIET
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:50051",
                        help="HOST:PORT to serve on; port 0 picks a free port")
    parser.add_argument("--token", default=None,
                        help="require `authorization: Bearer TOKEN` for CreateUsers")
    parser.add_argument("--seed", type=int, default=0, help="create N predictable users at start")
    parser.add_argument("--quiet", action="store_true", help="do not log calls to stderr")
    parser.add_argument("--proto-root", default=os.path.join(REPO, "proto"),
                        help="the folder holding course/v1/course.proto and google/rpc/")
    args = parser.parse_args()
    QUIET = args.quiet
    if args.seed < 0:
        parser.error("--seed must be >= 0")
    host, sep, port = args.listen.rpartition(":")
    if not sep or not host or not port.isdigit():
        parser.error("--listen wants HOST:PORT")

    out = tempfile.mkdtemp(prefix="course-py-server-")
    try:
        modules = load_protos(args.proto_root, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    store, hub, stopping = Store(), Hub(), threading.Event()
    if args.seed:
        store.commit([pb.CreateUserRequest(name=f"Seed User {i}", email=f"seed{i}@example.org")
                      for i in range(1, args.seed + 1)])
    users = UserService(store, hub, args.token)
    reflection = Reflection(modules, [USER_SERVICE, CHAT_SERVICE, HEALTH_SERVICE,
                                      *REFLECTION_SERVICES])
    # Every open Chat stream holds one worker (its writer) and a reader
    # thread of its own; every ListUsers holds one worker while it pauses.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64),
                         handlers=handlers(users, Health(stopping), reflection),
                         interceptors=[RequestIdInterceptor()])
    bound = server.add_insecure_port(args.listen)
    if bound == 0:
        sys.exit(f"cannot listen on {args.listen}")

    signalled = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: signalled.set())
    server.start()
    print(f"listening on {host}:{bound}", flush=True)  # S4

    while not signalled.wait(1.0):
        pass
    # S4: no new calls; calls in flight get up to 5 s, then are cancelled.
    log("SIGTERM: draining calls in flight for up to 5 s")
    stopping.set()
    server.stop(grace=5).wait()
    log("stopped")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # do not wait for threads of abandoned calls


if __name__ == "__main__":
    main()
