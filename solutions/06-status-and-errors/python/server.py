#!/usr/bin/python3
"""Lesson 06, status codes, error details and cancellation, in Python.

Read lessons/06-status-and-errors/README.md first (its "In Python" section).
The Python track grades tasks 3-5 (the checks); tasks 1 and 2 are C++ unit
tests, and their Python side is bad_request() below.
"""
import course_kit as kit
from course_kit import StatusCode, pb
from google.rpc import error_details_pb2, status_pb2

DETAILS_TRAILER = "grpc-status-details-bin"


def bad_request(context, field, description):
    """Ends the call with INVALID_ARGUMENT whose details name `field` (raises).

    grpcio's status is a code and a message only; the details travel in the
    trailer grpc-status-details-bin as a serialized google.rpc.Status with
    the same code and message, packing a google.rpc.BadRequest."""
    bad = error_details_pb2.BadRequest()
    bad.field_violations.add(field=field, description=description)
    rich = status_pb2.Status(code=StatusCode.INVALID_ARGUMENT.value[0], message=description)
    rich.details.add().Pack(bad)
    context.set_trailing_metadata(((DETAILS_TRAILER, rich.SerializeToString()),))
    context.abort(StatusCode.INVALID_ARGUMENT, description)


class ErrorsLesson(kit.UserService):
    def GetUser(self, request, context):
        # Task 3 (G1): the request itself is wrong; no retry can help.
        if request.id <= 0:
            bad_request(context, "id", f"id must be greater than 0, got {request.id}")
        # Task 3 (G2): the request is fine, the user is not there.
        user = self.store.get(request.id)
        if user is None:
            context.abort(StatusCode.NOT_FOUND, f"no user with id {request.id}")
        return user

    def ListUsers(self, request, context):
        # Task 4 (L1): refused before the first yield, so before any user.
        if request.page_size < 0:
            bad_request(context, "page_size", "page_size must not be negative")
        if not 0 <= request.interval_ms <= kit.MAX_INTERVAL_MS:
            bad_request(context, "interval_ms",
                        f"interval_ms must be between 0 and {kit.MAX_INTERVAL_MS}")
        yield from super().ListUsers(request, context)  # the kit streams the users

    def CreateUsers(self, request_iterator, context):
        # Task 5 (C4): the batch waits aside; any failure ends the call with
        # the store untouched.
        batch, seen = [], set()
        for i, request in enumerate(request_iterator):
            if (problem := kit.user_problem(request)) is not None:
                field, why = problem
                bad_request(context, f"users[{i}].{field}", f"users[{i}]: {why}")
            folded = kit.ascii_fold(request.email)
            if folded in seen or self.store.email_taken(folded):
                context.abort(StatusCode.ALREADY_EXISTS, f"email {request.email} is already taken")
            if i >= kit.MAX_BATCH:
                context.abort(StatusCode.RESOURCE_EXHAUSTED,
                              f"more than {kit.MAX_BATCH} requests in one call")
            seen.add(folded)
            batch.append(request)
        # The loop also ends when the client cancels; one more read raises
        # grpc.RpcError then, and the handler ends without storing (lesson 04).
        for _ in request_iterator:
            pass
        ids, taken = self.store.commit(batch)
        if taken is not None:
            context.abort(StatusCode.ALREADY_EXISTS, f"email {taken} is already taken")
        return pb.CreateUsersResponse(ids=ids)


if __name__ == "__main__":
    kit.main(users=ErrorsLesson)
