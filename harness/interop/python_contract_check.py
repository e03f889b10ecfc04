#!/usr/bin/python3
"""Independent Python check of a course.v1 server against proto/course/v1/course.proto.

Why this exists: the C++ harness and the C++ reference server are written by the
same people from the same reading of the contract, so a shared misreading would
go unnoticed. This file is a second opinion in another language, written only
from the rule text in course.proto (G1..G3, L1..L3, C1..C8, H1..H5, M1, M2,
S1..S4), using nothing but Debian's python3-grpcio and python3-protobuf.

Usage:
  /usr/bin/python3 harness/interop/python_contract_check.py --server-bin build/reference/course-reference-server
  /usr/bin/python3 harness/interop/python_contract_check.py --target 127.0.0.1:50051
Exit status: 0 all checks passed, 1 some check failed, 2 could not run.
"""
import argparse, os, re, signal, sys, tempfile, threading, time

import contract_kit as kit
from contract_kit import (SC, T, REPO, RUN, CannotRun, Api, bad_request_fields, connect, create,
                          email, expect, expect_bad_request, fmt, list_users, load_protos, outcome,
                          report, results, start_server, summary, Stream, U)


# ------------------------------------------------------------------ checks
def check_get(api):
    for bad in (0, -7):
        expect_bad_request("G1", f"GetUser(id={bad})", lambda: api.get(kit.pb.GetUserRequest(id=bad), timeout=T), "id")
    code, err = outcome(lambda: api.get(kit.pb.GetUserRequest(id=2147483647), timeout=T))
    report("G2", "GetUser of an unknown id", code == SC.NOT_FOUND and "2147483647" in err.details(),
           "NOT_FOUND mentioning 2147483647", err)
    reqs = [U("Zoë Ünïcødé 日本語 🚀", email("Mixed.CASE")), U("  padded name  ", email("pad")),
            U("x" * 100, email("max")), U("日" * 33, ("L" + RUN + "x" * 300)[:254 - 12] + "@example.com")]
    code, ids = create(api, reqs)
    if code != SC.OK:
        return report("G3", "create users to read back", False, "OK", code)
    got = [api.get(kit.pb.GetUserRequest(id=i), timeout=T) for i in ids]
    expect("G3", "GetUser returns users exactly as created (UTF-8, spaces, case, 100-byte name, 254-byte email)",
           [(i, r.name, r.email) for i, r in zip(ids, reqs)], [(u.id, u.name, u.email) for u in got])


def check_create(api):
    bad_emails = ["", "no-at.example.com", "a@b@example.com", "@example.com", "a@examplecom",
                  "a@.example.com", "a@example.com.", "a b@example.com", "a\t@example.com",
                  "x" * 243 + "@example.com"]  # 255 bytes
    bad_names = ["", "x" * 101, "日" * 34]  # 34 * 3 = 102 bytes
    cases = [("email", U("n", b)) for b in bad_emails] + [("name", U(b, email("c1"))) for b in bad_names]
    for i, (field, bad) in enumerate(cases):
        pos, value = i % 4, getattr(bad, field)
        valid = [U("ok", email("c2")) for _ in range(pos)]
        code, err = create(api, valid + [bad])
        expect("C2", f"invalid {field} {value[:16]!r} ({len(value.encode())} bytes) at position {pos}",
               (SC.INVALID_ARGUMENT, [f"users[{pos}].{field}"]), (code, bad_request_fields(err) if code != SC.OK else err))
        if pos:
            expect("C4", f"the {pos} valid users before it were not stored (re-create ok)", SC.OK, create(api, valid)[0])
    code, _ = create(api, [U("a", f"a-{RUN}@b.c")])
    expect("C1", "shortest valid email a@b.c form is accepted", SC.OK, code)

    # C3 within one stream, then against a stored user.
    low, other = email("dup"), email("dup")
    code, err = create(api, [U("a", low), U("b", other), U("c", low.upper())])
    report("C3", "duplicate (other case) in the same stream", code == SC.ALREADY_EXISTS and low.upper() in str(err),
           f"ALREADY_EXISTS mentioning {low.upper()}", err)
    code, _ = create(api, [U("a", low)])
    expect("C4", "after ALREADY_EXISTS none of the batch stored (re-create ok)", SC.OK, code)
    fresh = email("fresh")
    code, err = create(api, [U("f", fresh), U("d", low.swapcase())])
    report("C3", "duplicate (other case) of a stored user", code == SC.ALREADY_EXISTS and low.swapcase() in str(err),
           f"ALREADY_EXISTS mentioning {low.swapcase()}", err)
    code, _ = create(api, [U("f", fresh), U("o", other)])
    expect("C4", "the valid user before the duplicate was not stored", SC.OK, code)
    code, err = create(api, [U("x", low.upper()), U("y", "not-an-email")])
    expect("C8", "a duplicate at position 0 wins over an invalid request at 1", SC.ALREADY_EXISTS, code)
    code, err = create(api, [U("", low.upper())])
    expect("C8", "C1 is judged before C3 within one request", (SC.INVALID_ARGUMENT, ["users[0].name"]),
           (code, bad_request_fields(err) if code != SC.OK else err))

    # C4: cancel before half-close.
    cancel_emails, sent, stop = [email("cancel") for _ in range(3)], threading.Event(), threading.Event()
    def gen():
        for e in cancel_emails:
            yield U("c", e)
        sent.set()
        stop.wait(T)  # never half-close before the cancel
    fut = api.create.future(gen(), timeout=T)
    sent.wait(T)
    fut.cancel()
    stop.set()
    code, _ = create(api, [U("c", e) for e in cancel_emails])
    expect("C4", "client cancel before half-close stores nothing (re-create ok)", SC.OK, code)

    # C5 and C6.
    code, first = create(api, [U("s", email("seq")) for _ in range(3)])
    code2, ids = create(api, [U("s", email("seq")) for _ in range(5)])
    report("C5", "ids strictly increasing and above earlier ids",
           code == code2 == SC.OK and len(ids) == 5 and ids == sorted(set(ids)) and ids[0] > max(first),
           f"5 increasing ids > {fmt(first)}", (code2, ids))
    expect("C6", "empty stream", (SC.OK, []), create(api, []))

    # C7: 10,001 requests in one call.
    many = [U("m", f"many-{RUN}-{i}@example.com") for i in range(10001)]
    code, err = create(api, many, timeout=10)
    expect("C7", "10,001 requests", SC.RESOURCE_EXHAUSTED, code)
    code, _ = create(api, [many[0], many[5000], many[9999], many[10000]])
    expect("C7", "nothing of the 10,001 was stored (re-create ok)", SC.OK, code)


