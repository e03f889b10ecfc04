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
    """Task 1 (M1): echoes the client's x-request-id."""

    def intercept_service(self, continuation, details):
        # TODO(task 1): handler = continuation(details) is the method's
        #               handler (None for an unknown method). When the call's
        #               details.invocation_metadata has an x-request-id,
        #               return a new handler of the same kind
        #               (grpc.unary_unary_rpc_method_handler, ...) whose
        #               behavior wraps the old one: context.send_initial_metadata
        #               with the id before the response goes, and, when a
        #               unary or client-streaming behavior raises (an abort),
        #               the id added to context.set_trailing_metadata instead.
        return continuation(details)


def check_bearer_token(context, token):
    """Task 3 (M2): ends the call unless `authorization: Bearer <token>` came
    with it (raises); no token configured means no check."""
    # TODO(task 3): no token: return. No "authorization" in
    #               context.invocation_metadata(): UNAUTHENTICATED. Any
    #               value other than "Bearer " + token: PERMISSION_DENIED.
    kit.unimplemented(context, "TODO(task 3): check_bearer_token")


class InterceptorsLesson(kit.UserService):
    def __init__(self, shared):
        super().__init__(shared, reference_checks_token=False)  # the lesson checks it

    def CreateUsers(self, request_iterator, context):
        # TODO(task 3): check_bearer_token before a single request is read.
        check_bearer_token(context, self.token)
        return super().CreateUsers(request_iterator, context)


if __name__ == "__main__":
    kit.main(users=InterceptorsLesson, interceptors=[RequestIdEcho()],
             reference_interceptors=False)
