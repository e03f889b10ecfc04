#!/usr/bin/python3
"""Lesson 04, client streaming, in Python: write CreateUsers.

Read lessons/04-client-streaming/README.md first (its "In Python" section).
Everything except CreateUsers is served for you by the kit.
"""
import course_kit as kit
from course_kit import StatusCode, pb

WHITESPACE = set(" \t\n\v\f\r")


def name_problem(name):
    """Task 2 (C1): what is wrong with a name, or None. Limits are in bytes."""
    # TODO(task 2): empty, or more than kit.MAX_NAME_BYTES bytes of UTF-8
    #               (len(name.encode("utf-8"))), is a problem.
    return None


def email_problem(email):
    """Task 3 (C1): what is wrong with an email, or None."""
    # TODO(task 3): over kit.MAX_EMAIL_BYTES bytes, any WHITESPACE, not
    #               exactly one '@', nothing before it, or a domain without a
    #               '.' that is neither its first nor its last character.
    return None


class ClientStreamingLesson(kit.UserService):
    def CreateUsers(self, request_iterator, context):
        # TODO(task 1): `for i, request in enumerate(request_iterator):` reads
        #               the stream; keep the good requests aside and, after
        #               the loop, self.store.commit(batch) -> (ids, taken);
        #               return pb.CreateUsersResponse(ids=ids).
        # TODO(task 2): name_problem -> kit.invalid_field(context,
        #               f"users[{i}].name", why).
        # TODO(task 3): email_problem -> the same, naming users[{i}].email.
        # TODO(task 4): an email taken in this batch (kit.ascii_fold) or in
        #               the store (self.store.email_taken) is ALREADY_EXISTS,
        #               judged after the field rules; a taken from commit too.
        # TODO(task 5): more than kit.MAX_BATCH requests is RESOURCE_EXHAUSTED;
        #               a cancelled call stores nothing (see the README: loop
        #               over request_iterator once more before committing).
        kit.unimplemented(context, "TODO(task 1): CreateUsers")


if __name__ == "__main__":
    kit.main(users=ClientStreamingLesson)