def check_list(api):
    for kw, field in (({"page_size": -1}, "page_size"), ({"interval_ms": -1}, "interval_ms"),
                      ({"interval_ms": 10001}, "interval_ms")):
        expect_bad_request("L1", f"ListUsers{kw}", lambda: list_users(api, **kw), field)
    code, ids = create(api, [U(f"list {i}", email("list")) for i in range(10)])
    if code != SC.OK:
        return report("L2", "create users to list", False, "OK", code)
    it = api.list(kit.pb.ListUsersRequest(after_id=ids[0] - 1, page_size=1, interval_ms=10000), timeout=T)
    first = next(it)
    it.cancel()
    expect("L1", "interval_ms=10000 is accepted (first user immediately)", ids[0], first.id)
    page = [u.id for u in list_users(api, after_id=ids[0] - 1, page_size=3)]
    expect("L2", "page_size=3 after (first id - 1)", ids[:3], page)
    everything = list_users(api, after_id=ids[0] - 1)
    got = [u.id for u in everything]
    report("L2", "page_size=0: ascending, no duplicates, all own users",
           got == sorted(set(got)) and set(ids) <= set(got), f"ascending unique superset of {ids}", got)
    mine = {u.id: (u.name, u.email) for u in everything}
    expect("L2", "listed users carry their fields", [f"list {i}" for i in range(10)], [mine[i][0] for i in ids])
    expect("L2", "after_id at the last own id gives nothing newer of ours", [],
           [u.id for u in list_users(api, after_id=ids[-1]) if u.id in ids])

    times, start = [], time.monotonic()
    it = api.list(kit.pb.ListUsersRequest(after_id=ids[0] - 1, interval_ms=300), timeout=1.0)
    code, _ = outcome(lambda: [times.append(time.monotonic() - start) for _ in it])
    report("L3", "interval_ms=300 with a 1 s deadline", code == SC.DEADLINE_EXCEEDED and 2 <= len(times) <= 5
           and times[0] < 0.25 and times[-1] - times[0] >= 0.4,
           "DEADLINE_EXCEEDED after 2..5 users spread in time",
           (code, [round(t, 2) for t in times]))


