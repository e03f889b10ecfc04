#!/usr/bin/python3
"""Lesson 04, client streaming, in Python: write CreateUsers.

Read lessons/04-client-streaming/README.md first (its "In Python" section).
Everything except CreateUsers is served for you by the kit.

A request iterator is a client stream: each step of the for loop waits for
the client's next request, and the loop ends when the client half-closes.
"""
import course_kit as kit
from course_kit import StatusCode, pb

WHITESPACE = set(" \t\n\v\f\r")


def name_problem(name):
    """Task 2 (C1): what is wrong with a name, or None. Limits are in bytes."""
    size = len(name.encode("utf-8"))
    if size == 0:
        return "name must not be empty"
    if size > kit.MAX_NAME_BYTES:
        return f"name is {size} bytes, more than {kit.MAX_NAME_BYTES}"
    return None


def email_problem(email):
    """Task 3 (C1): what is wrong with an email, or None."""
    size = len(email.encode("utf-8"))
    if size > kit.MAX_EMAIL_BYTES:
        return f"email is {size} bytes, more than {kit.MAX_EMAIL_BYTES}"
    if any(c in WHITESPACE for c in email):
        return "email must not contain whitespace"
    if email.count("@") != 1:
        return "email needs exactly one '@'"
    local, domain = email.split("@")
    if not local:
        return "email needs something before the '@'"
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        return "email domain needs a '.' that is neither its first nor its last character"
    return None


class ClientStreamingLesson(kit.UserService):
    def CreateUsers(self, request_iterator, context):
        batch, seen = [], set()  # the good requests so far, and their folded emails
        for i, request in enumerate(request_iterator):
            # Task 2 and 3 (C1, C2): a field rule first, naming users[i].field.
            if (problem := name_problem(request.name)) is not None:
                kit.invalid_field(context, f"users[{i}].name", f"users[{i}]: {problem}")
            if (problem := email_problem(request.email)) is not None:
                kit.invalid_field(context, f"users[{i}].email", f"users[{i}]: {problem}")
            # Task 4 (C3, C8): then duplicates, ignoring ASCII case, in this
            # batch or in the store. An abort ends the loop: nothing more is read.
            folded = kit.ascii_fold(request.email)
            if folded in seen or self.store.email_taken(folded):
                context.abort(StatusCode.ALREADY_EXISTS, f"email {request.email} is already taken")
            # Task 5 (C7): a batch has at most MAX_BATCH requests.
            if i >= kit.MAX_BATCH:
                context.abort(StatusCode.RESOURCE_EXHAUSTED,
                              f"more than {kit.MAX_BATCH} requests in one call")
            seen.add(folded)
            batch.append(request)
        # Task 5 (C4): grpcio may end the loop above for a cancel as if the
        # client had half-closed. Asking once more settles it: after a cancel
        # the iterator raises grpc.RpcError (the call is over, nothing is
        # stored); after a real half-close it simply ends again.
        for _ in request_iterator:
            pass
        # Task 1 (C5, C6): all or nothing, at the end. commit() checks the
        # emails again under its lock: another call may have taken one since.
        ids, taken = self.store.commit(batch)
        if taken is not None:
            context.abort(StatusCode.ALREADY_EXISTS, f"email {taken} is already taken")
        return pb.CreateUsersResponse(ids=ids)


if __name__ == "__main__":
    kit.main(users=ClientStreamingLesson)
