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
    """Ends the call with INVALID_ARGUMENT whose details name `field` (raises)."""
    # TODO(task 3): a google.rpc.BadRequest with one field violation
    #               (field, description), packed (rich.details.add().Pack)
    #               into a google.rpc.Status with code
    #               StatusCode.INVALID_ARGUMENT.value[0] and the description;
    #               set it, serialized, as the DETAILS_TRAILER trailer
    #               (context.set_trailing_metadata), then context.abort.
    kit.unimplemented(context, "TODO(task 3): bad_request")


class ErrorsLesson(kit.UserService):
    def GetUser(self, request, context):
        # TODO(task 3): id <= 0 is bad_request(context, "id", why); an
        #               unknown id (self.store.get gives None) is NOT_FOUND
        #               naming the id; otherwise return the user.
        kit.unimplemented(context, "TODO(task 3): GetUser's errors")

    def ListUsers(self, request, context):
        # TODO(task 4): a negative page_size, or an interval_ms outside
        #               0..kit.MAX_INTERVAL_MS, is bad_request naming the
        #               field, before any user; then
        #               `yield from super().ListUsers(request, context)`.
        kit.unimplemented(context, "TODO(task 4): ListUsers' checks")
        yield from ()

    def CreateUsers(self, request_iterator, context):
        # TODO(task 5): read the stream; kit.user_problem(request) gives
        #               (field, why) for a bad request: bad_request naming
        #               users[i].field. A taken email (kit.ascii_fold,
        #               self.store.email_taken) is ALREADY_EXISTS; over
        #               kit.MAX_BATCH is RESOURCE_EXHAUSTED. Store the batch
        #               (self.store.commit) only after a real half-close:
        #               read once more first, as in lesson 04.
        kit.unimplemented(context, "TODO(task 5): CreateUsers")


if __name__ == "__main__":
    kit.main(users=ErrorsLesson)