def check_chat(api):
    def run_h1(msgs, desc, expected_echoes):
        s = Stream(api.chat)
        for m in msgs:
            s.out.put(m)
        got = s.recv(expected_echoes + 1)
        s.close()
        expect("H1", desc, [SC.INVALID_ARGUMENT], got[expected_echoes:])
    room = f"h1-{RUN}"
    run_h1([kit.pb.Message(room="", text="x")], "empty room", 0)
    run_h1([kit.pb.Message(room="r" * 65, text="x")], "65-byte room", 0)
    run_h1([kit.pb.Message(room=room, text="")], "empty text", 0)
    run_h1([kit.pb.Message(room=room, text="ok"), kit.pb.Message(room=room, text="t" * 4097)],
           "4097-byte text after a valid message", 1)
    s = Stream(api.chat)
    edge = ("e" + RUN + "x" * 64)[:64]
    s.send(edge, "é" * 2048)
    got = s.recv(1)
    s.close()
    report("H1", "64-byte room and 4096-byte text are accepted", got and isinstance(got[0], kit.pb.Message)
           and got[0].text == "é" * 2048, "an echo", summary(got)[:1])

    room = f"h3-{RUN}"
    a, b = Stream(api.uchat), Stream(api.chat)
    a.send(room, "hello from a", sender="alice")
    first_a = a.recv(1)
    b.send(room, "hello from b", sender="bob")
    join_b, join_a = b.recv(1), a.recv(1)
    for i in range(3):
        a.send(room, f"a{i}", sender="alice")
        b.send(room, f"b{i}", sender="bob")
    seen_a, seen_b = summary(first_a + join_a + a.recv(6)), summary(join_b + b.recv(6))
    a.close(), b.close()
    expect("H3", "first message in a new room gets seq 1 and is echoed unchanged",
           [(1, "alice", "hello from a")], seen_a[:1])
    report("H3", "seq consecutive across UserService.Chat and ChatService.Chat",
           [x[0] for x in seen_a if isinstance(x, tuple)] == list(range(1, 9)), "seq 1..8", seen_a)
    expect("H4", "both streams see the same sequence from B's join on", seen_a[1:], seen_b)
    texts = [x[2] for x in seen_b if isinstance(x, tuple)]
    report("H4", "each sender's messages in the order sent",
           [t for t in texts if t.startswith("a")] == ["a0", "a1", "a2"]
           and [t for t in texts if t[0] == "b" and t != "hello from b"] == ["b0", "b1", "b2"], "a0..a2, b0..b2", texts)
    expect("H5", "streams end OK after half-close", [[SC.OK], [SC.OK]], [a.recv(1), b.recv(1)])

    room = f"h5-{RUN}"
    call = api.chat(iter([kit.pb.Message(room=room, sender="p", text=f"m{i}") for i in range(5)]), timeout=T)
    code, msgs = outcome(lambda: list(call))
    expect("H5", "half-close after 5 messages: 5 echoes then OK",
           (SC.OK, [(i + 1, "p", f"m{i}") for i in range(5)]),
           (code, summary(msgs) if code == SC.OK else msgs))


def check_metadata(api):
    rid = f"rid-{RUN}"
    md = (("x-request-id", rid),)
    _, ids = create(api, [U("m1", email("m1"))])
    _, call = api.get.with_call(kit.pb.GetUserRequest(id=ids[0]), timeout=T, metadata=md)
    expect("M1", "GetUser success echoes x-request-id in initial metadata", rid, dict(call.initial_metadata()).get("x-request-id"))
    it = api.list(kit.pb.ListUsersRequest(after_id=ids[0] - 1, page_size=1), timeout=T, metadata=md)
    expect("M1", "ListUsers echoes x-request-id in initial metadata", rid, dict(it.initial_metadata()).get("x-request-id"))
    list(it)
    for desc, fn in (("GetUser NOT_FOUND", lambda: api.get(kit.pb.GetUserRequest(id=2147483647), timeout=T, metadata=md)),
                     ("GetUser INVALID_ARGUMENT", lambda: api.get(kit.pb.GetUserRequest(id=0), timeout=T, metadata=md)),
                     ("CreateUsers INVALID_ARGUMENT", lambda: api.create(iter([U("", "")]), timeout=T, metadata=md))):
        code, err = outcome(fn)
        vals = [v for k, v in list(err.initial_metadata() or ()) + list(err.trailing_metadata() or ())
                if k == "x-request-id"] if code != SC.OK else code
        expect("M1", f"{desc} carries x-request-id in initial or trailing metadata", [rid], vals)


def check_auth(api):
    mails = [email("auth") for _ in range(2)]
    reqs = [U("auth", m) for m in mails]
    expect("M2", "CreateUsers without authorization", SC.UNAUTHENTICATED, create(api, reqs)[0])
    for bad in ("Bearer wrong", "secret", "Bearer secretx"):
        expect("M2", f"CreateUsers with authorization {bad!r}", SC.PERMISSION_DENIED,
               create(api, reqs, md=(("authorization", bad),))[0])
    expect("C8", "token is checked before the requests", SC.UNAUTHENTICATED, create(api, [U("", "")])[0])
    code, ids = create(api, reqs, md=(("authorization", "Bearer secret"),))
    report("M2", "right token: OK (so the refused calls stored nothing)", code == SC.OK and len(ids) == 2, "OK, 2 ids", (code, ids))
    code, user = outcome(lambda: api.get(kit.pb.GetUserRequest(id=ids[0]), timeout=T))
    report("M2", "GetUser needs no token", code == SC.OK and user.email == mails[0], "OK", code)
    code, _ = outcome(lambda: list_users(api, page_size=1))
    expect("M2", "ListUsers needs no token", SC.OK, code)


