#!/usr/bin/python3
"""Lesson 08, interceptors, in Python: echo x-request-id, and token auth.

Read lessons/08-interceptors/README.md first (its "In Python" section). The
Python track grades tasks 1 and 3 (the checks); the call log (2), the client
interceptor (4) and the default deadline (5) are C++ unit tests.
"""
import course_kit as kit  # first: it says clearly when grpc cannot be imported
import grpc
from course_kit import StatusCode

REQUEST_ID = "x-request-id"


class RequestIdEcho(grpc.ServerInterceptor):
    """Task 1 (M1): echoes the client's x-request-id in the initial metadata
    of every call; in the trailers of a unary call that ends in an error, as
    that answer is Trailers-Only (it has no initial metadata)."""

    def intercept_service(self, continuation, details):
        handler = continuation(details)  # the method's handler, None if unknown
        request_id = next((value for key, value in details.invocation_metadata
                           if key == REQUEST_ID), None)
        if handler is None or request_id is None:
            return handler
        echo = ((REQUEST_ID, request_id),)

        def one_response(behavior):  # unary and client-streaming methods
            def wrapped(request, context):
                try:
                    response = behavior(request, context)
                except Exception:  # context.abort raises; keep its trailers too
                    context.set_trailing_metadata(tuple(context.trailing_metadata() or ()) + echo)
                    raise
                context.send_initial_metadata(echo)  # before the response goes
                return response
            return wrapped

        def many_responses(behavior):  # server-streaming and bidi methods
            def wrapped(request, context):
                context.send_initial_metadata(echo)
                yield from behavior(request, context)
            return wrapped

        make = {(False, False): grpc.unary_unary_rpc_method_handler,
                (True, False): grpc.stream_unary_rpc_method_handler,
                (False, True): grpc.unary_stream_rpc_method_handler,
                (True, True): grpc.stream_stream_rpc_method_handler}
        kind = (handler.request_streaming, handler.response_streaming)
        behavior = {(False, False): handler.unary_unary, (True, False): handler.stream_unary,
                    (False, True): handler.unary_stream, (True, True): handler.stream_stream}[kind]
        wrap = many_responses if handler.response_streaming else one_response
        return make[kind](wrap(behavior), request_deserializer=handler.request_deserializer,
                          response_serializer=handler.response_serializer)


def check_bearer_token(context, token):
    """Task 3 (M2): ends the call unless `authorization: Bearer <token>` came
    with it (raises); no token configured means no check."""
    if not token:
        return
    values = [value for key, value in context.invocation_metadata() if key == "authorization"]
    if not values:
        context.abort(StatusCode.UNAUTHENTICATED, "missing `authorization` metadata")
    if values != ["Bearer " + token]:
        context.abort(StatusCode.PERMISSION_DENIED, "wrong `authorization` token")


class InterceptorsLesson(kit.UserService):
    def __init__(self, shared):
        super().__init__(shared, reference_checks_token=False)  # the lesson checks it

    def CreateUsers(self, request_iterator, context):
        # Task 3: refused before a single request is read, so nothing is stored.
        check_bearer_token(context, self.token)
        return super().CreateUsers(request_iterator, context)


if __name__ == "__main__":
    kit.main(users=InterceptorsLesson, interceptors=[RequestIdEcho()],
             reference_interceptors=False)
