#!/usr/bin/python3
"""gRPC's interop test service (grpc.testing.TestService) in Python.

An outside opinion on `course conform --suite interop`: the cases were
written next to the C++ reference's test service, so a case that demands more
than gRPC's interop test descriptions would go unnoticed. This server is a
second implementation, in another language, from the descriptions' "Server"
part alone, using Debian's python3-grpcio and python3-protobuf (messages
generated with protoc --python_out at start; no gRPC plugin needed).

Usage:
  /usr/bin/python3 harness/interop/python_interop_server.py [--listen HOST:PORT] [--quiet]
  build/harness/course-cli conform --suite interop \\
      --server-cmd "/usr/bin/python3 harness/interop/python_interop_server.py"

Like the C++ reference it cannot implement CompressedRequest (expect_compressed):
grpcio does not tell a server whether a request arrived compressed.
"""
import argparse, importlib.util, os, shutil, signal, subprocess, sys, tempfile, threading, time
from concurrent import futures

import grpc

GRPC_PROTO = "/usr/share/grpc-proto"
SERVICE = "grpc.testing.TestService"
ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
CODES = {code.value[0]: code for code in grpc.StatusCode}
QUIET = False
empty_pb2 = messages_pb2 = None


def load_protos(out):
    """protoc --python_out into `out`, then load the modules by path (a
    generated grpc/ package would shadow the real grpc package)."""
    global empty_pb2, messages_pb2
    files = ["grpc/testing/empty.proto", "grpc/testing/messages.proto"]
    r = subprocess.run(["protoc", "--python_out=" + out, "-I", GRPC_PROTO, *files],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("protoc failed: " + r.stderr.strip())

    def load(rel, name):
        spec = importlib.util.spec_from_file_location(name, os.path.join(out, rel))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    empty_pb2 = load("grpc/testing/empty_pb2.py", "interop_empty_pb2")
    messages_pb2 = load("grpc/testing/messages_pb2.py", "interop_messages_pb2")


def log(text):
    if not QUIET:
        print(text, file=sys.stderr, flush=True)


def zeros(size):
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=b"\0" * size)


def echo_metadata(context):
    """Echo Metadata: the initial value back as initial metadata, the binary
    one back as trailing metadata."""
    md = context.invocation_metadata()
    initial = [(k, v) for k, v in md if k == ECHO_INITIAL]
    if initial:
        context.send_initial_metadata(initial)
    trailing = [(k, v) for k, v in md if k == ECHO_TRAILING]
    if trailing:
        context.set_trailing_metadata(trailing)


def check_request(request, context):
    """Echo Status, and the response types and sizes this server serves."""
    if request.response_type != messages_pb2.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "only COMPRESSABLE payloads")
    if request.response_status.code != 0:
        code = CODES.get(request.response_status.code, grpc.StatusCode.UNKNOWN)
        context.abort(code, request.response_status.message)


def empty_call(request, context):
    echo_metadata(context)
    return empty_pb2.Empty()


def unary_call(request, context):
    echo_metadata(context)
    check_request(request, context)
    if request.response_size < 0:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "negative response_size")
    if request.response_compressed.value:
        context.set_compression(grpc.Compression.Gzip)
    return messages_pb2.SimpleResponse(payload=zeros(request.response_size))


def cacheable_unary_call(request, context):
    echo_metadata(context)
    context.send_initial_metadata([("cache-control", "max-age=60, public")])
    return messages_pb2.SimpleResponse(payload=messages_pb2.Payload(
        body=str(time.time_ns()).encode()))


def respond(request, context, compressing):
    """The responses one StreamingOutputCallRequest asks for, each after its
    interval_us."""
    check_request(request, context)
    for parameters in request.response_parameters:
        if parameters.interval_us:
            time.sleep(parameters.interval_us / 1e6)
        if compressing and not parameters.compressed.value:
            context.disable_next_message_compression()
        yield messages_pb2.StreamingOutputCallResponse(payload=zeros(parameters.size))


def compress_if_asked(request, context):
    if any(p.compressed.value for p in request.response_parameters):
        context.set_compression(grpc.Compression.Gzip)
        return True
    return False


def streaming_output_call(request, context):
    echo_metadata(context)
    yield from respond(request, context, compress_if_asked(request, context))


def streaming_input_call(request_iterator, context):
    echo_metadata(context)
    total = sum(len(request.payload.body) for request in request_iterator)
    return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)


def full_duplex_call(request_iterator, context):
    echo_metadata(context)
    compressing = None
    for request in request_iterator:
        if compressing is None:
            compressing = compress_if_asked(request, context)
        yield from respond(request, context, compressing)


def half_duplex_call(request_iterator, context):
    echo_metadata(context)
    requests = list(request_iterator)
    compressing = bool(requests) and compress_if_asked(requests[0], context)
    for request in requests:
        yield from respond(request, context, compressing)


def handler():
    m = messages_pb2
    e = empty_pb2.Empty

    def rpc(kind, fn, request, response):
        return kind(fn, request_deserializer=request.FromString,
                    response_serializer=response.SerializeToString)
    return grpc.method_handlers_generic_handler(SERVICE, {
        "EmptyCall": rpc(grpc.unary_unary_rpc_method_handler, empty_call, e, e),
        "UnaryCall": rpc(grpc.unary_unary_rpc_method_handler, unary_call,
                         m.SimpleRequest, m.SimpleResponse),
        "CacheableUnaryCall": rpc(grpc.unary_unary_rpc_method_handler, cacheable_unary_call,
                                  m.SimpleRequest, m.SimpleResponse),
        "StreamingOutputCall": rpc(grpc.unary_stream_rpc_method_handler, streaming_output_call,
                                   m.StreamingOutputCallRequest, m.StreamingOutputCallResponse),
        "StreamingInputCall": rpc(grpc.stream_unary_rpc_method_handler, streaming_input_call,
                                  m.StreamingInputCallRequest, m.StreamingInputCallResponse),
        "FullDuplexCall": rpc(grpc.stream_stream_rpc_method_handler, full_duplex_call,
                              m.StreamingOutputCallRequest, m.StreamingOutputCallResponse),
        "HalfDuplexCall": rpc(grpc.stream_stream_rpc_method_handler, half_duplex_call,
                              m.StreamingOutputCallRequest, m.StreamingOutputCallResponse),
        # UnimplementedCall is left out: grpcio answers UNIMPLEMENTED.
    })


def main():
    global QUIET
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:50051",
                        help="HOST:PORT to serve on; port 0 picks a free port")
    parser.add_argument("--quiet", action="store_true", help="do not log to stderr")
    args = parser.parse_args()
    QUIET = args.quiet
    host, sep, port = args.listen.rpartition(":")
    if not sep or not host or not port.isdigit():
        parser.error("--listen wants HOST:PORT")
    out = tempfile.mkdtemp(prefix="course-py-interop-")
    try:
        load_protos(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), handlers=[handler()])
    bound = server.add_insecure_port(args.listen)
    if bound == 0:
        sys.exit(f"cannot listen on {args.listen}")
    server.start()
    print(f"listening on {host}:{bound}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    log("python_interop_server: stopping, draining calls for up to 5 s")
    server.stop(5).wait()


if __name__ == "__main__":
    main()