def check_services(api):
    for svc in ("", "course.v1.UserService", "course.v1.ChatService"):
        code, r = outcome(lambda: api.health(kit.health_pb2.HealthCheckRequest(service=svc), timeout=T))
        expect("S1", f"health of {svc!r}", (SC.OK, kit.health_pb2.HealthCheckResponse.SERVING),
               (code, r.status if code == SC.OK else None))
    code, _ = outcome(lambda: api.health(kit.health_pb2.HealthCheckRequest(service="course.v1.Nope"), timeout=T))
    expect("S1", "health of an unknown service", SC.NOT_FOUND, code)

    refl = api.raw("stream_stream", "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    code, resp = outcome(lambda: list(refl(iter([b"\x3a\x00"]), timeout=T)))
    blob = b"".join(resp) if code == SC.OK else b""
    report("S2", "reflection list_services names both services",
           b"course.v1.UserService" in blob and b"course.v1.ChatService" in blob, "both names", (code, blob[:200]))

    for path in ("/course.v1.UserService/Nope", "/course.v1.Nope/GetUser"):
        code, _ = outcome(lambda: api.raw("unary_unary", path)(b"", timeout=T))
        expect("S3", f"unknown method {path}", SC.UNIMPLEMENTED, code)
    huge = 5 * 1024 * 1024
    # GetUserRequest{id: 1} followed by a 5 MiB field 2, which GetUserRequest does not know.
    blob = kit.pb.GetUserRequest(id=1).SerializeToString() + kit.pb.CreateUserRequest(email="z" * huge).SerializeToString()
    code, _ = outcome(lambda: api.raw("unary_unary", "/course.v1.UserService/GetUser")(blob, timeout=T))
    expect("S3", "GetUser request of 5 MiB (unknown field)", SC.RESOURCE_EXHAUSTED, code)
    expect("S3", "CreateUsers request with a 5 MiB name", SC.RESOURCE_EXHAUSTED,
           create(api, [U("n" * huge, email("huge"))])[0])


def check_shutdown(proc, line, api):
    report("S4", "listening line", re.fullmatch(r"listening on 127\.0\.0\.1:[1-9]\d*", line) is not None,
           "'listening on 127.0.0.1:PORT'", repr(line))
    # A call in flight when SIGTERM arrives is allowed to finish.
    it = api.list(kit.pb.ListUsersRequest(page_size=3, interval_ms=300), timeout=T)
    first = outcome(lambda: next(it))
    proc.send_signal(signal.SIGTERM)
    code, rest = outcome(lambda: list(it))
    expect("S4", "a ListUsers in flight at SIGTERM finishes OK", (SC.OK, 2),
           (code if first[0] == SC.OK else first[0], len(rest) if code == SC.OK else None))
    expect("S4", "SIGTERM: exit status 0 within 6 s", 0, proc.wait(timeout=6))  # raises if still running
    expect("S4", "exactly one line on stdout", b"", proc.extra + proc.stdout.read())


def guarded(rules, fn, *args):
    try:
        fn(*args)
    except Exception as e:  # a crashed group of checks is a failure, never a silent pass
        report(rules, f"{fn.__name__} ran to the end", False, "no exception", repr(e))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--server-bin")
    g.add_argument("--target")
    ap.add_argument("--proto-root", default=os.path.join(REPO, "proto"))
    args = ap.parse_args()
    procs = []
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            load_protos(args.proto_root, tmp)
        if args.server_bin:
            proc, line, target = start_server(args.server_bin)
            procs.append(proc)
            if target is None:
                report("S4", "listening line", False, "'listening on 127.0.0.1:PORT'", repr(line))
                raise CannotRun("cannot parse the listening line")
        else:
            target = args.target
        api = Api(connect(target))
        for rules, fn in (("G1-G3", check_get), ("C1-C8", check_create), ("L1-L3", check_list),
                          ("H1-H5", check_chat), ("M1", check_metadata), ("S1-S3", check_services)):
            guarded(rules, fn, api)
        if args.server_bin:
            guarded("S4", check_shutdown, proc, line, api)
            tproc, _, ttarget = start_server(args.server_bin, ["--token", "secret"])
            procs.append(tproc)
            guarded("M2", check_auth, Api(connect(ttarget)))
            tproc.send_signal(signal.SIGTERM)
            guarded("S4", lambda: expect("S4", "token server: SIGTERM exit status 0", 0, tproc.wait(timeout=6)))
        else:
            print("SKIP M2 S4 (need --server-bin to start servers with and without --token)")
    except CannotRun as e:
        print(f"cannot run: {e}", file=sys.stderr)
        return 2
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    failed = results.count(False)
    print(f"# took {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
